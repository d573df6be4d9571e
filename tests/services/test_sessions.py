"""SessionService on memory with a clock of its own: a session starts with a new id and secret,
its cookie names the caller with the role its membership has now, and it ends when unused for the
idle lifetime, at its absolute one, or when its account ends it."""
from dataclasses import replace

import pytest

from chalicelib import config
from chalicelib.domain.accounts import Account, SessionCookie, hash_session_secret
from chalicelib.domain.clock import new_id
from chalicelib.adapters.memory.store import StoredProject
from chalicelib.domain.people import AccountPrincipal, Member, Project
from chalicelib.errors import NotFound, SessionExpired, SsoRequired, Unauthorized
from chalicelib.services import registry
from chalicelib.services.sessions import SessionService

T0 = 1_800_000_000
HOUR, DAY = 3600, 86400
CREATED = "2026-01-01T00:00:00.000Z"


class Clock:
    def __init__(self):
        self.now = float(T0)

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def storage():
    return registry.memory_storage()


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def service(storage, clock):
    return SessionService(storage.sessions, storage.directory, clock)


@pytest.fixture
def account(storage) -> Account:
    account = Account(id=new_id(), email=f"{new_id()}@example.com", name="Ada", created_at=CREATED)
    storage.directory.create_account(account)
    return account


@pytest.fixture
def project(storage) -> Project:
    project = Project(id=new_id(), name="Ops", key="OPS", created_at=CREATED)
    storage.directory.store.projects[project.id] = StoredProject(project)
    return project


def join(storage, project: Project, account: Account, role: str) -> Member:
    member = Member(user_id=new_id(), email=account.email, name=account.name, role=role, created_at=CREATED,
                    account_id=account.id)
    storage.directory.add_member(project.id, member)
    return member


def test_a_session_starts_with_a_new_secret_and_records_the_sign_in(service, storage, account, clock):
    first, cookie = service.start(account, "email_code", "203.0.113.9", "Mozilla/5.0")
    second, other = service.start(account, "email_code", None, None)
    assert first.id != second.id and cookie.secret != other.secret
    assert first.secret_hash == hash_session_secret(cookie.secret) != cookie.secret
    assert (first.absolute_expires_at, first.expires_at) == (T0 + config.session_absolute_seconds(),
                                                             T0 + config.session_idle_seconds())
    assert (first.ip, first.user_agent, second.ip, second.user_agent) == ("203.0.113.9", "Mozilla/5.0", None, None)
    assert storage.directory.account(account.id).last_sign_in_at == first.created_at
    assert SessionCookie.parse(cookie.value()) == cookie


def test_the_cookie_names_the_member_with_its_role_now(service, storage, account, project):
    member = join(storage, project, account, "viewer")
    session, cookie = service.start(account, "email_link", None, None)
    principal = service.authenticate(cookie.value(), project.id)
    assert (principal.project, principal.actor, principal.user_id, principal.role, principal.key_id) == (
        project, member.user_id, member.user_id, "viewer", None)
    assert (principal.account_id, principal.session_id, principal.sign_in_method) == (account.id, session.id,
                                                                                       "email_link")
    storage.directory.update_member(project.id, member, replace(member, role="admin"), [])
    assert service.authenticate(cookie.value(), project.id).role == "admin"
    storage.directory.remove_member(project.id, replace(member, role="admin"), [], [])
    with pytest.raises(NotFound, match="project not found"):
        service.authenticate(cookie.value(), project.id)


def test_a_route_without_a_project_gets_the_account(service, account):
    session, cookie = service.start(account, "email_code", None, None)
    assert service.authenticate(cookie.value(), None) == AccountPrincipal(account.id, session.id, "email_code")


@pytest.mark.parametrize("value", [None, "", "garbage", "a.b", "a.b.c", "UPPER.case.secret", "x" * 80 + ".y.z"])
def test_a_cookie_never_issued_is_refused(service, account, value):
    with pytest.raises(Unauthorized) as refused:
        service.authenticate(value, None)
    assert refused.value.code == "unauthorized"


