"""Signed-in browsers for the API tests: an account made a member of a project through the ports,
and a session started for it by SessionService, as a sign-in would (never through a route made for
tests). A `Browser` calls the API as the web UI does: the session cookie, JSON, same-origin."""
from chalicelib.domain.accounts import SESSION_COOKIE, Account
from chalicelib.domain.clock import new_id, now_iso
from chalicelib.domain.people import Member
from chalicelib.services.registry import services
from tests.api.conftest import Api

SAME_ORIGIN = {"Sec-Fetch-Site": "same-origin"}


class Browser(Api):
    """Api with a session cookie in place of a key."""

    def __init__(self, client, project_id: str, cookie: str | None, account: Account | None = None,
                 user_id: str | None = None, origin: dict[str, str] | None = None):
        super().__init__(client, project_id, None)
        self.cookie = cookie
        self.account = account
        self.user_id = user_id
        self.origin = SAME_ORIGIN if origin is None else origin

    def with_cookie(self, cookie: str | None) -> "Browser":
        return Browser(self.client, self.project_id, cookie, self.account, self.user_id, self.origin)

    def in_project(self, project_id: str) -> "Browser":
        return Browser(self.client, project_id, self.cookie, self.account, self.user_id, self.origin)

    def call(self, method: str, path: str, body=None, headers=None, raw: bytes | str | None = None):
        cookie = {"Cookie": f"{SESSION_COOKIE}={self.cookie}"} if self.cookie is not None else {}
        return super().call(method, path, body, headers=self.origin | cookie | (headers or {}), raw=raw)

    def unscoped(self, method: str, path: str, body=None, headers=None):
        """A route with no project in its path (/v1/ce/session, /v1/ce/sessions, /v1/ce/account)."""
        project_id, self.project_id = self.project_id, None
        try:
            return self.call(method, path, body, headers=headers)
        finally:
            self.project_id = project_id

    def url(self, path: str) -> str:
        return path if self.project_id is None else super().url(path)


def sign_in(api: Api, role: str = "member", *, method: str = "email_code", user_agent: str | None = None,
            name: str | None = None) -> Browser:
    """A new account, a member of `api`'s project with `role`, signed in."""
    account = Account(id=new_id(), email=f"{new_id()}@example.com", name=name or role.title(), created_at=now_iso())
    user_id = join(api, account, role, new_account=True)
    return start(api, account, user_id, method=method, user_agent=user_agent)


def join(api: Api, account: Account, role: str, *, new_account: bool = False) -> str:
    """Makes the account a member of `api`'s project; its user_id there."""
    member = Member(user_id=new_id(), email=account.email, name=account.name, role=role, created_at=now_iso(),
                    account_id=account.id)
    services().directory.add_member(api.project_id, member, account if new_account else None)
    return member.user_id


def start(api: Api, account: Account, user_id: str | None = None, *, method: str = "email_code",
          user_agent: str | None = None) -> Browser:
    """Another session of the account (another browser)."""
    _, cookie = services().sessions.start(account, method, "203.0.113.9", user_agent)
    return Browser(api.client, api.project_id, cookie.value(), account, user_id)
