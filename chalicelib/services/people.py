"""Projects, members, teams and API keys: the admin use cases and the bootstrap."""
from dataclasses import dataclass, replace

from chalicelib.domain import secrets
from chalicelib.domain.clock import new_id, now_iso
from chalicelib.domain.people import ApiKey, Member, Principal, Project, Team, check_project_key, normalise_email
from chalicelib.domain.tickets import TEAM_PREFIX
from chalicelib.errors import Conflict, FieldError, NotFound, UnknownReference, ValidationFailed
from chalicelib.schemas import people as schemas
from chalicelib.services.ports import PeopleDirectory


@dataclass(frozen=True)
class IssuedKey:
    key: ApiKey
    token: str


@dataclass(frozen=True)
class Session:
    """Who a principal is, by name: the member a key acts as, or the automation key itself."""
    name: str | None
    email: str | None


class PeopleService:
    def __init__(self, directory: PeopleDirectory):
        self.directory = directory

    # ---- bootstrap ---------------------------------------------------------------------------

    def create_project(self, name: str, key: str, admin_email: str, admin_name: str | None = None) -> tuple[Project, Member, IssuedKey]:
        check_project_key(key)
        if not name.strip():
            raise ValidationFailed.on("name", "must not be empty")
        now = now_iso()
        project = Project(id=new_id(), name=name.strip(), key=key, created_at=now)
        email = normalise_email(admin_email)
        admin = Member(user_id=new_id(), email=email, name=admin_name or email.split("@")[0], role="admin",
                       created_at=now)
        issued = self._new_key(project.id, name="bootstrap", role="admin", user_id=admin.user_id, automation=False)
        self.directory.create_project(project, admin, issued.key)
        return project, admin, issued

    def update_project(self, principal: Principal, body: schemas.ProjectPatch) -> Project:
        changes = body.model_dump(exclude_unset=True)
        if changes.get("default_assignee") is not None and not self.is_assignable(principal.project.id,
                                                                                 changes["default_assignee"]):
            raise UnknownReference.on("default_assignee", "not a member (user_id) or team (team:<id>) of this project")
        if not changes:
            return principal.project
        return self.directory.update_project(principal.project.id, changes)

    def session(self, principal: Principal) -> Session:
        """One read: the member for a member's key, the key itself for an automation's."""
        if principal.user_id is None:
            key = self.directory.api_key(principal.project.id, principal.key_id)
            return Session(name=key.name if key else None, email=None)
        member = self.directory.member(principal.project.id, principal.user_id)
        return Session(name=member.name, email=member.email) if member else Session(None, None)

    # ---- members -----------------------------------------------------------------------------

    def members(self, principal: Principal) -> list[Member]:
        return self.directory.members(principal.project.id)

    def add_member(self, principal: Principal, body: schemas.MemberCreate) -> Member:
        member = Member(user_id=new_id(), email=normalise_email(body.email), name=body.name, role=body.role,
                        created_at=now_iso())
        try:
            self.directory.add_member(principal.project.id, member)
        except Conflict:
            raise Conflict(f"a member with email {member.email} already exists",
                           [FieldError("email", "already a member")]) from None
        return member

    def update_member(self, principal: Principal, user_id: str, body: schemas.MemberPatch) -> Member:
        return self._change_member(principal, user_id, body.model_dump(exclude_unset=True))

    def own_member(self, principal: Principal) -> Member:
        return self._member(principal, principal.own_user_id())

    def update_own_member(self, principal: Principal, body: schemas.OwnMemberPatch) -> Member:
        return self._change_member(principal, principal.own_user_id(), body.model_dump(exclude_unset=True))

    def _change_member(self, principal: Principal, user_id: str, changes: dict) -> Member:
        before = self._member(principal, user_id)
        if "notifications" in changes:
            changes["notifications"] = before.notifications.merged(changes["notifications"])
        after = replace(before, **changes)
        if after == before:
            return before
        if before.role == "admin" and after.role != "admin":
            self._keep_an_admin(principal, user_id)
        # Keys copy only the member's role, so only a role change has keys to rewrite.
        keys = self._keys_of(principal, user_id) if after.role != before.role else []
        self.directory.update_member(principal.project.id, before, after, keys)
        return after

    def remove_member(self, principal: Principal, user_id: str) -> None:
        member = self._member(principal, user_id)
        if member.role == "admin":
            self._keep_an_admin(principal, user_id)
        project_id = principal.project.id
        keys = self._keys_of(principal, user_id)
        teams = [t for t in self.directory.teams(project_id) if user_id in t.members]
        self.directory.remove_member(project_id, member, keys, teams)

    def _member(self, principal: Principal, user_id: str) -> Member:
        member = self.directory.member(principal.project.id, user_id)
        if member is None:
            raise NotFound("member not found")
        return member

    def _keep_an_admin(self, principal: Principal, leaving: str) -> None:
        admins = [m for m in self.directory.members(principal.project.id) if m.role == "admin" and m.user_id != leaving]
        if not admins:
            raise Conflict("a project needs at least one admin")

    def _keys_of(self, principal: Principal, user_id: str) -> list[ApiKey]:
        return [k for k in self.directory.api_keys(principal.project.id) if k.user_id == user_id]

    # ---- teams -------------------------------------------------------------------------------

    def teams(self, principal: Principal) -> list[Team]:
        return self.directory.teams(principal.project.id)

    def create_team(self, principal: Principal, body: schemas.TeamCreate) -> Team:
        members = self._known_members(principal, body.members)
        team = Team(id=new_id(), name=body.name, email=normalise_email(body.email) if body.email else None,
                    members=members, created_at=now_iso())
        self.directory.save_team(principal.project.id, team, new=True)
        return team

    def update_team(self, principal: Principal, team_id: str, body: schemas.TeamPatch) -> Team:
        team = self._team(principal, team_id)
        changes = body.model_dump(exclude_unset=True)
        if "members" in changes:
            changes["members"] = self._known_members(principal, changes["members"])
        if changes.get("email"):
            changes["email"] = normalise_email(changes["email"])
        updated = replace(team, **changes)
        if updated != team:
            try:
                self.directory.save_team(principal.project.id, updated, new=False)
            except Conflict:
                raise NotFound("team not found") from None
        return updated

    def delete_team(self, principal: Principal, team_id: str) -> None:
        self._team(principal, team_id)
        self.directory.delete_team(principal.project.id, team_id)

    def _team(self, principal: Principal, team_id: str) -> Team:
        team = self.directory.team(principal.project.id, team_id)
        if team is None:
            raise NotFound("team not found")
        return team

    def _known_members(self, principal: Principal, user_ids: list[str]) -> tuple[str, ...]:
        wanted = tuple(dict.fromkeys(user_ids))
        known = {m.user_id for m in self.directory.members(principal.project.id)}
        unknown = [u for u in wanted if u not in known]
        if unknown:
            raise UnknownReference.on("members", f"not members of this project: {', '.join(unknown)}")
        return wanted

    def is_assignable(self, project_id: str, assignee: str) -> bool:
        if assignee.startswith(TEAM_PREFIX):
            return self.directory.team(project_id, assignee[len(TEAM_PREFIX):]) is not None
        return self.directory.member(project_id, assignee) is not None

    # ---- API keys ----------------------------------------------------------------------------

    def api_keys(self, principal: Principal) -> list[ApiKey]:
        return self.directory.api_keys(principal.project.id)

    def create_api_key(self, principal: Principal, body: schemas.ApiKeyCreate) -> IssuedKey:
        project_id = principal.project.id
        if body.automation:
            issued = self._new_key(project_id, body.name, role=body.role, user_id=None, automation=True)
            self.directory.add_api_key(project_id, issued.key, None)
            return issued
        member = self.directory.member(project_id, body.user_id)
        if member is None:
            raise UnknownReference.on("user_id", "not a member of this project")
        issued = self._new_key(project_id, body.name, role=member.role, user_id=member.user_id, automation=False)
        try:
            self.directory.add_api_key(project_id, issued.key, member)
        except Conflict:
            raise Conflict("the member changed while the key was being made; try again") from None
        return issued

    def revoke_api_key(self, principal: Principal, key_id: str) -> None:
        if self.directory.api_key(principal.project.id, key_id) is None:
            raise NotFound("API key not found")
        self.directory.delete_api_key(principal.project.id, key_id)

    def _new_key(self, project_id: str, name: str, role: str, user_id: str | None, automation: bool) -> IssuedKey:
        key_id, secret = new_id(12), secrets.new_secret()
        key = ApiKey(id=key_id, name=name, role=role, user_id=user_id, automation=automation,
                     created_at=now_iso(), secret_hash=secrets.hash_secret(secret))
        return IssuedKey(key, secrets.format_token(project_id, key_id, secret))
