"""The storage contract of the concerns beside the ticket itself, held by moto, DynamoDB Local and
the in-memory repositories alike: markers fire once, comments page in order with their entries,
counters add up, policy versions follow one another, people's writes go together, views hold
their limits, deliveries are claimed, leased and retried once."""
import time
from dataclasses import replace

import pytest

from chalicelib.adapters.dynamodb import models
from chalicelib.adapters.dynamodb.comments import to_comment_item
from chalicelib.domain import comments as commenting
from chalicelib.domain import sla as slas
from chalicelib.domain.attempts import Window
from chalicelib.domain.clock import new_id
from chalicelib.domain.idempotency import CommentMark, StoredResponse
from chalicelib.domain.people import ApiKey, Member, Project, Team
from chalicelib.domain.sla import StoredPolicy
from chalicelib.domain.tickets import StaleTicket
from chalicelib.domain.views import ScopeFull, View
from chalicelib.domain.webhooks import Delivery
from chalicelib.errors import Conflict, NotFound
from tests.contract.test_repositories import entry, make_ticket

NOW = "2026-06-01T00:00:00.000Z"


# ---- markers ---------------------------------------------------------------------------------

def test_an_overdue_marker_fires_once_and_only_for_the_due_date_read(repo, project_id):
    ticket = make_ticket(project_id, 1, due_date="2026-02-01T00:00:00.000Z")
    moved = make_ticket(project_id, 2, due_date="2026-02-01T00:00:00.000Z")
    for t in (ticket, moved):
        repo.create(t, entry(t))
    repo.update(moved, replace(moved, due_date="2027-01-01T00:00:00.000Z"), entry(moved, "TICKET_UPDATED", 1))
    due = {ticket_id: due_date for ticket_id, due_date in repo.overdue(NOW)}
    assert due.get(ticket.id) == ticket.due_date and moved.id not in due
    with pytest.raises(Conflict):
        repo.fire_overdue(moved, entry(moved, "TICKET_OVERDUE", 2))  # its due date changed since
    repo.fire_overdue(ticket, entry(ticket, "TICKET_OVERDUE", 1))
    assert ticket.id not in dict(repo.overdue(NOW))
    with pytest.raises(Conflict):
        repo.fire_overdue(ticket, entry(ticket, "TICKET_OVERDUE", 2))
    assert [e.event for e in repo.history(ticket.id, None, 10, None)[0]] == ["TICKET_OVERDUE", "TICKET_CREATED"]


def test_an_sla_marker_fires_each_moment_once_and_moves_on(repo, project_id):
    marks = (slas.Mark("acknowledge", "2026-03-01T00:00:00.000Z", "2026-03-02T00:00:00.000Z"),)
    ticket = make_ticket(project_id, 1, sla=slas.Clock(policy_version=1, marks=marks))
    repo.create(ticket, entry(ticket))

    def marker(now):
        return next((m for m in repo.sla_markers_due(now) if m.ticket_id == ticket.id), None)

    assert marker("2026-02-28T00:00:00.000Z") is None
    at_risk = marker(NOW)
    assert (at_risk.target, at_risk.at_risk_fired, at_risk.breached_fired) == ("acknowledge", None, None)
    repo.fire_sla(ticket, at_risk, "at_risk_fired", marks[0].due_at, entry(ticket, "SLA_AT_RISK", 1))
    with pytest.raises(Conflict):
        repo.fire_sla(ticket, at_risk, "at_risk_fired", marks[0].due_at, entry(ticket, "SLA_AT_RISK", 2))
    assert marker("2026-03-01T12:00:00.000Z") is None  # next due at its due time
    breach = marker(NOW)
    assert breach.at_risk_fired == entry(ticket, "SLA_AT_RISK", 1).timestamp and breach.due_key != at_risk.due_key
    repo.move_sla_marker(ticket, at_risk, None)  # read before it moved: nothing happens
    assert marker(NOW) == breach
    repo.fire_sla(ticket, breach, "breached_fired", None, entry(ticket, "SLA_BREACHED", 3))
    assert marker(NOW) is None
    events = [e.event for e in repo.history(ticket.id, None, 10, None)[0]]
    assert events == ["SLA_BREACHED", "SLA_AT_RISK", "TICKET_CREATED"]


