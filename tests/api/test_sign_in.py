"""Signing in by email on DynamoDB Local: asking a code for an address an account has and for one
none has makes the same AWS calls, in the same order, on the same kinds of items; and each step
makes the calls it claims (docs/benchmarks.md); past an address's daily cap of wrong codes, a right
code and a wrong one get the same answer from the same calls."""
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
    # the code (which names its address), then its wrong tries and the address's wrong codes of the day
    assert wrong_calls == [("dynamodb", "GetItem", (table(), "SIGNIN#CHALLENGE", None, None)),
                           ("dynamodb", "TransactWriteItems", (("Update", table(), "SIGNINRATE#W"),
                                                               ("Update", table(), "SIGNIN#CHALLENGE")))]
    right, right_calls = calls_of(lambda: browser.send_code(code))
    assert right.status_code == 200, right.body
    # the code, then its delete with a check of the day's wrong codes; the account, the session and
    # the account's sign-in, then the body
    assert right_calls[:2] == [("dynamodb", "GetItem", (table(), "SIGNIN#CHALLENGE", None, None)),
                               ("dynamodb", "TransactWriteItems", (("ConditionCheck", table(), "SIGNINRATE#W"),
                                                                   ("Delete", table(), "SIGNIN#CHALLENGE")))]
    assert [c[1] for c in right_calls][2:5] == ["GetItem", "PutItem", "UpdateItem"]

    linked = Browser(client)
    linked.ask_code(account.email)
    _, token = code_and_token(outbox)
    by_link, link_calls = calls_of(lambda: linked.open_link(token))
    assert by_link.status_code == 200, by_link.body
    assert [c[1] for c in link_calls][:3] == ["GetItem", "TransactWriteItems", "GetItem"]


def test_past_the_cap_a_right_and_a_wrong_code_get_the_same_answer_from_the_same_calls(client, outbox, account,
                                                                                        monkeypatch):
    monkeypatch.setenv(config.SIGN_IN_WRONG_CODES_PER_ADDRESS_PER_DAY, "1")
    browser = Browser(client)
    browser.ask_code(account.email)
    code, token = code_and_token(outbox)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    assert browser.send_code(wrong).json["error"]["code"] == "wrong_code"
    refused_wrong, wrong_calls = calls_of(lambda: browser.send_code(wrong))
    refused_right, right_calls = calls_of(lambda: browser.send_code(code))
    assert (refused_wrong.status_code, refused_wrong.body) == (refused_right.status_code, refused_right.body)
    assert refused_right.json["error"]["code"] == "too_many_wrong_codes"
    assert _items(wrong_calls) == _items(right_calls) == [
        ("GetItem", ((table(), "SIGNIN#CHALLENGE"),)),
        ("TransactWriteItems", ((table(), "SIGNINRATE#W"), (table(), "SIGNIN#CHALLENGE")))]
    assert browser.open_link(token).status_code == 200


def test_a_wrong_code_costs_the_same_calls_for_a_known_and_an_unknown_address(client, outbox, account):
    answers = []
    for email in (account.email, f"{new_id()}@example.com"):
        browser = Browser(client)
        browser.ask_code(email)
        # the known address's code is in its email; the unknown one's was sent to nobody (one in a
        # million that this guess is it)
        guess = f"{(int(code_and_token(outbox)[0]) + 1) % 1_000_000:06d}" if email == account.email else "123456"
        answers.append(calls_of(lambda: browser.send_code(guess)))
    (known, known_calls), (unknown, unknown_calls) = answers
    assert (known.status_code, known.body) == (unknown.status_code, unknown.body)
    assert known_calls == unknown_calls and [c[1] for c in known_calls] == ["GetItem", "TransactWriteItems"]


def table() -> str:
    return config.directory_table()


def _items(calls: list[tuple]) -> list[tuple]:
    """Each call's operation and the (table, kind of item) it touched, whatever it did to them."""
    return [(operation, tuple(part[-2:] for part in shape) if operation == "TransactWriteItems" else (shape[:2],))
            for _, operation, shape in calls]


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
