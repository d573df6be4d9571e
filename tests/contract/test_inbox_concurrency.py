"""Unread counts stay exact when DynamoDB itself decides the races: many events (some delivered
twice at once, as a retried stream batch may) and mark read/unread calls on the same entries, all
at once, on DynamoDB Local."""
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from chalicelib.domain.clock import new_id
from tests.unit.test_inbox_rules import heard
from chalicelib.domain.people import AccountPrincipal
from chalicelib.errors import Conflict, NotFound
from chalicelib.services.inbox import InboxService
from tests.contract.test_accounts import a_project, an_account
from tests.contract.test_inbox import an_event

TICKETS = 4
EVENTS_PER_TICKET = 6
MARKS = 24
WORKERS = 16


@pytest.mark.parametrize("backend", ["dynamodb_local"], indirect=True)
def test_counts_equal_the_unread_entries_after_events_and_marks_race(directory):
    account = an_account()
    project, admin = a_project(directory, account)
    service = InboxService(directory, directory)
    listeners, accounts = [heard(admin.user_id)], {admin.user_id: account.id}
    principal = AccountPrincipal(account_id=account.id, session_id="s", sign_in_method="email")
    tickets = [new_id() for _ in range(TICKETS)]
    events = [an_event(project.id, ticket_id, n) for n in range(EVENTS_PER_TICKET) for ticket_id in tickets]
    go = threading.Event()

    def record(event):
        while True:  # as the stream retries a failed record
            try:
                return service.record(event, listeners, accounts)
            except Conflict:
                continue

    def mark(n):
        try:
            service.mark(principal, tickets[n % TICKETS], "read" if n % 3 else "unread")
        except (NotFound, Conflict):  # not there yet, or it kept changing: answered 404 or 409
            pass

    jobs = [lambda e=e: record(e) for e in events] + [lambda e=e: record(e) for e in events[::5]] + \
        [lambda n=n: mark(n) for n in range(MARKS)]
    jobs = jobs[::2] + jobs[1::2]

    def run(job):
        go.wait()
        return job()

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        futures = [pool.submit(run, job) for job in jobs]
        go.set()  # every thread starts at once
        for future in futures:
            future.result()

    entries = service.page(principal, False, None, 100)["data"]
    assert sorted(e["ticket_id"] for e in entries) == sorted(tickets)
    counts, _ = directory.inbox_counts(account.id)
    assert counts.get(project.id, 0) == sum(e["unread"] for e in entries)
    assert service.unread(principal)["unread"] == sum(e["unread"] for e in entries)
    assert all(directory.inboxed(event.id) == {account.id} for event in events)
    for ticket_id in tickets:  # every event counted once, into whichever summary it fell
        entry = directory.inbox_entry(account.id, ticket_id)
        assert entry.revision >= EVENTS_PER_TICKET
