"""SLA use cases: a project's policy and its versions, each ticket's `sla`, and the minute sweep
that fires SLA_AT_RISK and SLA_BREACHED once per target of a ticket."""
import logging
from collections import OrderedDict
from dataclasses import replace
from typing import Any

from chalicelib.domain import sla as rules
from chalicelib.domain.clock import new_id, now_iso
from chalicelib.domain.events import SYSTEM_ACTOR
from chalicelib.domain.people import Principal
from chalicelib.domain.sla import SlaMarker
from chalicelib.domain.tickets import Events, HistoryEntry, StaleTicket, Ticket, public_view
from chalicelib.errors import NotFound
from chalicelib.services.ports import SlaPolicies, SlaTickets

log = logging.getLogger(__name__)
# Policy versions never change once written, so a warm process keeps those it has read.
CACHED_POLICIES = 256


class SlaService:
    def __init__(self, directory: SlaPolicies, tickets: SlaTickets):
        self.directory = directory
        self.tickets = tickets
        self._policies: OrderedDict[tuple[str, int], rules.Policy | None] = OrderedDict()

    # ---- policies ----------------------------------------------------------------------------

    def policy(self, project_id: str, version: int) -> rules.Policy | None:
        key = (project_id, version)
        if key in self._policies:
            self._policies.move_to_end(key)
            return self._policies[key]
        item = self.directory.sla_policy(project_id, version)
        policy = None
        if item is not None:
            policy = rules.parse_policy(item.policy, int(item.version), item.created_at, item.created_by)
        if policy is not None:
            self._policies[key] = policy
            if len(self._policies) > CACHED_POLICIES:
                self._policies.popitem(last=False)
        return policy

    def current(self, principal: Principal) -> dict:
        version = principal.project.sla_policy_version
        policy = self.policy(principal.project.id, version) if version else None
        if policy is None:
            raise NotFound("this project has no SLA policy yet")
        return policy.as_dict()

    def version(self, principal: Principal, version: int) -> dict:
        current = principal.project.sla_policy_version or 0
        policy = self.policy(principal.project.id, version) if 1 <= version <= current else None
        if policy is None:
            raise NotFound("no such version")  # as for a version number of the wrong form
        return policy.as_dict()

    def replace_policy(self, principal: Principal, body: dict[str, Any]) -> dict:
        """A new version of the project's policy; tickets already started keep theirs."""
        version = (principal.project.sla_policy_version or 0) + 1
        now = now_iso()
        policy = rules.parse_policy(body, version, now, principal.actor)
        stored = {key: value for key, value in policy.as_dict().items()
                  if key in ("targets", "business_hours", "pause_on_deferred")}
        self.directory.add_sla_policy(principal.project.id, version, stored, now, principal.actor)
        return policy.as_dict()

    def business_hours(self, principal: Principal) -> dict:
        hours = self.current(principal)["business_hours"]
        if hours is None:
            raise NotFound("the SLA policy has no business hours")
        return hours

    def replace_business_hours(self, principal: Principal, hours: dict[str, Any]) -> dict:
        """A new policy version with these business hours and the current targets (none yet: no
        targets)."""
        version = principal.project.sla_policy_version
        current = self.policy(principal.project.id, version) if version else None
        body = current.as_dict() if current is not None else {"targets": {}, "pause_on_deferred": True}
        return self.replace_policy(principal, {"targets": body["targets"], "business_hours": hours,
                                               "pause_on_deferred": body["pause_on_deferred"]})

    # ---- tickets -----------------------------------------------------------------------------

    def start(self, principal: Principal, ticket: Ticket) -> Ticket:
        """The new ticket with its clock, under the project's current policy (if any)."""
        version = principal.project.sla_policy_version
        policy = self.policy(ticket.project_id, version) if version else None
        return replace(ticket, sla=rules.start_clock(policy, ticket.severity, ticket.created_at))

    def follow(self, before: Ticket, after: Ticket, now: str) -> Ticket:
        """The changed ticket with its clock moved on by its status change and its due moments
        recomputed (a new severity takes its targets, counted from the start)."""
        if (before.status, before.severity) == (after.status, after.severity):
            return after
        # A ticket stored before clocks existed starts one at its first such change.
        clock = rules.advance(after.sla or rules.Clock(policy_version=None), before.status, after.status, now)
        policy = self.policy(after.project_id, clock.policy_version) if clock.policy_version else None
        if policy is None:
            return replace(after, sla=clock)
        return replace(after, sla=rules.with_marks(clock, policy, after.severity, after.created_at, now))

    def view(self, ticket: Ticket, now: str) -> dict | None:
        if ticket.sla is None or ticket.sla.policy_version is None:
            return None
        policy = self.policy(ticket.project_id, ticket.sla.policy_version)
        return rules.view(policy, ticket.sla, ticket.severity, ticket.created_at, now)

    # ---- the minute sweep --------------------------------------------------------------------

    def sweep(self, now: str | None = None) -> int:
        """Fires what is due by `now` (the time of the run) among the armed targets. A marker is
        fired by one conditional transaction with its history entry, so a second (or late) run
        finds it fired."""
        now = now or now_iso()
        markers = self.tickets.sla_markers_due(now)
        if not markers:
            return 0
        tickets = self.tickets.get_many({marker.ticket_id for marker in markers})
        fired = 0
        for marker in markers:
            ticket = tickets.get(marker.ticket_id)
            if ticket is None:
                continue  # deleted: its markers went with it
            try:
                fired += self._sweep_one(ticket, marker, now)
            except StaleTicket:
                log.info("ticket %s changed while its SLA event fired; it is looked at again", ticket.id)
        return fired

    def _sweep_one(self, ticket: Ticket, marker: SlaMarker, now: str) -> int:
        mark = ticket.sla.mark(marker.target) if ticket.sla is not None and ticket.is_open else None
        if mark is None:
            self.tickets.move_sla_marker(ticket, marker, None)
            return 0
        if mark.due_at <= now and marker.breached_fired is None:
            self.tickets.fire_sla(ticket, marker, "breached_fired", None,
                                  self._entry(ticket, Events.SLA_BREACHED, marker.target, mark, now))
            return 1
        if mark.at_risk_at <= now and marker.at_risk_fired is None:
            self.tickets.fire_sla(ticket, marker, "at_risk_fired", mark.due_at,
                                  self._entry(ticket, Events.SLA_AT_RISK, marker.target, mark, now))
            return 1
        # Already fired (a change re-armed it from its at-risk moment): on to what is left.
        next_moment = None
        if marker.breached_fired is None:
            next_moment = mark.due_at if marker.at_risk_fired is not None else mark.at_risk_at
        if next_moment is not None and next_moment <= now:
            next_moment = None
        self.tickets.move_sla_marker(ticket, marker, next_moment)
        return 0

    def _entry(self, ticket: Ticket, event: str, target: str, mark: rules.Mark, now: str) -> HistoryEntry:
        state = "breached" if event == Events.SLA_BREACHED else "at_risk"
        view = self.view(ticket, now) or {}
        detail = (view.get("targets") or {}).get(target, {})
        change = {"target": target, "state": state, "due_at": mark.due_at, "at_risk_at": mark.at_risk_at,
                  "minutes": detail.get("minutes"), "business_hours": detail.get("business_hours"),
                  "policy_version": ticket.sla.policy_version}
        return HistoryEntry(id=new_id(), ticket_id=ticket.id, project_id=ticket.project_id, event=event,
                            timestamp=now, changed_by=SYSTEM_ACTOR, changes={"sla": {"old": None, "new": change}},
                            ticket=public_view(ticket))
