"""The storage contract, held by moto, DynamoDB Local and the in-memory repositories alike:
transactions, conditions, item collections, index merges and tombstones behave the same."""
import pytest

from chalicelib.domain import search
from chalicelib.domain.attachments import Additions, Attachment, AttachmentChanged, StoredObject
from chalicelib.domain.clock import new_id
from chalicelib.domain.idempotency import CommentMark, StoredResponse
from chalicelib.domain.people import ApiKey, Member, NotificationSettings, Project
from chalicelib.domain.tickets import HistoryEntry, StaleTicket, Ticket, public_view
from chalicelib.services import ports
from chalicelib.errors import Conflict

NOW = "2026-06-01T00:00:00.000Z"


def make_ticket(project_id: str, n: int, **fields) -> Ticket:
    created = f"2026-01-01T00:00:{n:02d}.000Z"
    base = dict(id=new_id(), project_id=project_id, number=n, key=f"OPS-{n}", title=f"t{n}", description="",
                status="new", severity="high", created_at=created, updated_at=created, reporter="u1",
                assignee="u1", source="api", tags=(), version=1)
    return Ticket(**(base | fields))


def entry(ticket: Ticket, event: str = "TICKET_CREATED", n: int = 0) -> HistoryEntry:
    # With the ticket's snapshot, as every entry the app writes: the stream's consumers read it, and on
    # DynamoDB Local these entries reach the stream that later tests pump.
    return HistoryEntry(id=new_id(), ticket_id=ticket.id, project_id=ticket.project_id, event=event,
                        timestamp=f"2026-01-01T00:01:{n:02d}.000Z", changed_by="u1", ticket=public_view(ticket))


def test_create_then_read_back(repo, project_id):
    ticket = make_ticket(project_id, 1, tags=("db", "prod"))
    repo.create(ticket, entry(ticket))
    assert repo.get(ticket.id) == ticket
    detail = repo.detail(ticket.id)
    assert detail.ticket == ticket and [h.event for h in detail.history] == ["TICKET_CREATED"]


def test_update_with_stale_version_changes_nothing(repo, project_id):
    ticket = make_ticket(project_id, 1)
    repo.create(ticket, entry(ticket))
    from dataclasses import replace
    repo.update(ticket, replace(ticket, title="first"), entry(ticket, "TICKET_UPDATED", 1))
    with pytest.raises(StaleTicket):
        repo.update(ticket, replace(ticket, title="second"), entry(ticket, "TICKET_UPDATED", 2))
    stored = repo.get(ticket.id)
    assert stored.title == "first" and stored.version == 2
    assert len(repo.history(ticket.id, None, 10, None)[0]) == 2


def test_history_pages_newest_first(repo, project_id):
    ticket = make_ticket(project_id, 1)
    repo.create(ticket, entry(ticket))
    for n in range(1, 6):
        repo.append_history(ticket, entry(ticket, "COMMENT_ADDED", n))
    seen, after = [], None
    while True:
        page, after = repo.history(ticket.id, "COMMENT_ADDED", 2, after)
        seen += [e.timestamp for e in page]
        if after is None:
            break
    assert seen == sorted(seen, reverse=True) and len(seen) == 5


def test_search_merges_partitions_in_order_without_repeats(repo, project_id):
    tickets = []
    for n, (status, tags) in enumerate([("new", ("a",)), ("acknowledged", ("a", "b")), ("closed", ("b",)),
                                         ("new", ("b", "a")), ("acknowledged", ())], start=1):
        ticket = make_ticket(project_id, n, status=status, tags=tags)
        repo.create(ticket, entry(ticket))
        tickets.append(ticket)

    def run(query, limit=10):
        return [t.number for t in repo.search(project_id, search.plan(query, now=NOW), query, NOW, limit).tickets]

    assert run(search.TicketQuery(status=("new", "acknowledged"))) == [5, 4, 2, 1]
    assert run(search.TicketQuery(tags=("a", "b"))) == [4, 3, 2, 1]
    assert run(search.TicketQuery(tags=("a",), status=("acknowledged",))) == [2]
    assert run(search.TicketQuery(created_after=tickets[1].created_at, created_before=tickets[3].created_at)) == [3, 2]
    assert run(search.TicketQuery(sort="-created", status=("new", "acknowledged"))) == [1, 2, 4, 5]
    assert run(search.TicketQuery(sort="updated")) == [5, 4, 3, 2, 1]
    first = repo.search(project_id, search.plan(search.TicketQuery()), search.TicketQuery(), NOW, 2)
    assert [t.number for t in first.tickets] == [5, 4] and first.resume_after == tickets[3].sort_key
    rest = search.plan(search.TicketQuery(sort="-created")).after(tickets[1].sort_key)
    assert [t.number for t in repo.search(project_id, rest, search.TicketQuery(sort="-created"), NOW, 10).tickets] == [3, 4, 5]


