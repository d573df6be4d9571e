"""The sessions contract, held by moto, DynamoDB Local and memory alike: a session is kept under its
account, read with the project and the account's role there in one read, touched without ever
being brought back once ended, and ended one or many at a time."""
from dataclasses import replace

import pytest

from chalicelib.domain.accounts import Membership, StoredSession
from chalicelib.domain.clock import new_id
from chalicelib.errors import Conflict
from tests.aws_calls import RECORDER
from tests.contract.test_accounts import a_member, a_project, an_account

CREATED = "2026-01-01T00:00:00.000Z"


def a_session(account_id: str, **fields) -> StoredSession:
    return StoredSession(**({"account_id": account_id, "id": new_id(), "secret_hash": "h" * 64, "method": "email_code",
                             "created_at": CREATED, "last_used_at": CREATED, "last_used_epoch": 1_767_225_600,
                             "absolute_expires_at": 1_769_817_600, "expires_at": 1_768_435_200,
                             "ip": "203.0.113.9", "user_agent": "Mozilla/5.0"} | fields))


@pytest.fixture
def sessions(storage):
    return storage.sessions


def operations(backend, act) -> list[str]:
    before = len(RECORDER.calls)
    act()
    return [c.operation for c in RECORDER.calls[before:]] if backend != "memory" else []


def test_a_session_is_kept_under_its_account(sessions):
    account_id = new_id()
    session = a_session(account_id)
    sessions.add_session(session)
    assert sessions.session(account_id, session.id) == session
    assert sessions.session(new_id(), session.id) is None  # another account never reaches it
    with pytest.raises(Conflict):
        sessions.add_session(replace(session, secret_hash="other"))
    assert sessions.session(account_id, session.id).secret_hash == "h" * 64


def test_an_accounts_sessions_are_listed_by_one_query(backend, sessions):
    account_id = new_id()
    mine = [a_session(account_id, ip=None, user_agent=None), a_session(account_id, method="oidc:corp")]
    for session in mine + [a_session(new_id())]:
        sessions.add_session(session)
    listed: list = []
    calls = operations(backend, lambda: listed.extend(sessions.sessions_of(account_id)))
    assert sorted(listed, key=lambda s: s.id) == sorted(mine, key=lambda s: s.id)
    assert calls in ([], ["Query"])
    assert sessions.sessions_of(new_id()) == []


def test_the_session_project_and_role_are_one_read(backend, directory, sessions):
    account = an_account()
    project, admin = a_project(directory, account)
    session = a_session(account.id)
    sessions.add_session(session)
    found: list = []
    calls = operations(backend, lambda: found.extend(sessions.session_project_role(account.id, session.id, project.id)))
    assert calls in ([], ["BatchGetItem"])
    assert found == [session, project, Membership(project.id, account.id, admin.user_id, "admin")]


def test_each_part_of_the_read_is_missing_on_its_own(directory, sessions):
    account, stranger = an_account(), an_account()
    directory.create_account(stranger)
    project, _ = a_project(directory, account)
    session = a_session(stranger.id)
    sessions.add_session(session)
    assert sessions.session_project_role(stranger.id, session.id, project.id) == (session, project, None)
    assert sessions.session_project_role(stranger.id, new_id(), project.id) == (None, project, None)
    assert sessions.session_project_role(stranger.id, session.id, new_id()) == (session, None, None)


def test_the_role_read_is_the_members_role_now(directory, sessions):
    account = an_account()
    project, _ = a_project(directory)
    member = a_member(account, role="viewer")
    directory.add_member(project.id, member, account)
    session = a_session(account.id)
    sessions.add_session(session)
    assert sessions.session_project_role(account.id, session.id, project.id)[2].role == "viewer"
    promoted = replace(member, role="admin")
    directory.update_member(project.id, member, promoted, [])
    assert sessions.session_project_role(account.id, session.id, project.id)[2].role == "admin"
    directory.remove_member(project.id, promoted, [], [])
    assert sessions.session_project_role(account.id, session.id, project.id)[2] is None


def test_a_touch_moves_last_use_and_expiry_only(sessions):
    session = a_session(new_id())
    sessions.add_session(session)
    used = replace(session, last_used_at="2026-01-02T00:00:00.000Z", last_used_epoch=session.last_used_epoch + 86400,
                   expires_at=session.expires_at + 86400, secret_hash="ignored", method="ignored")
    assert sessions.touch_session(used)
    assert sessions.session(session.account_id, session.id) == replace(
        session, last_used_at=used.last_used_at, last_used_epoch=used.last_used_epoch, expires_at=used.expires_at)


def test_a_touch_never_brings_an_ended_session_back(sessions):
    session = a_session(new_id())
    sessions.add_session(session)
    assert sessions.delete_session(session.account_id, session.id)
    assert not sessions.touch_session(session)
    assert sessions.session(session.account_id, session.id) is None


def test_ending_a_session_says_whether_there_was_one(sessions):
    session = a_session(new_id())
    sessions.add_session(session)
    assert sessions.delete_session(session.account_id, session.id)
    assert not sessions.delete_session(session.account_id, session.id)
    assert not sessions.delete_session(new_id(), new_id())


def test_many_sessions_end_at_once_and_only_those(sessions):
    account_id = new_id()
    many = [a_session(account_id) for _ in range(30)]  # more than one BatchWriteItem holds (25)
    kept = a_session(account_id)
    for session in many + [kept]:
        sessions.add_session(session)
    sessions.delete_sessions(account_id, [s.id for s in many] + [new_id()])
    assert sessions.sessions_of(account_id) == [kept]
    sessions.delete_sessions(account_id, [])
    assert sessions.sessions_of(account_id) == [kept]