def test_an_sla_marker_fires_only_on_the_ticket_version_read(repo, project_id):
    marks = (slas.Mark("resolve", "2026-03-01T00:00:00.000Z", "2026-03-02T00:00:00.000Z"),)
    ticket = make_ticket(project_id, 1, sla=slas.Clock(policy_version=1, marks=marks))
    repo.create(ticket, entry(ticket))
    repo.update(ticket, replace(ticket, title="changed"), entry(ticket, "TICKET_UPDATED", 1))
    marker = next(m for m in repo.sla_markers_due(NOW) if m.ticket_id == ticket.id)
    with pytest.raises(Conflict):
        repo.fire_sla(ticket, marker, "at_risk_fired", None, entry(ticket, "SLA_AT_RISK", 2))
    assert next(m for m in repo.sla_markers_due(NOW) if m.ticket_id == ticket.id) == marker


# ---- idempotency and history -----------------------------------------------------------------

def test_the_first_stored_response_is_kept(repo, project_id):
    expires = int(time.time()) + 60
    first = StoredResponse(f"IDEM#{project_id}#u1#k", "hash", 200, {"n": 1}, expires)
    repo.store_response(first)
    repo.store_response(replace(first, body={"n": 2}))
    assert repo.stored_response(first.scope) == first
    assert repo.stored_response(f"IDEM#{project_id}#u1#other") is None


# ---- comments --------------------------------------------------------------------------------

def said(ticket, n: int, text: str):
    return replace(entry(ticket, "COMMENT_ADDED", n), comment=text, changed_by=f"u{n}")


def every_comment(repo, ticket_id: str, limit: int) -> list:
    found, after = [], None
    while True:
        page, after = repo.comment_page(ticket_id, after, limit)
        assert len(page) <= limit
        found += page
        if after is None:
            return found


def test_comments_page_oldest_first_with_those_only_their_entry_records(repo, project_id):
    ticket = make_ticket(project_id, 1)
    repo.create(ticket, entry(ticket))
    repo.append_history(ticket, said(ticket, 1, "stored as its entry only"))
    repo.add_comment(ticket, said(ticket, 2, "alone"))
    changed = replace(ticket, title="changed", version=2)
    repo.update(ticket, changed, entry(ticket, "TICKET_UPDATED", 3), comment=said(ticket, 3, "with a change"))
    repo.append_history(changed, said(ticket, 4, "an entry only, again"))
    repo.add_comment(changed, said(ticket, 5, "the last"))

    expected = ["stored as its entry only", "alone", "with a change", "an entry only, again", "the last"]
    for limit in (1, 2, 5, 50):
        comments = every_comment(repo, ticket.id, limit)
        assert [c.body for c in comments] == expected, limit
    first = comments[0]
    assert (first.ticket_id, first.project_id, first.author, first.created_at) == (
        ticket.id, project_id, "u1", entry(ticket, "COMMENT_ADDED", 1).timestamp)
    assert [c.id for c in comments] == [e.id for e in reversed(repo.history(ticket.id, "COMMENT_ADDED", 10, None)[0])]
    assert repo.comment_page(make_ticket(project_id, 2).id, None, 10) == ([], None)


def test_a_comment_goes_with_its_entry_or_not_at_all(repo, project_id):
    ticket = make_ticket(project_id, 1)
    repo.create(ticket, entry(ticket))
    mark = CommentMark(f"BULK#{new_id()}#{ticket.id}", int(time.time()) + 3600)
    repo.add_comment(ticket, said(ticket, 1, "once"), mark=mark)
    with pytest.raises(StaleTicket):
        repo.add_comment(ticket, said(ticket, 2, "twice"), mark=mark)  # the mark is taken
    repo.delete(ticket, entry(ticket, "TICKET_DELETED", 3))
    with pytest.raises(StaleTicket):
        repo.add_comment(ticket, said(ticket, 4, "too late"))
    assert [c.body for c in repo.comment_page(ticket.id, None, 10)[0]] == ["once"]
    assert [e.comment for e in repo.history(ticket.id, "COMMENT_ADDED", 10, None)[0]] == ["once"]