def test_term_index_finds_a_ticket_by_the_start_of_its_words(repo, project_id):
    ticket = make_ticket(project_id, 1)
    repo.create(ticket, entry(ticket))
    repo.change_terms(project_id, ticket.id, ticket.sort_key, add={"d", "di", "dis", "disk"}, remove=set())
    assert repo.indexed_prefixes(ticket.id) == {"d", "di", "dis", "disk"}
    query = search.TicketQuery(words=("dis",))
    found = repo.search(project_id, search.plan(query), query, NOW, 10)
    assert [t.id for t in found.tickets] == [ticket.id] and found.resume_after is None
    assert repo.add_comment_words(ticket.id, {"firmware"}) == {"firmware"}
    assert repo.add_comment_words(ticket.id, {"rollback"}) == {"firmware", "rollback"}
    repo.drop_terms(ticket.id)
    assert repo.indexed_prefixes(ticket.id) == set() and repo.comment_words([ticket.id]) == {}


def test_delete_leaves_a_tombstone_out_of_every_index(repo, project_id):
    ticket = make_ticket(project_id, 1, tags=("x",))
    repo.create(ticket, entry(ticket))
    repo.delete(ticket, entry(ticket, "TICKET_DELETED", 1))
    assert repo.get(ticket.id) is None
    assert repo.owner_project(ticket.id) == (project_id, True)
    for query in (search.TicketQuery(), search.TicketQuery(tags=("x",)), search.TicketQuery(status=("new",))):
        assert repo.search(project_id, search.plan(query), query, NOW, 10).tickets == []
    assert [e.event for e in repo.history(ticket.id, None, 10, None)[0]] == ["TICKET_DELETED", "TICKET_CREATED"]


def test_dedup_guard_is_claimed_once(repo, project_id):
    first = make_ticket(project_id, 1, dedup_key="k")
    repo.create(first, entry(first))
    assert repo.dedup_owner(project_id, "k") == first.id
    racer = make_ticket(project_id, 2, dedup_key="k")
    with pytest.raises(StaleTicket):
        repo.create(racer, entry(racer))
    assert repo.get(racer.id) is None
    successor = make_ticket(project_id, 3, dedup_key="k")
    repo.create(successor, entry(successor), dedup_previous=first.id)
    assert repo.dedup_owner(project_id, "k") == successor.id


def test_idempotency_record_is_claimed_once(repo, project_id):
    import time
    stored = StoredResponse(f"IDEM#{project_id}#u1#k", "hash", 201, {"id": "x"}, int(time.time()) + 60)
    first = make_ticket(project_id, 1)
    repo.create(first, entry(first), idempotency=stored)
    assert repo.stored_response(stored.scope) == stored
    second = make_ticket(project_id, 2)
    with pytest.raises(StaleTicket):
        repo.create(second, entry(second), idempotency=stored)
    assert repo.get(second.id) is None


def test_comment_on_a_deleted_ticket_is_refused(repo, project_id):
    ticket = make_ticket(project_id, 1)
    repo.create(ticket, entry(ticket))
    repo.delete(ticket, entry(ticket, "TICKET_DELETED", 1))
    with pytest.raises(StaleTicket):
        repo.append_history(ticket, entry(ticket, "COMMENT_ADDED", 2))


def test_notified_addresses_accumulate_per_event(repo):
    event_id = new_id()
    assert repo.notified(event_id) == frozenset()
    repo.record_notified(event_id, ["bob@example.com"], expires_at=2_000_000_000)
    repo.record_notified(event_id, ["bob@example.com", "cat@example.com"], expires_at=2_000_000_001)
    assert repo.notified(event_id) == {"bob@example.com", "cat@example.com"}
    assert repo.notified(new_id()) == frozenset()


