"""The storage contract of OIDC sign-ins under way and of a project's require_sso, held by moto,
DynamoDB Local and memory alike: a state is taken once, never once expired, and a project keeps
the setting it was given."""
from concurrent.futures import ThreadPoolExecutor

from chalicelib.domain.accounts import OidcState
from chalicelib.domain.clock import new_id
from chalicelib.domain.people import ApiKey, Member, Project

NOW = 1_800_000_000


def state(**changes) -> OidcState:
    base = dict(state_hash=new_id(32), provider_id="corp", nonce="n-" + new_id(), code_verifier="v-" + new_id(),
                return_to="/projects/x?view=open", expires_at=NOW + 600)
    return OidcState(**(base | changes))


def test_a_state_is_taken_once_with_what_was_kept(directory):
    kept = state()
    directory.save_oidc_state(kept)
    assert directory.take_oidc_state(kept.state_hash, NOW) == kept
    assert directory.take_oidc_state(kept.state_hash, NOW) is None


def test_an_unknown_state_is_nothing(directory):
    assert directory.take_oidc_state(new_id(32), NOW) is None


def test_an_expired_state_is_not_taken_though_still_stored(directory):
    """TTL deletes late: expiry is part of the condition."""
    kept = state(expires_at=NOW)
    directory.save_oidc_state(kept)
    assert directory.take_oidc_state(kept.state_hash, NOW) is None
    assert directory.take_oidc_state(kept.state_hash, NOW - 1) == kept


def test_of_callbacks_racing_with_one_state_one_wins(directory):
    kept = state()
    directory.save_oidc_state(kept)
    with ThreadPoolExecutor(8) as pool:
        taken = list(pool.map(lambda _: directory.take_oidc_state(kept.state_hash, NOW), range(8)))
    assert [t for t in taken if t is not None] == [kept]


def test_a_project_keeps_its_require_sso(directory):
    project = Project(id=new_id(), name="Ops", key="OPS", created_at="2026-01-01T00:00:00.000Z")
    admin = Member(user_id=new_id(), email=f"{new_id()}@example.com", name="Ada", role="admin",
                   created_at=project.created_at)
    key = ApiKey(id=new_id(), name="admin", role="admin", user_id=admin.user_id, automation=False, secret_hash="h" * 64,
                 created_at=project.created_at)
    directory.create_project(project, admin, key)
    assert directory.update_project(project.id, {"require_sso": True}).require_sso is True
    assert directory.key_and_project(project.id, key.id)[1].require_sso is True
    assert directory.update_project(project.id, {"name": "Operations"}).require_sso is True
    assert directory.update_project(project.id, {"require_sso": False}).require_sso is False
    assert directory.key_and_project(project.id, key.id)[1].require_sso is False