def edit_entry(ticket, comment, n: int, text: str):
    return replace(entry(ticket, "COMMENT_UPDATED", n), comment=text, comment_id=comment.id,
                   changes={"comment": {"old": comment.body, "new": text}}, about_comment=commenting.about(comment))


def test_a_comment_is_edited_once_per_version_read_with_its_entry(repo, project_id):
    ticket = make_ticket(project_id, 1)
    repo.create(ticket, entry(ticket))
    repo.append_history(ticket, said(ticket, 1, "an entry only"))
    repo.add_comment(ticket, said(ticket, 2, "stored"))
    legacy, stored = every_comment(repo, ticket.id, 10)
    for n, comment in ((3, legacy), (5, stored)):
        change = edit_entry(ticket, comment, n, comment.body + ", edited")
        edited = commenting.edited(comment, change.comment, change)
        repo.edit_comment(ticket, comment, edited, change)
        with pytest.raises(StaleTicket):  # a second edit of the version read: nothing written
            other = edit_entry(ticket, comment, n + 1, "lost")
            repo.edit_comment(ticket, comment, commenting.edited(comment, "lost", other), other)
        assert repo.comment(ticket.id, comment.id) == edited
    assert [(c.body, c.version, [r.body for r in c.revisions]) for c in every_comment(repo, ticket.id, 1)] == [
        ("an entry only, edited", 1, ["an entry only"]), ("stored, edited", 1, ["stored"])]
    events = [(e.event, e.comment_id) for e in repo.history(ticket.id, None, 10, None)[0]]
    assert events[:2] == [("COMMENT_UPDATED", stored.id), ("COMMENT_UPDATED", legacy.id)]
    assert repo.comment(ticket.id, "nosuchcomment") is None
    assert list(repo.every_comment(ticket.id)) == every_comment(repo, ticket.id, 10)


def test_a_deletion_scrubs_the_text_from_every_entry_at_once(repo, project_id, backend):
    # The most edits a comment has (a transaction of 54 actions) where DynamoDB decides; a few elsewhere.
    edits = commenting.MAX_COMMENT_REVISIONS if backend == "dynamodb_local" else 3
    ticket = make_ticket(project_id, 1)
    repo.create(ticket, entry(ticket))
    repo.append_history(ticket, said(ticket, 1, "legacy hunter1"))  # an entry only, never edited
    repo.add_comment(ticket, said(ticket, 2, "hunter2"))
    legacy, comment = every_comment(repo, ticket.id, 10)
    for n in range(edits):
        change = replace(edit_entry(ticket, comment, 0, f"hunter{n + 3}"),
                         timestamp=f"2026-01-01T00:02:{n:02d}.000Z")
        edited = commenting.edited(comment, change.comment, change)
        repo.edit_comment(ticket, comment, edited, change)
        comment = edited
    gone = replace(entry(ticket, "COMMENT_DELETED", 9), timestamp="2026-01-01T00:03:00.000Z",
                   comment_id=comment.id, about_comment=commenting.about(comment))
    stale = repo.comment(ticket.id, comment.id)
    with pytest.raises(StaleTicket):  # read before the last edit
        before_last = replace(stale, version=stale.version - 1, edit_entries=stale.edit_entries[:-1])
        repo.delete_comment(ticket, before_last, commenting.deleted(before_last, gone), gone)
    assert "hunter" in repr(repo.history(ticket.id, None, 100, None)[0])
    repo.delete_comment(ticket, comment, commenting.deleted(comment, gone), gone)
    placeholder = repo.comment(ticket.id, comment.id)
    assert (placeholder.body, placeholder.revisions, placeholder.deleted_at, placeholder.deleted_by) == (
        "", (), gone.timestamp, "u1")
    legacy_gone = replace(gone, id=new_id(), comment_id=legacy.id, timestamp="2026-01-01T00:03:01.000Z")
    repo.delete_comment(ticket, legacy, commenting.deleted(legacy, legacy_gone), legacy_gone)
    entries = repo.history(ticket.id, None, 100, None)[0]
    assert [e.event for e in entries] == (["COMMENT_DELETED"] * 2 + ["COMMENT_UPDATED"] * edits
                                          + ["COMMENT_ADDED"] * 2 + ["TICKET_CREATED"])
    assert "hunter" not in repr(entries) + repr(every_comment(repo, ticket.id, 10))
    assert [c.deleted_at for c in every_comment(repo, ticket.id, 10)] == [legacy_gone.timestamp, gone.timestamp]
    with pytest.raises(StaleTicket):  # deleted: no edit nor deletion holds any more
        repo.delete_comment(ticket, comment, commenting.deleted(comment, gone), replace(gone, id=new_id()))