class TestAttachments:
    @pytest.fixture
    def attachments(self, storage):
        return storage.attachments

    @pytest.fixture
    def ticket(self, repo, project_id):
        ticket = make_ticket(project_id, 1, tags=("a", "b"))
        repo.create(ticket, entry(ticket))
        return ticket

    @staticmethod
    def pending(ticket: Ticket, n: int = 0) -> Attachment:
        return Attachment(id=new_id(), ticket_id=ticket.id, project_id=ticket.project_id, file_name=f"f{n}.txt",
                          content_type="text/plain", size=n, status="pending", uploaded_by="u1",
                          created_at=f"2026-01-01T01:{n // 60:02d}:{n % 60:02d}.000Z", expires_at=2_000_000_000)

    @staticmethod
    def stored(attachment: Attachment) -> StoredObject:
        return StoredObject(attachment.size, attachment.content_type, version_id="v1", etag='"e1"')

    @staticmethod
    def add(attachments: ports.Attachments, attachment: Attachment) -> None:
        _, seen = attachments.ticket_for_upload(attachment.ticket_id)
        attachments.add_pending(attachment, seen)

    def test_confirmed_once_and_listed_in_the_detail_query(self, repo, attachments, ticket):
        first, second = self.pending(ticket, 1), self.pending(ticket, 2)
        for attachment in (first, second):
            self.add(attachments, attachment)
        attachments.mark_available(first, "2026-01-01T00:03:00.000Z", self.stored(first), entry(ticket, "ATTACHMENT_ADDED", 3))
        with pytest.raises(AttachmentChanged):
            attachments.mark_available(first, "2026-01-01T00:04:00.000Z", self.stored(first), entry(ticket, "ATTACHMENT_ADDED", 4))
        stored = attachments.get(ticket.id, first.id)
        assert (stored.status, stored.uploaded_at, stored.expires_at) == ("available", "2026-01-01T00:03:00.000Z", None)
        assert [a.id for a in attachments.for_ticket(ticket.id)] == [first.id, second.id]
        detail = repo.detail(ticket.id)
        assert [a.id for a in detail.attachments] == [first.id]
        assert [h.event for h in detail.history] == ["ATTACHMENT_ADDED", "TICKET_CREATED"]

    def test_adding_leaves_the_ticket_its_version_and_history(self, repo, attachments, ticket):
        for n in range(3):
            self.add(attachments, self.pending(ticket, n))
        assert repo.get(ticket.id) == ticket
        found, seen = attachments.ticket_for_upload(ticket.id)
        assert found == ticket and seen == Additions(version=1, count=3)
        assert [h.event for h in repo.history(ticket.id, None, 10, None)[0]] == ["TICKET_CREATED"]

    def test_of_two_additions_read_at_once_only_the_first_commits(self, attachments, ticket):
        _, seen = attachments.ticket_for_upload(ticket.id)
        first, second = self.pending(ticket, 1), self.pending(ticket, 2)
        attachments.add_pending(first, seen)
        with pytest.raises(AttachmentChanged):
            attachments.add_pending(second, seen)
        assert [a.id for a in attachments.for_ticket(ticket.id)] == [first.id]

    def test_a_ticket_update_since_the_read_fails_the_addition(self, repo, attachments, ticket):
        # The update rewrites the item without its count of additions: the count alone would look
        # as it did before any addition, so the version has to tell.
        from dataclasses import replace
        _, before_any = attachments.ticket_for_upload(ticket.id)
        self.add(attachments, self.pending(ticket, 1))
        repo.update(ticket, replace(ticket, title="changed"), entry(ticket, "TICKET_UPDATED", 1))
        with pytest.raises(AttachmentChanged):
            attachments.add_pending(self.pending(ticket, 2), before_any)
        _, seen = attachments.ticket_for_upload(ticket.id)
        assert seen == Additions(version=2, count=0)
        attachments.add_pending(self.pending(ticket, 3), seen)
        assert len(attachments.for_ticket(ticket.id)) == 2

    def test_nothing_is_written_on_a_deleted_ticket(self, repo, attachments, ticket):
        confirmed = self.pending(ticket, 1)
        self.add(attachments, confirmed)
        _, seen = attachments.ticket_for_upload(ticket.id)
        repo.delete(ticket, entry(ticket, "TICKET_DELETED", 1))
        assert attachments.for_ticket(ticket.id) == []
        assert attachments.ticket_for_upload(ticket.id) is None
        with pytest.raises(AttachmentChanged):
            attachments.add_pending(self.pending(ticket, 2), seen)
        assert attachments.for_ticket(ticket.id) == []
        assert repo.detail(ticket.id).deleted

    def test_no_ticket_is_made_by_an_addition(self, attachments, project_id):
        never_created = make_ticket(project_id, 2)
        with pytest.raises(AttachmentChanged):
            attachments.add_pending(self.pending(never_created, 1), Additions(version=1, count=0))
        assert attachments.ticket_for_upload(never_created.id) is None
        assert attachments.for_ticket(never_created.id) == []

    def test_removal_is_conditional_on_the_status_read(self, attachments, ticket):
        attachment = self.pending(ticket, 1)
        self.add(attachments, attachment)
        attachments.mark_available(attachment, "2026-01-01T00:03:00.000Z", self.stored(attachment), entry(ticket, "ATTACHMENT_ADDED", 3))
        with pytest.raises(AttachmentChanged):
            attachments.remove(attachment, None)  # read while pending; it has been confirmed since
        available = attachments.get(ticket.id, attachment.id)
        attachments.remove(available, entry(ticket, "ATTACHMENT_REMOVED", 4))
        assert attachments.get(ticket.id, attachment.id) is None

    def test_ticket_delete_drops_records_beyond_one_transaction(self, repo, attachments, ticket):
        for n in range(120):
            self.add(attachments, self.pending(ticket, n))
        repo.delete(ticket, entry(ticket, "TICKET_DELETED", 1))
        assert attachments.for_ticket(ticket.id) == []


