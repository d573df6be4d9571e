"""Who an event makes a watcher, and who hears about it (domain.watching): pure rules."""
from chalicelib.domain import watching
from chalicelib.domain.events import TicketEvent
from chalicelib.domain.people import Member, Team
from chalicelib.domain.watching import Listener, People, Subscription, Watcher

NOW = "2026-01-01T00:00:00.000Z"


def member(user_id: str, **fields) -> Member:
    base = dict(user_id=user_id, email=f"{user_id}@example.com", name=user_id.title(), role="member", created_at=NOW)
    return Member(**(base | fields))


ADA, BOB, CAT, DAN, EVE = member("ada"), member("bob"), member("cat"), member("dan"), member("eve", role="admin")
DBAS = Team(id="dbas", name="DBAs", email=None, members=("bob", "cat"), created_at=NOW)
SRE = Team(id="sre", name="SRE", email="sre@example.com", members=("dan",), created_at=NOW)
TEAMS = {"dbas": DBAS, "sre": SRE}
PEOPLE = People(members={m.user_id: m for m in (ADA, BOB, CAT, DAN, EVE)}, teams=TEAMS)


def event(type_: str, actor: str = "ada", changes=None, comment=None, **ticket) -> TicketEvent:
    snapshot = {"id": "t1", "key": "OPS-42", "project_id": "p1", "title": "Disk full", "status": "new",
                "created_at": NOW, "reporter": "ada", "assignee": "bob", "description": ""} | ticket
    if comment is not None:
        comment = {"id": "e1", "body": comment, "author": actor, "created_at": NOW}
    return TicketEvent(id="e1", type=type_, timestamp=NOW, project_id="p1", actor=actor, ticket=snapshot,
                       changes=changes or {}, comment=comment)


def watcher(ref: str, state: str = watching.WATCHING, reason: str = watching.SUBSCRIBED) -> Watcher:
    return Watcher("t1", "p1", ref, state, reason, "ada", NOW, f"{NOW}#t1")


def refs(subscriptions: list[Subscription]) -> dict[str, str]:
    return {s.ref: s.reason for s in subscriptions}


def heard(evt: TicketEvent, watchers: list[Watcher], people: People = PEOPLE) -> list[str]:
    return [listener.user_id or listener.address for listener in watching.audience(evt, watchers, people)]


class TestAutomaticSubscriptions:
    def test_a_new_ticket_makes_its_reporter_and_assignee_watchers(self):
        assert refs(watching.subscriptions(event("TICKET_CREATED"), TEAMS)) == {"ada": "reporter", "bob": "assignee"}

    def test_a_comment_makes_its_author_a_watcher(self):
        assert refs(watching.subscriptions(event("COMMENT_ADDED", actor="cat", comment="hi"), TEAMS)) == {
            "ada": "reporter", "bob": "assignee", "cat": "commenter"}

    def test_a_new_assignee_becomes_a_watcher(self):
        reassigned = event("TICKET_UPDATED", actor="dan", changes={"assignee": {"old": "bob", "new": "cat"}},
                           assignee="cat")
        assert refs(watching.subscriptions(reassigned, TEAMS))["cat"] == "assignee"

    def test_a_team_watches_through_its_address_or_else_its_members(self):
        assert "team:sre" in refs(watching.subscriptions(event("TICKET_CREATED", assignee="team:sre"), TEAMS))
        dbas = refs(watching.subscriptions(event("TICKET_CREATED", assignee="team:dbas"), TEAMS))
        assert dbas == {"ada": "reporter", "bob": "assignee", "cat": "assignee"}
        assert refs(watching.subscriptions(event("TICKET_CREATED", assignee="team:gone"), TEAMS)) == {"ada": "reporter"}

    def test_each_person_mentioned_becomes_a_watcher(self):
        evt = event("COMMENT_ADDED", actor="cat", comment="<@dan> and <@team:dbas>, see `<@eve>`")
        assert refs(watching.subscriptions(evt, TEAMS)) == {"ada": "reporter", "bob": "assignee", "cat": "commenter",
                                                            "dan": "mentioned"}
        described = event("TICKET_CREATED", description="for <@eve> and <@team:sre>")
        assert refs(watching.subscriptions(described, TEAMS)) == {
            "ada": "reporter", "bob": "assignee", "eve": "mentioned", "team:sre": "mentioned"}

    def test_an_edit_subscribes_only_whom_it_newly_mentions(self):
        changes = {"description": {"old": "<@dan>", "new": "<@dan> <@eve>"}}
        assert refs(watching.subscriptions(event("TICKET_UPDATED", changes=changes), TEAMS)) == {
            "ada": "reporter", "bob": "assignee", "eve": "mentioned"}

    def test_automations_and_the_system_never_watch(self):
        evt = event("COMMENT_ADDED", actor="automation:pager", comment="x", reporter="automation:pager",
                    assignee=None)
        assert watching.subscriptions(evt, TEAMS) == []
        assert "system" not in refs(watching.subscriptions(event("TICKET_OVERDUE", actor="system"), TEAMS))

    def test_a_deleted_ticket_makes_no_watcher(self):
        assert watching.subscriptions(event("TICKET_DELETED"), TEAMS) == []

    def test_an_unsubscribe_is_remembered(self):
        evt = event("COMMENT_ADDED", actor="cat", comment="<@bob>")
        existing = [watcher("bob", watching.UNSUBSCRIBED), watcher("ada", reason="reporter")]
        missing = watching.missing(evt, watching.subscriptions(evt, TEAMS), existing)
        assert [(w.watcher, w.reason, w.state, w.added_by) for w in missing] == [
            ("cat", "commenter", "watching", "cat")]
        assert missing[0].created_key == f"{NOW}#t1"


