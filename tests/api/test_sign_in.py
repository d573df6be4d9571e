"""Signing in by email on DynamoDB Local: asking a code for an address an account has and for one
none has makes the same AWS calls, in the same order, on the same kinds of items; and each step
makes the calls it claims (docs/benchmarks.md)."""
import pytest

from chalicelib import config
from chalicelib.domain.accounts import Account
from chalicelib.domain.clock import new_id, now_iso
from chalicelib.services.registry import services
from tests.aws_calls import RECORDER
from tests.signing_in import Browser, code_and_token


@pytest.fixture
def outbox(tmp_path, monkeypatch):
    monkeypatch.setenv(config.EMAIL_OUTBOX_DIR, str(tmp_path))
    return tmp_path


@pytest.fixture
def account(client) -> Account:
    account = Account(id=new_id(), email=f"{new_id()}@example.com", name="Ada", created_at=now_iso())
    services().directory.create_account(account)
    return account


def calls_of(request) -> list[tuple]:
    """The AWS calls a request made: service, operation, and for DynamoDB the tables and the kinds of
    item (key prefixes) each touched, without the keys' values."""
    before = len(RECORDER.calls)
    response = request()
    return response, [(call.service, call.operation, _shape(call.params)) for call in RECORDER.calls[before:]]


def _shape(params: dict) -> tuple:
    def kind(key: dict) -> str:
        return key["pk"]["S"].split("#", 1)[0] + "#" + key["sk"]["S"].split("#", 1)[0]

    if "TransactItems" in params:
        return tuple((next(iter(item)), item[next(iter(item))]["TableName"],
                      kind(item[next(iter(item))].get("Key") or item[next(iter(item))].get("Item")))
                     for item in params["TransactItems"])
    if "Key" in params:
        return params["TableName"], kind(params["Key"]), params.get("ConditionExpression"), params.get("ReturnValues")
    return ()


def test_a_known_and_an_unknown_address_cost_the_same_calls(client, outbox, account):
    known, known_calls = calls_of(lambda: Browser(client).ask_code(account.email))
    unknown, unknown_calls = calls_of(lambda: Browser(client).ask_code(f"{new_id()}@example.com"))
    assert (known.status_code, known.body) == (unknown.status_code, unknown.body) == (
        202, b'{"expires_in": 900, "code_length": 6}')
    assert known_calls == unknown_calls
    assert [operation for _, operation, _ in known_calls] == ["UpdateItem"] * 3 + ["GetItem", "TransactWriteItems",
                                                                                  "SendEmail"]


def test_each_step_makes_the_calls_it_claims(client, outbox, account):
    browser = Browser(client)
    browser.ask_code(account.email)
    code, _ = code_and_token(outbox)
    wrong, wrong_calls = calls_of(lambda: browser.send_code(f"{(int(code) + 1) % 1_000_000:06d}"))
    assert wrong.status_code == 400
    assert [c[1] for c in wrong_calls] == ["DeleteItem", "GetItem", "UpdateItem"]
    right, right_calls = calls_of(lambda: browser.send_code(code))
    assert right.status_code == 200, right.body
    # the code (one conditional delete), the account, the session and the account's sign-in, then the body
    assert [c[1] for c in right_calls][:4] == ["DeleteItem", "GetItem", "PutItem", "UpdateItem"]

    linked = Browser(client)
    linked.ask_code(account.email)
    _, token = code_and_token(outbox)
    by_link, link_calls = calls_of(lambda: linked.open_link(token))
    assert by_link.status_code == 200, by_link.body
    assert [c[1] for c in link_calls][:3] == ["GetItem", "TransactWriteItems", "GetItem"]


def test_the_operator_command_prints_a_link_that_signs_in_once(client, account, capsys):
    from chalicelib import cli

    assert cli.main(["sign-in-link", "--email", account.email.upper(), "--expires-in", "600"]) == 0
    url = capsys.readouterr().out.strip()
    assert url.startswith(f"{config.public_url()}/sign-in#link=")
    signed_in = Browser(client).open_link(url.rpartition("#link=")[2])
    assert signed_in.status_code == 200 and signed_in.json["principal"]["account_id"] == account.id
    assert Browser(client).open_link(url.rpartition("#link=")[2]).json["error"]["code"] == "link_expired"

    assert cli.main(["sign-in-link", "--email", "nobody@example.com"]) == 2
    assert "no account has the address nobody@example.com" in capsys.readouterr().err