def test_an_edit_too_large_for_one_item_is_refused_before_anything_is_written(repo, project_id):
    """DynamoDB takes items of up to 400 KB: every edit the check lets through is written, the
    first it refuses writes nothing (rather than failing in the transaction, a 500)."""
    ticket = make_ticket(project_id, 1)
    repo.create(ticket, entry(ticket))
    repo.add_comment(ticket, said(ticket, 1, "a" * 60_000))
    [comment] = every_comment(repo, ticket.id, 10)
    for n in range(2, 20):
        change = edit_entry(ticket, comment, n, chr(ord("a") + n) * 60_000)
        edited = commenting.edited(comment, change.comment, change)
        try:
            repo.edit_comment(ticket, comment, edited, change)
        except commenting.CommentTooLarge:
            break
        comment = edited
    assert comment.version >= 4 and models.item_bytes(to_comment_item(comment)) > models.MAX_ITEM_BYTES - 70_000
    assert repo.comment(ticket.id, comment.id) == comment
    updates = [e for e in repo.history(ticket.id, None, 30, None)[0] if e.event == "COMMENT_UPDATED"]
    assert len(updates) == comment.version
    # Text outside ASCII is stored escaped in JSON attributes (12 bytes for an emoji): counted so.
    change = edit_entry(ticket, comment, 30, "\U0001f600" * 30_000)
    with pytest.raises(commenting.CommentTooLarge):
        repo.edit_comment(ticket, comment, commenting.edited(comment, change.comment, change), change)


def test_a_comment_of_a_deleted_ticket_is_neither_edited_nor_deleted(repo, project_id):
    ticket = make_ticket(project_id, 1)
    repo.create(ticket, entry(ticket))
    repo.add_comment(ticket, said(ticket, 1, "words"))
    [comment] = every_comment(repo, ticket.id, 10)
    repo.delete(ticket, entry(ticket, "TICKET_DELETED", 2))
    change = edit_entry(ticket, comment, 3, "more words")
    with pytest.raises(StaleTicket):
        repo.edit_comment(ticket, comment, commenting.edited(comment, "more words", change), change)
    gone = replace(entry(ticket, "COMMENT_DELETED", 4), comment_id=comment.id)
    with pytest.raises(StaleTicket):
        repo.delete_comment(ticket, comment, commenting.deleted(comment, gone), gone)
    assert repo.comment(ticket.id, comment.id) == comment


# ---- counts ----------------------------------------------------------------------------------

def test_counts_add_up_per_partition_and_day(directory, project_id):
    # (Whether a retried batch's token is ignored is DynamoDB's own doing, which moto does not do.)
    deltas = {(project_id, "status_idx", f"{project_id}#new"): 2, (project_id, "tag_idx", f"{project_id}#db"): 1}
    reports = {(project_id, "2026-01-01", "high"): {"created": 1}}
    directory.add_to_partition_counts_once(deltas, [new_id()], reports)
    assert directory.tickets_counted(project_id, [(("status_idx", "new"),), (("tag_idx", "db"), ("status_idx", "new")),
                                                  (("status_idx", "closed"),)]) == [2, 3, 0]
    assert directory.index_sizes(project_id, {"status": ("new", "acknowledged"), "tags": ("db",)}) == {
        "status": 2, "tags": 1}
    assert directory.report_days(project_id, "2026-01-01", "2026-01-02") == {("2026-01-01", "high"): {"created": 1}}
    assert directory.report_days(project_id, "2026-01-02", "2026-01-03") == {}
    # A report reads every day from its first on, to the last a date can name.
    assert directory.report_days(project_id, "2025-12-31", "9999-12-31") == {("2026-01-01", "high"): {"created": 1}}