class TestAudience:
    def test_watchers_hear_but_never_the_actor(self):
        watchers = [watcher("ada"), watcher("bob"), watcher("cat")]
        assert heard(event("COMMENT_ADDED", actor="bob", comment="x"), watchers) == ["ada", "cat"]

    def test_unsubscribed_watchers_do_not_hear(self):
        assert heard(event("COMMENT_ADDED", actor="cat", comment="x"),
                     [watcher("ada", watching.UNSUBSCRIBED), watcher("bob")]) == ["bob"]

    def test_a_team_is_heard_at_its_address_or_by_its_members_but_the_actor(self):
        assert heard(event("COMMENT_ADDED", actor="dan", comment="x"), [watcher("team:sre")]) == ["sre@example.com"]
        assert heard(event("COMMENT_ADDED", actor="bob", comment="x"), [watcher("team:dbas")]) == ["cat"]

    def test_each_person_and_address_once(self):
        watchers = [watcher("bob"), watcher("team:dbas"), watcher("team:sre")]
        same_address = People(members=PEOPLE.members | {"dan": member("dan", email="sre@example.com")}, teams=TEAMS)
        assert heard(event("COMMENT_ADDED", actor="ada", comment="<@bob>"), watchers + [watcher("dan")],
                     same_address) == ["bob", "cat", "sre@example.com", "dan"]

    def test_admins_hear_of_a_breach(self):
        sla = {"sla": {"old": None, "new": {"target": "resolve", "state": "breached", "due_at": NOW}}}
        assert heard(event("SLA_BREACHED", actor="system", changes=sla), [watcher("bob")]) == ["bob", "eve"]
        assert heard(event("SLA_AT_RISK", actor="system", changes=sla), [watcher("bob")]) == ["bob"]

    def test_people_who_left_automations_and_gone_teams_are_skipped(self):
        assert heard(event("COMMENT_ADDED", actor="cat", comment="x"),
                     [watcher("gone"), watcher("automation:x"), watcher("team:gone")]) == []

    def test_the_mentioned_hear_under_the_mentioned_kind_even_when_they_stopped_watching(self):
        evt = event("COMMENT_ADDED", actor="cat", comment="<@ada> <@team:dbas> <@team:sre>")
        listeners = {l.user_id or l.address: l for l in watching.audience(
            evt, [watcher("ada", watching.UNSUBSCRIBED), watcher("dan")], PEOPLE)}
        assert list(listeners) == ["dan", "ada", "bob", "sre@example.com"]
        assert listeners["dan"] == Listener("dan", "dan@example.com", "Dan", "subscribed", "comment_added", False)
        assert listeners["ada"] == Listener("ada", "ada@example.com", "Ada", "mentioned", "mentioned", True)
        assert (listeners["bob"].kind, listeners["bob"].team) == ("mentioned", "DBAs")
        assert listeners["sre@example.com"].mentioned

    def test_emailed_for_moving_events_and_mentions_only(self):
        listener = Listener("bob", "bob@example.com", "Bob", "assignee", "ticket_updated", False)
        retitled = event("TICKET_UPDATED", changes={"title": {"old": "a", "new": "b"}})
        assert not watching.emailed(retitled, listener)
        assert watching.emailed(event("TICKET_UPDATED", changes={"status": {"old": "new", "new": "closed"}}), listener)
        assert not watching.emailed(event("ATTACHMENT_ADDED"), listener)
        assert not watching.emailed(event("COMMENT_UPDATED"), listener)
        mentioned = Listener("bob", "bob@example.com", "Bob", "assignee", "mentioned", True)
        assert watching.emailed(retitled, mentioned)


def test_one_who_came_to_watch_after_an_event_hears_of_it_only_when_it_is_told_the_first_time():
    evt = event("TICKET_CREATED", actor="ada")
    later = Watcher("t1", "p1", "cat", watching.WATCHING, watching.COMMENTER, "cat", "2026-01-01T00:00:01.000Z",
                    f"{NOW}#t1")
    assert watching.came_later(evt, [watcher("bob"), later]) and not watching.came_later(evt, [watcher("bob")])
    assert heard(evt, [watcher("bob"), later]) == ["bob", "cat"]
    assert [l.user_id for l in watching.audience(evt, [watcher("bob"), later], PEOPLE, retelling=True)] == ["bob"]
