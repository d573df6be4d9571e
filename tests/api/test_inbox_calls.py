"""What an inbox costs DynamoDB, as docs/benchmarks.md states it (bench/inbox_cost.py measures it):
a page is one Query of the entries and one of the account's counts and memberships, the badge one
Query, and an event one read and one transaction per listener, a replay one read."""
from chalicelib.domain.clock import new_id
from chalicelib.domain.people import AccountPrincipal
from chalicelib.services.registry import services
from tests.aws_calls import RECORDER
from tests.contract.test_inbox import an_event
from tests.signed_in import sign_in
from tests.unit.test_inbox_rules import heard


def calls(action) -> list[str]:
    before = len(RECORDER.calls)
    action()
    return sorted(c.operation + (f" {c.params['IndexName']}" if "IndexName" in c.params else "")
                  for c in RECORDER.calls[before:])


def test_a_page_is_two_queries_the_badge_one_and_an_event_a_read_and_a_transaction_a_listener(api):
    browser = sign_in(api, "member")
    inbox = services().inbox
    accounts = {browser.user_id: browser.account.id}
    principal = AccountPrincipal(account_id=browser.account.id, session_id="s", sign_in_method="email_code")
    for _ in range(3):
        event = an_event(api.project_id, new_id(), 1)
        assert calls(lambda: inbox.record(event, [heard(browser.user_id)], accounts)) == [
            "GetItem", "GetItem", "TransactWriteItems"]
    assert calls(lambda: inbox.record(event, [heard(browser.user_id)], accounts)) == ["GetItem"]  # a replay
    assert calls(lambda: inbox.page(principal, False, None, 2)) == ["Query", "Query by_inbox"]
    cursor = inbox.page(principal, False, None, 2)["cursor"]
    assert calls(lambda: inbox.page(principal, False, cursor, 2)) == ["Query", "Query by_inbox"]
    assert calls(lambda: inbox.unread(principal)) == ["Query"]
    assert inbox.unread(principal) == {"unread": 3, "projects": {api.project_id: 3}}