def test_wrong_keys_count_per_subject_and_window(directory):
    subject = f"source:{new_id()}"
    window = Window(start=1_800_000_000)
    assert [directory.count_wrong_key(subject, window) for _ in range(2)] == [1, 2]
    assert directory.count_wrong_key(subject, Window(start=window.end)) == 1


# ---- projects and people ---------------------------------------------------------------------

def _project(directory):
    project = Project(id=new_id(), name="Ops", key="OPS", created_at="2026-01-01T00:00:00.000Z")
    admin = Member(user_id=new_id(), email=f"{new_id()}@example.com", name="A", role="admin",
                   created_at=project.created_at)
    key = ApiKey(id=new_id(12), name="k", role="admin", user_id=admin.user_id, automation=False,
                 created_at=project.created_at, secret_hash="h")
    directory.create_project(project, admin, key)
    return project, admin, key


def test_sla_policy_versions_follow_one_another(directory):
    project, admin, _ = _project(directory)
    directory.add_sla_policy(project.id, 1, {"targets": {}}, "2026-01-01T00:00:00.000Z", admin.user_id)
    for version in (1, 3):
        with pytest.raises(Conflict):
            directory.add_sla_policy(project.id, version, {}, "2026-01-02T00:00:00.000Z", admin.user_id)
    directory.add_sla_policy(project.id, 2, {"targets": {"a": 1}}, "2026-01-03T00:00:00.000Z", admin.user_id)
    assert directory.sla_policy(project.id, 1) == StoredPolicy(1, {"targets": {}}, "2026-01-01T00:00:00.000Z",
                                                              admin.user_id)
    assert directory.sla_policy(project.id, 3) is None
    assert directory.key_and_project(project.id, "none")[1].sla_policy_version == 2


def test_removing_a_member_revokes_their_keys_and_team_places(directory):
    project, admin, _ = _project(directory)
    member = Member(user_id=new_id(), email=f"{new_id()}@example.com", name="M", role="member",
                    created_at=project.created_at)
    directory.add_member(project.id, member)
    key = ApiKey(id=new_id(12), name="m", role="member", user_id=member.user_id, automation=False,
                 created_at=project.created_at, secret_hash="h")
    directory.add_api_key(project.id, key, member)
    team = Team(id=new_id(), name="DBAs", email=None, members=(admin.user_id, member.user_id),
                created_at=project.created_at)
    directory.save_team(project.id, team, new=True)
    directory.remove_member(project.id, member, [key], [team])
    assert directory.member(project.id, member.user_id) is None and directory.api_key(project.id, key.id) is None
    assert directory.team(project.id, team.id).members == (admin.user_id,)
    directory.add_member(project.id, replace(member, user_id=new_id()))  # the email is free again


def test_a_members_key_is_added_only_while_the_role_read_holds(directory):
    project, admin, _ = _project(directory)
    directory.update_member(project.id, admin, replace(admin, role="viewer"), [])
    key = ApiKey(id=new_id(12), name="late", role="admin", user_id=admin.user_id, automation=False,
                 created_at=project.created_at, secret_hash="h")
    with pytest.raises(Conflict):
        directory.add_api_key(project.id, key, admin)
    assert directory.api_key(project.id, key.id) is None
    with pytest.raises(Conflict):
        directory.update_member(project.id, admin, replace(admin, name="stale"), [])  # read as admin


# ---- views -----------------------------------------------------------------------------------

def _view(kind: str, owner: str, n: int) -> View:
    return View(id=new_id(), name=f"v{n}", query="status=new", kind=kind, owner=owner,
                created_at=f"2026-01-01T00:00:0{n}.000Z", updated_at=f"2026-01-01T00:00:0{n}.000Z")


