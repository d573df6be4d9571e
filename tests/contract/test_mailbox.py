"""The email channel's storage, alike on every backend: addresses belong to one project at a time,
contacts are upserted and acknowledged at most once a window, the mail log pages newest first,
and a received message's mark tickets it once."""
from dataclasses import replace

import pytest

from chalicelib.domain.clock import new_id
from chalicelib.domain.mailbox import (FOLLOW_UP, IGNORED, QUARANTINED, RELEASED, EmailSettings, MailLogEntry,
                                       ReceivedMark, log_entry_id)
from chalicelib.domain.tickets import StaleTicket
from chalicelib.errors import Conflict
from tests.contract.test_concerns import _project
from tests.contract.test_repositories import entry, make_ticket


def _address() -> str:
    return f"{new_id()}@mail.example.com"


def test_an_address_is_claimed_by_one_project_at_a_time(directory):
    first, _, _ = _project(directory)
    second, _, _ = _project(directory)
    address = _address()
    assert directory.claim_address(address, first.id) == first.id
    assert directory.claim_address(address, first.id) == first.id
    assert directory.claim_address(address, second.id) == first.id
    other = _address()
    assert directory.address_owners([address, other, address]) == {address: first.id}


def test_aliases_are_claimed_and_released_with_the_settings_or_not_at_all(directory):
    project, _, _ = _project(directory)
    rival, _, _ = _project(directory)
    kept, dropped, taken = _address(), _address(), _address()
    settings = EmailSettings(aliases=(kept, dropped), reply_to_closed=FOLLOW_UP, acknowledge=True,
                             acknowledgement="Got {key}")
    changed = directory.update_project(project.id, {"email": settings}, (kept, dropped), ())
    assert changed.email == settings
    assert directory.address_owners([kept, dropped]) == {kept: project.id, dropped: project.id}
    directory.claim_address(taken, rival.id)
    with pytest.raises(Conflict):
        directory.update_project(project.id, {"email": replace(settings, aliases=(kept, taken)), "name": "Renamed"},
                                 (taken,), (dropped,))
    after = directory.key_and_project(project.id, "none")[1]
    assert after.name == project.name and after.email == settings
    assert directory.address_owners([kept, dropped, taken]) == {kept: project.id, dropped: project.id,
                                                                taken: rival.id}
    directory.update_project(project.id, {"email": replace(settings, aliases=(kept,))}, (), (dropped,))
    assert directory.address_owners([kept, dropped]) == {kept: project.id}
    assert directory.key_and_project(project.id, "none")[1].email.aliases == (kept,)


def test_a_project_never_given_email_settings_has_the_defaults(directory):
    project, _, _ = _project(directory)
    assert directory.key_and_project(project.id, "none")[1].email == EmailSettings()


def test_contacts_are_upserted_and_listed_by_address(directory):
    project, _, _ = _project(directory)
    for email in ("c@example.com", "a@example.com", "b@example.com"):
        directory.save_contact_message(project.id, email, email[0].upper(), "2026-01-01T00:00:00.000Z")
    directory.save_contact_message(project.id, "a@example.com", "", "2026-01-02T00:00:00.000Z")
    directory.save_contact_message(project.id, "b@example.com", "Bea", "2026-01-03T00:00:00.000Z")
    a = directory.contact(project.id, "a@example.com")
    assert (a.name, a.created_at, a.last_message_at) == ("A", "2026-01-01T00:00:00.000Z", "2026-01-02T00:00:00.000Z")
    assert directory.contact(project.id, "b@example.com").name == "Bea"
    first, more = directory.contact_page(project.id, 2, None)
    assert [c.email for c in first] == ["a@example.com", "b@example.com"] and more == "b@example.com"
    rest, more = directory.contact_page(project.id, 2, more)
    assert [c.email for c in rest] == ["c@example.com"] and more is None
    assert directory.contact(project.id, "nobody@example.com") is None


def test_a_bounce_is_noted_only_on_a_known_contact(directory):
    project, _, _ = _project(directory)
    directory.save_contact_message(project.id, "a@example.com", "A", "2026-01-01T00:00:00.000Z")
    assert directory.record_bounce(project.id, "a@example.com", "2026-01-02T00:00:00.000Z", "5.1.1 no such user")
    assert not directory.record_bounce(project.id, "stranger@example.com", "2026-01-02T00:00:00.000Z", "5.1.1")
    a = directory.contact(project.id, "a@example.com")
    assert (a.bounced_at, a.bounce_reason) == ("2026-01-02T00:00:00.000Z", "5.1.1 no such user")
    assert directory.contact(project.id, "stranger@example.com") is None


def test_an_acknowledgement_is_claimed_once_a_window(directory):
    project, _, _ = _project(directory)
    directory.save_contact_message(project.id, "a@example.com", "A", "2026-01-01T00:00:00.000Z")
    assert directory.claim_acknowledgement(project.id, "a@example.com", "2026-01-01T10:00:00.000Z",
                                           "2026-01-01T09:00:00.000Z")
    assert not directory.claim_acknowledgement(project.id, "a@example.com", "2026-01-01T10:30:00.000Z",
                                               "2026-01-01T09:30:00.000Z")
    assert directory.claim_acknowledgement(project.id, "a@example.com", "2026-01-01T11:00:01.000Z",
                                           "2026-01-01T10:00:01.000Z")
    assert directory.contact(project.id, "a@example.com").acknowledged_at == "2026-01-01T11:00:01.000Z"
    assert not directory.claim_acknowledgement(project.id, "nobody@example.com", "2026-01-01T10:00:00.000Z",
                                               "2026-01-01T09:00:00.000Z")


