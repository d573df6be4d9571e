"""The inbox storage contract, held by moto, DynamoDB Local and memory alike: an entry is written on
the revision read, its project's unread count moves with its flag, an event is in an account's
inbox once, and pages run newest first over the projects asked for."""
from dataclasses import replace

import pytest

from chalicelib.domain import inbox as rules
from chalicelib.domain.clock import new_id
from chalicelib.domain.events import TicketEvent
from chalicelib.errors import Conflict
from tests.contract.test_accounts import a_project, an_account

EXPIRES = 2_000_000_000


def an_event(project_id: str, ticket_id: str, second: int, type_: str = "COMMENT_ADDED") -> TicketEvent:
    return TicketEvent(id=new_id(), type=type_, timestamp=f"2026-06-01T00:00:{second:02d}.000Z",
                       project_id=project_id, actor="u_someone",
                       ticket={"id": ticket_id, "key": "OPS-1", "title": "Disk full", "status": "new"})


def add(directory, account_id: str, event: TicketEvent, mentioned: bool = False):
    before = directory.inbox_entry(account_id, event.ticket["id"])
    directory.add_to_inbox(before, rules.fold(before, event, account_id, mentioned), event.id, EXPIRES)
    return directory.inbox_entry(account_id, event.ticket["id"])


@pytest.fixture
def member_of_two(directory):
    account = an_account()
    first, _ = a_project(directory, account)
    second, _ = a_project(directory, account, new=False)
    return account.id, first.id, second.id


def test_an_entry_is_added_once_per_event_and_counted_while_unread(directory, member_of_two):
    account_id, project_id, _ = member_of_two
    event = an_event(project_id, new_id(), 1)
    entry = add(directory, account_id, event)
    assert (entry.unread, entry.revision, entry.first_unread) == (True, 1, event.id)
    assert directory.inboxed(event.id) == {account_id}
    with pytest.raises(Conflict):  # the same event again: already in this inbox
        directory.add_to_inbox(entry, rules.fold(entry, event, account_id, False), event.id, EXPIRES)
    with pytest.raises(Conflict):  # an entry read earlier than its last write
        directory.add_to_inbox(None, rules.fold(None, an_event(project_id, entry.ticket_id, 2), account_id, False),
                               new_id(), EXPIRES)
    second = add(directory, account_id, an_event(project_id, entry.ticket_id, 3))
    assert (second.summary.comments, second.revision) == (2, 2)
    assert directory.inbox_counts(account_id)[0] == {project_id: 1}


def test_the_count_moves_only_when_the_flag_flips(directory, member_of_two):
    account_id, first, second = member_of_two
    entries = [add(directory, account_id, an_event(pid, new_id(), n)) for n, pid in enumerate((first, first, second))]
    assert directory.inbox_counts(account_id) == ({first: 2, second: 1}, {first, second})
    read = rules.read(entries[0], "2026-06-01T01:00:00.000Z")
    directory.save_inbox_entry(entries[0], read)
    with pytest.raises(Conflict):  # the revision read is gone
        directory.save_inbox_entry(entries[0], read)
    archived = directory.inbox_entry(account_id, entries[0].ticket_id)
    directory.save_inbox_entry(archived, rules.archived(archived, "2026-06-01T01:00:00.000Z"))
    directory.save_inbox_entry(entries[2], replace(entries[2], title="renamed"))
    assert directory.inbox_counts(account_id)[0] == {first: 1, second: 1}


def test_pages_run_newest_first_over_the_projects_asked_and_the_archive_apart(directory, member_of_two):
    account_id, first, second = member_of_two
    entries = [add(directory, account_id, an_event(first if n % 3 else second, new_id(), n)) for n in range(7)]
    archived = entries[1]
    directory.save_inbox_entry(archived, rules.archived(archived, "2026-06-01T01:00:00.000Z"))
    wanted = [e.ticket_id for e in reversed(entries) if e.project_id == first and e is not archived]
    seen, after = [], None
    while True:
        page, after = directory.inbox_page(account_id, False, {first}, 2, after)
        seen += [e.ticket_id for e in page]
        assert len(page) == 2 or after is None
        if after is None:
            break
    assert seen == wanted
    assert [e.ticket_id for e in directory.inbox_page(account_id, True, {first, second}, 10, None)[0]] == [
        archived.ticket_id]
    assert directory.inbox_page(an_account().id, False, {first}, 10, None) == ([], None)