def test_a_forged_secret_is_refused(service, account, project, storage):
    join(storage, project, account, "admin")
    _, cookie = service.start(account, "email_code", None, None)
    forged = replace(cookie, secret=cookie.secret[:-1] + ("A" if cookie.secret[-1] != "A" else "B"))
    for project_id in (project.id, None):
        with pytest.raises(Unauthorized) as refused:
            service.authenticate(forged.value(), project_id)
        assert refused.value.code == "unauthorized"


def test_an_unused_session_expires_after_the_idle_lifetime(service, account, clock):
    _, cookie = service.start(account, "email_code", None, None)
    clock.now = T0 + config.session_idle_seconds() - 1
    service.authenticate(cookie.value(), None)   # used: its idle lifetime starts again
    clock.now += config.session_idle_seconds() - 1
    service.authenticate(cookie.value(), None)
    clock.now += config.session_idle_seconds()
    with pytest.raises(SessionExpired):
        service.authenticate(cookie.value(), None)


def test_a_session_in_use_still_ends_at_its_absolute_lifetime(service, account, clock):
    _, cookie = service.start(account, "email_code", None, None)
    while clock.now < T0 + config.session_absolute_seconds() - DAY:
        clock.now += DAY
        service.authenticate(cookie.value(), None)
    clock.now = T0 + config.session_absolute_seconds()
    with pytest.raises(SessionExpired) as expired:
        service.authenticate(cookie.value(), None)
    assert (expired.value.status, expired.value.code) == (401, "session_expired")


def test_last_use_is_written_at_most_once_per_touch_interval(service, storage, account, clock):
    session, cookie = service.start(account, "email_code", None, None)
    clock.now = T0 + config.session_touch_seconds() - 1
    service.authenticate(cookie.value(), None)
    assert storage.sessions.session(account.id, session.id) == session
    clock.now = T0 + config.session_touch_seconds()
    service.authenticate(cookie.value(), None)
    touched = storage.sessions.session(account.id, session.id)
    assert touched.last_used_epoch == clock.now and touched.expires_at == clock.now + config.session_idle_seconds()


def test_a_single_sign_on_project_refuses_other_sign_ins_but_its_admins(service, storage, account, project):
    sso = replace(project, require_sso=True)
    storage.directory.store.projects[project.id].project = sso
    other = Account(id=new_id(), email=f"{new_id()}@example.com", name="Bo", created_at=CREATED)
    storage.directory.create_account(other)
    join(storage, sso, account, "member")
    join(storage, sso, other, "admin")
    _, by_email = service.start(account, "email_code", None, None)
    _, by_oidc = service.start(account, "oidc:corp", None, None)
    _, admin_by_email = service.start(other, "email_code", None, None)
    with pytest.raises(SsoRequired) as refused:
        service.authenticate(by_email.value(), project.id)
    assert (refused.value.status, refused.value.code) == (403, "sso_required")
    assert service.authenticate(by_oidc.value(), project.id).role == "member"
    assert service.authenticate(admin_by_email.value(), project.id).role == "admin"


def test_sessions_are_listed_and_ended_by_their_account(service, account, clock):
    first, first_cookie = service.start(account, "email_code", None, None)
    clock.now += 1
    second, _ = service.start(account, "email_code", None, None)
    clock.now += 1
    third, _ = service.start(account, "email_code", None, None)
    assert [s.id for s in service.list_sessions(account.id)] == [third.id, second.id, first.id]
    service.end(account.id, second.id)
    with pytest.raises(NotFound):
        service.end(account.id, second.id)
    with pytest.raises(NotFound):
        service.end(new_id(), first.id)   # someone else's session is not found
    service.end_others(account.id, first.id)
    assert [s.id for s in service.list_sessions(account.id)] == [first.id]
    service.authenticate(first_cookie.value(), None)