def _log_entry(project_id: str | None, n: int, status: str = QUARANTINED) -> MailLogEntry:
    received_at = f"2026-01-01T00:00:{n:02d}.000Z"
    key = f"inbound/{new_id()}"
    return MailLogEntry(id=log_entry_id(received_at, key), project_id=project_id, key=key, sender="s@example.com",
                        subject=f"s{n}", status=status, reasons=("spam: FAIL",), received_at=received_at)


def test_the_mail_log_pages_newest_first_by_status(directory):
    project, _, _ = _project(directory)
    entries = [_log_entry(project.id, n, QUARANTINED if n % 2 else IGNORED) for n in range(1, 8)]
    for one in entries:
        directory.log_mail(one)
    directory.log_mail(entries[0])  # a delivery logged again is one entry
    seen, after = [], None
    while True:
        page, after = directory.mail_log_page(project.id, None, 3, after)
        seen += [e.subject for e in page]
        if after is None:
            break
    assert seen == [f"s{n}" for n in range(7, 0, -1)]
    quarantined, after = directory.mail_log_page(project.id, QUARANTINED, 2, None)
    rest, last = directory.mail_log_page(project.id, QUARANTINED, 2, after)
    assert [e.subject for e in quarantined + rest] == ["s7", "s5", "s3", "s1"] and last is None
    assert directory.mail_log_entry(project.id, entries[2].id) == entries[2]
    assert directory.mail_log_entry(None, entries[2].id) is None
    assert directory.mail_log_entry(project.id, "0" * 27) is None


def test_unrouted_mail_is_logged_apart_from_every_project(directory):
    project, _, _ = _project(directory)
    unrouted = _log_entry(None, 1, IGNORED)
    directory.log_mail(unrouted)
    assert directory.mail_log_entry(None, unrouted.id) == unrouted
    assert unrouted.id not in [e.id for e in directory.mail_log_page(project.id, None, 100, None)[0]]
    assert unrouted.id in [e.id for e in directory.mail_log_page(None, None, 100, None)[0]]
    directory.delete_mail_log_entry(unrouted)


def test_an_entry_is_released_once_and_deleted(directory):
    project, _, _ = _project(directory)
    quarantined, ignored = _log_entry(project.id, 1), _log_entry(project.id, 2, IGNORED)
    for one in (quarantined, ignored):
        directory.log_mail(one)
    directory.release_mail_log_entry(quarantined, "t1")
    assert directory.mail_log_entry(project.id, quarantined.id) == replace(quarantined, status=RELEASED,
                                                                           ticket_id="t1")
    for one in (quarantined, ignored):
        with pytest.raises(Conflict):
            directory.release_mail_log_entry(one, "t2")
    directory.delete_mail_log_entry(quarantined)
    assert directory.mail_log_entry(project.id, quarantined.id) is None
    with pytest.raises(Conflict):
        directory.release_mail_log_entry(quarantined, "t3")


def test_a_received_message_makes_one_ticket(repo, project_id):
    key = f"INMAIL#{project_id}#{new_id()}"
    ticket = make_ticket(project_id, 1)
    repo.create(ticket, entry(ticket), received=ReceivedMark(key, ticket.id, True))
    again = make_ticket(project_id, 2)
    with pytest.raises(StaleTicket):
        repo.create(again, entry(again), received=ReceivedMark(key, again.id, True))
    assert repo.get(again.id) is None and repo.ticket_id_for_number(project_id, 2) is None
    assert repo.received_mark(key) == ReceivedMark(key, ticket.id, True)
    assert repo.received_mark(f"INMAIL#{project_id}#{new_id()}") is None


def test_a_received_reply_makes_one_comment_with_or_without_a_change(repo, project_id):
    ticket = make_ticket(project_id, 1)
    repo.create(ticket, entry(ticket))
    key = f"INMAIL#{project_id}#{new_id()}"
    repo.add_comment(ticket, entry(ticket, "COMMENT_ADDED", 1), received=ReceivedMark(key, ticket.id, False))
    with pytest.raises(StaleTicket):
        repo.add_comment(ticket, entry(ticket, "COMMENT_ADDED", 2), received=ReceivedMark(key, ticket.id, False))
    reopened = replace(ticket, status="in_progress")
    with pytest.raises(StaleTicket):
        repo.update(ticket, reopened, entry(ticket, "TICKET_UPDATED", 3), comment=entry(ticket, "COMMENT_ADDED", 4),
                    received=ReceivedMark(key, ticket.id, False))
    assert repo.get(ticket.id).status == "new"
    other = f"INMAIL#{project_id}#{new_id()}"
    repo.update(ticket, reopened, entry(ticket, "TICKET_UPDATED", 5), comment=entry(ticket, "COMMENT_ADDED", 6),
                received=ReceivedMark(other, ticket.id, False))
    assert repo.get(ticket.id).status == "in_progress"
    assert [e.event for e in repo.history(ticket.id, None, 10, None)[0]].count("COMMENT_ADDED") == 2