def test_views_hold_their_scopes_limit_and_personal_ones_stay_their_owners(storage, project_id):
    views = storage.views
    shared = [_view("shared", "u1", n) for n in range(3)]
    views.add(project_id, shared[0], 2)
    views.add(project_id, shared[1], 2)
    with pytest.raises(ScopeFull):
        views.add(project_id, shared[2], 2)
    mine = _view("personal", "u1", 4)
    views.add(project_id, mine, 2)
    assert views.find(project_id, mine.id, "u1") == mine and views.find(project_id, mine.id, "u2") is None
    assert {v.id for v in views.views(project_id, "u2")} == {shared[0].id, shared[1].id}
    assert {v.id for v in views.views(project_id, "u1")} == {shared[0].id, shared[1].id, mine.id}
    views.rename(project_id, replace(shared[0], name="renamed"))
    assert views.find(project_id, shared[0].id, None).name == "renamed"
    views.remove(project_id, shared[1])
    with pytest.raises(NotFound):
        views.remove(project_id, shared[1])
    views.add(project_id, shared[2], 2)  # its place was freed
    with pytest.raises(NotFound):
        views.rename(project_id, replace(shared[1], name="gone"))


# ---- webhook deliveries ----------------------------------------------------------------------

def _delivery(subscription_id: str, n: int, **fields) -> Delivery:
    return Delivery(id=new_id(), subscription_id=subscription_id, project_id="p", event_id=new_id(),
                    event_type="ticket.created", body="{}", created_at=f"2026-01-01T00:00:0{n}.000Z", **fields)


def test_a_delivery_is_claimed_once_and_leased_to_one_sender(storage):
    webhooks = storage.webhooks
    delivery = _delivery(new_id(), 1)
    assert webhooks.claim(delivery) and not webhooks.claim(delivery)
    assert webhooks.lease(delivery, 1000.0, 30, holder="m1")
    assert not webhooks.lease(delivery, 1010.0, 30, holder="m2")
    assert webhooks.lease(delivery, 1010.0, 30, holder="m1")  # its own retry
    assert webhooks.lease(delivery, 1041.0, 30, holder="m2")  # expired
    webhooks.save_delivery(replace(delivery, state="succeeded"), wait_in_index=False)
    assert not webhooks.lease(delivery, 2000.0, 30, holder="m3")
    assert webhooks.delivery(delivery.subscription_id, delivery.id).state == "succeeded"


def test_deliveries_page_newest_first_and_retries_are_released_once(storage):
    webhooks = storage.webhooks
    subscription_id = new_id()
    deliveries = [_delivery(subscription_id, n) for n in range(5)]
    for delivery in deliveries:
        webhooks.claim(delivery)
    seen, after = [], None
    while True:
        page, after = webhooks.deliveries(subscription_id, 2, after)
        seen += [d.id for d in page]
        if after is None:
            break
    assert seen == [d.id for d in reversed(deliveries)]
    waiting = replace(deliveries[0], next_attempt_at="2026-01-01T01:00:00.000Z")
    webhooks.save_delivery(waiting, wait_in_index=True)
    mine = [d for d in webhooks.due_retries("2026-01-01T02:00:00.000Z") if d.subscription_id == subscription_id]
    assert [d.id for d in mine] == [waiting.id]
    assert not [d for d in webhooks.due_retries("2026-01-01T00:30:00.000Z") if d.subscription_id == subscription_id]
    assert webhooks.release_retry(waiting) and not webhooks.release_retry(waiting)
    assert not [d for d in webhooks.due_retries("2026-01-01T02:00:00.000Z") if d.subscription_id == subscription_id]


def test_a_member_written_from_a_stale_read_is_refused_not_merged_over(directory):
    """Two changes of one member read at the same moment: the second would write back what the
    first changed (a member is written whole), so it is refused and read again by its caller."""
    from tests.contract.test_accounts import a_member, a_project, an_account

    account = an_account()
    project, _ = a_project(directory, account)
    member = a_member(None, role="member")
    directory.add_member(project.id, member)
    first, second = directory.member(project.id, member.user_id), directory.member(project.id, member.user_id)
    hourly = first.notification_delivery.merged({"comment_added": "hourly"})
    directory.update_member(project.id, first, replace(first, notification_delivery=hourly), [])
    with pytest.raises(Conflict):
        directory.update_member(project.id, second, replace(second, name="Renamed"), [])
    stored = directory.member(project.id, member.user_id)
    assert (stored.name, stored.notification_delivery.hourly("comment_added")) == (member.name, True)
    directory.update_member(project.id, stored, replace(stored, name="Renamed"), [])
    assert directory.member(project.id, member.user_id).name == "Renamed"