class TestDirectory:
    @pytest.fixture
    def directory(self, storage):
        return storage.directory

    def _project(self, directory):
        project = Project(id=new_id(), name="Ops", key="OPS", created_at="2026-01-01T00:00:00.000Z")
        admin = Member(user_id=new_id(), email=f"{new_id()}@example.com", name="A", role="admin",
                       created_at=project.created_at)
        key = ApiKey(id=new_id(12), name="k", role="admin", user_id=admin.user_id, automation=False,
                     created_at=project.created_at, secret_hash="h")
        directory.create_project(project, admin, key)
        return project, admin, key

    def test_auth_lookup_returns_key_and_project(self, directory):
        project, admin, key = self._project(directory)
        found_key, found_project = directory.key_and_project(project.id, key.id)
        assert found_key == key and found_project.key == "OPS"
        assert directory.key_and_project(project.id, "missing") == (None, found_project)

    def test_counter_hands_out_a_sequence(self, directory):
        project, _, _ = self._project(directory)
        assert [directory.next_ticket_number(project.id) for _ in range(3)] == [1, 2, 3]

    def test_email_is_unique_per_project(self, directory):
        project, admin, _ = self._project(directory)
        twin = Member(user_id=new_id(), email=admin.email, name="B", role="member", created_at=admin.created_at)
        with pytest.raises(Conflict):
            directory.add_member(project.id, twin)

    def test_role_change_is_copied_to_keys(self, directory):
        project, admin, key = self._project(directory)
        from dataclasses import replace
        directory.update_member(project.id, admin, replace(admin, role="viewer"), [key])
        assert directory.api_key(project.id, key.id).role == "viewer"

    def test_notification_settings_round_trip(self, directory):
        project, admin, _ = self._project(directory)
        assert directory.member(project.id, admin.user_id).notifications == NotificationSettings()
        from dataclasses import replace
        quiet = replace(admin, notifications=NotificationSettings(comment_added=False))
        directory.update_member(project.id, admin, quiet, [])
        assert directory.member(project.id, admin.user_id).notifications.as_dict() == {
            "ticket_created": True, "ticket_updated": True, "comment_added": False, "ticket_overdue": True,
            "sla": True, "mentioned": True}
        assert directory.members(project.id) == [quiet]


def test_numbers_lead_to_their_tickets_deleted_or_not(repo, project_id):
    first, second = make_ticket(project_id, 1), make_ticket(project_id, 2)
    for ticket in (first, second):
        repo.create(ticket, entry(ticket))
    repo.delete(second, entry(second, "TICKET_DELETED", 1))
    assert repo.ticket_id_for_number(project_id, 1) == first.id
    assert repo.ticket_id_for_number(project_id, 2) == second.id
    assert repo.ticket_id_for_number(project_id, 3) is None
    assert repo.ticket_id_for_number(new_id(), 1) is None
    assert repo.ticket_ids_for_numbers(project_id, [1, 2, 3]) == {1: first.id, 2: second.id}
    assert repo.get_many([first.id, second.id, "nosuchticket"]) == {first.id: first}


def test_a_number_never_points_at_a_second_ticket(repo, project_id):
    ticket = make_ticket(project_id, 1)
    repo.create(ticket, entry(ticket))
    again = make_ticket(project_id, 1)
    with pytest.raises(StaleTicket):
        repo.create(again, entry(again))
    assert repo.ticket_id_for_number(project_id, 1) == ticket.id and repo.get(again.id) is None


def test_a_comment_mark_is_written_once(repo, project_id):
    import time
    from dataclasses import replace

    ticket = make_ticket(project_id, 1)
    repo.create(ticket, entry(ticket))
    mark = CommentMark(f"BULK#{new_id()}#{ticket.id}", int(time.time()) + 3600)
    assert repo.marked([mark], int(time.time())) == set()
    changed = replace(ticket, title="changed")
    repo.update(ticket, changed, entry(ticket, "TICKET_UPDATED", 1), comment=entry(ticket, "COMMENT_ADDED", 1),
                mark=mark)
    assert repo.marked([mark], int(time.time())) == {mark.pk}
    assert repo.marked([mark], mark.expires_at + 1) == set()
    with pytest.raises(StaleTicket):
        repo.append_history(changed, entry(ticket, "COMMENT_ADDED", 2), mark=mark)
    events = [e.event for e in repo.history(ticket.id, None, 10, None)[0]]
    assert sorted(events) == ["COMMENT_ADDED", "TICKET_CREATED", "TICKET_UPDATED"]
