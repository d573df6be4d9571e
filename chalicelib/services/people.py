"""Projects, members (each an account's membership), invitations, teams and API keys: the admin
use cases and the bootstrap."""
import logging
from dataclasses import dataclass, replace
from typing import Callable

from chalicelib import config
from chalicelib.adapters import mailer
from chalicelib.adapters.mailer import MailRejected
from chalicelib.domain import invitations, mail_threads, mailbox, mentions, secrets
from chalicelib.domain.accounts import Account
from chalicelib.domain.clock import new_id, now_iso
from chalicelib.domain.notifications import Email
from chalicelib.domain.people import ApiKey, Member, Principal, Project, Team, check_project_key, normalise_email
from chalicelib.domain.tickets import TEAM_PREFIX
from chalicelib.errors import Conflict, FieldError, NotFound, Unavailable, UnknownReference, ValidationFailed
from chalicelib.schemas import people as schemas
from chalicelib.services.mail import Mail
from chalicelib.services.ports import PeopleDirectory

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class IssuedKey:
    key: ApiKey
    token: str


@dataclass(frozen=True)
class ProjectEmail:
    """A project's email settings and its own address (None while another project holds it)."""
    address: str | None
    settings: mailbox.EmailSettings


@dataclass(frozen=True)
class Session:
    """Who a principal is, by name: the member a key acts as, or the automation key itself."""
    name: str | None
    email: str | None


@dataclass(frozen=True)
class AccountMember:
    """A member with the account it is a membership of (None only before the migration)."""
    member: Member
    account: Account | None

    @property
    def invited(self) -> bool:
        return self.account is None or self.account.invited


class PeopleService:
    """`mail` makes the sender of invitations when one is first needed (SES unless given);
    `public_url` is the app's address in their links (the stage's unless given)."""

    def __init__(self, directory: PeopleDirectory, mail: Callable[[], Mail] | None = None,
                 public_url: str | None = None):
        self.directory = directory
        self._mail = mail or mailer.from_settings
        self._public_url = public_url

    # ---- bootstrap ---------------------------------------------------------------------------

    def create_project(self, name: str, key: str, admin_email: str, admin_name: str | None = None) -> tuple[Project, Member, IssuedKey]:
        check_project_key(key)
        if not name.strip():
            raise ValidationFailed.on("name", "must not be empty")
        now = now_iso()
        project = Project(id=new_id(), name=name.strip(), key=key, created_at=now)
        email = normalise_email(admin_email)
        user_id = new_id()
        issued = self._new_key(project.id, name="bootstrap", role="admin", user_id=user_id, automation=False)

        def write(account: Account, new_account: Account | None) -> Member:
            admin = Member(user_id=user_id, email=email, name=admin_name or account.name, role="admin",
                           created_at=now, account_id=account.id)
            self.directory.create_project(project, admin, issued.key, new_account)
            return admin

        admin, _ = self._with_account(email, admin_name, write)
        return self.claim_own_address(project), admin, issued

    def update_project(self, principal: Principal, body: schemas.ProjectPatch) -> Project:
        project = principal.project
        changes = body.model_dump(exclude_unset=True)
        if changes.get("default_assignee") is not None and not self.is_assignable(project.id,
                                                                                 changes["default_assignee"]):
            raise UnknownReference.on("default_assignee", "not a member (user_id) or team (team:<id>) of this project")
        claim = release = ()
        if "email" in changes:
            project = self.claim_own_address(project)
            settings = self._changed_email_settings(project, changes.pop("email"))
            if settings != project.email:
                changes["email"] = settings
                claim = tuple(a for a in settings.aliases if a not in project.email.aliases)
                release = tuple(a for a in project.email.aliases if a not in settings.aliases)
                self._check_free(project, claim)
        if not changes:
            return project
        try:
            return self.directory.update_project(project.id, changes, claim, release)
        except Conflict:
            if not claim:
                raise
            self._check_free(project, claim)
            raise Conflict("the project's addresses changed meanwhile; try again") from None

    def project_email(self, project: Project) -> ProjectEmail:
        """The project's email settings and its own address, once claimed for it; reading writes
        nothing."""
        address = mail_threads.project_address(project.key, config.inbound_domain())
        return ProjectEmail(address if project.email.address == address else None, project.email)

    def claim_own_address(self, project: Project) -> Project:
        """Makes the project's own address its own unless another project has it, and keeps the
        claim on the project: at its creation, when its email settings are saved (how a project made
        before email came in, or before the inbound domain changed, gets it), and at the local
        stack's start for its demo project."""
        address = mail_threads.project_address(project.key, config.inbound_domain())
        if project.email.address == address or self.directory.claim_address(address, project.id) != project.id:
            return project
        return self.directory.update_project(project.id, {"email": replace(project.email, address=address)})

    def _changed_email_settings(self, project: Project, patch: dict) -> mailbox.EmailSettings:
        if "aliases" in patch:
            own = mail_threads.project_address(project.key, config.inbound_domain())
            patch["aliases"] = mailbox.checked_aliases(patch["aliases"], own, config.inbound_domain(),
                                                       config.email_sender())
        return replace(project.email, **patch)

    def _check_free(self, project: Project, addresses: tuple[str, ...]) -> None:
        owners = self.directory.address_owners(addresses)
        taken = [address for address in addresses if owners.get(address, project.id) != project.id]
        if taken:
            raise mailbox.AddressTaken(f"email.aliases: {', '.join(taken)} already receive(s) another project's mail",
                                       [FieldError("email.aliases", f"{address} is another project's address")
                                        for address in taken])

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

    def member_list(self, principal: Principal) -> list[AccountMember]:
        """The members with their accounts: one Query, then one BatchGetItem per 100 accounts."""
        members = self.directory.members(principal.project.id)
        accounts = self.directory.accounts(m.account_id for m in members if m.account_id)
        return [AccountMember(m, accounts.get(m.account_id) if m.account_id else None) for m in members]

    def add_member(self, principal: Principal, body: schemas.MemberCreate) -> AccountMember:
        """Adds the account with this email, made (invited) when there is none, and tells them by
        email: an invitation to an account that never signed in, word that they were added to one
        that has. The membership stands whether or not the email could be sent."""
        project_id, email, now = principal.project.id, normalise_email(body.email), now_iso()

        def write(account: Account, new_account: Account | None) -> Member:
            member = Member(user_id=new_id(), email=email, name=body.name or account.name, role=body.role,
                            created_at=now, account_id=account.id)
            self.directory.add_member(project_id, member, new_account)
            return member

        try:
            member, account = self._with_account(email, body.name, write)
        except Conflict:
            raise Conflict(f"a member with email {email} already exists",
                           [FieldError("email", "already a member")]) from None
        added = AccountMember(member, account)
        self._tell(principal, added)
        return added

    def resend_invitation(self, principal: Principal, user_id: str) -> AccountMember:
        """Sends the invitation again; only while the account has never signed in. An address the
        mail service refuses for good is a 409 naming `email`; any other failure may be retried."""
        invited = self._invited(principal, user_id)
        try:
            self._send(self._invitation(principal, invited), f"invitation-{user_id}")
        except MailRejected as rejected:
            log.warning("the invitation to member %s was refused: %s", user_id, rejected)
            raise Conflict(f"the mail service refuses to send the invitation to {invited.member.email}",
                           [FieldError("email", "refused by the mail service")]) from None
        except Exception:
            log.warning("resending the invitation to %s failed", invited.member.user_id, exc_info=True)
            raise Unavailable("the invitation could not be sent; try again") from None
        return invited

    def withdraw_invitation(self, principal: Principal, user_id: str) -> None:
        """Removes a member whose account has never signed in; refused once it has (the removal is
        conditional on that, so a sign-in meanwhile is not overtaken)."""
        invited = self._invited(principal, user_id)
        try:
            self._remove(principal, invited.member, require_invited=True)
        except Conflict:
            current = self._with_its_account(self._member(principal, user_id))
            if not current.invited:
                raise self._signed_in() from None
            raise Conflict("the member changed meanwhile; try again") from None

    def update_member(self, principal: Principal, user_id: str, body: schemas.MemberPatch) -> AccountMember:
        return self._with_its_account(self._change_member(principal, user_id, body.model_dump(exclude_unset=True)))

    def own_member(self, principal: Principal) -> AccountMember:
        return self._with_its_account(self._member(principal, principal.own_user_id()))

    def update_own_member(self, principal: Principal, body: schemas.OwnMemberPatch) -> AccountMember:
        return self._with_its_account(self._change_member(principal, principal.own_user_id(),
                                                          body.model_dump(exclude_unset=True)))

    def _with_its_account(self, member: Member) -> AccountMember:
        return AccountMember(member, self.directory.account(member.account_id) if member.account_id else None)

    def _with_account(self, email: str, name: str | None,
                      write: Callable[[Account, Account | None], Member]) -> tuple[Member, Account]:
        """Calls `write` with the email's account, or with a new one (named `name`, else the
        address's local part) for it to write with the member."""
        account = self.directory.account_by_email(email)
        if account is not None:
            return write(account, None), account
        made = Account(id=new_id(), email=email, name=name or email.split("@")[0], created_at=now_iso())
        try:
            return write(made, made), made
        except Conflict:
            # Another request may have made the email's account since it was read: join that one.
            account = self.directory.account_by_email(email)
            if account is None:
                raise
            return write(account, None), account

    def _invited(self, principal: Principal, user_id: str) -> AccountMember:
        found = self._with_its_account(self._member(principal, user_id))
        if found.account is None:
            raise Conflict("this member has no account yet: run the migration (python -m chalicelib.cli migrate)")
        if not found.invited:
            raise self._signed_in()
        return found

    @staticmethod
    def _signed_in() -> Conflict:
        return Conflict("this member has signed in already: there is no invitation (remove the member instead)")

    def _tell(self, principal: Principal, added: AccountMember) -> None:
        """Emails the member added; a failure is logged, not raised (the admin can resend)."""
        project = principal.project
        if added.invited:
            email, reference = self._invitation(principal, added), f"invitation-{added.member.user_id}"
        else:
            email = invitations.added(project.name, project.id, self._admin_name(principal), added.member.role,
                                      added.member.email, added.member.name, self.public_url)
            reference = f"added-{added.member.user_id}"
        try:
            self._send(email, reference)
        except Exception:
            log.warning("could not email member %s of project %s (%s); the member stands%s", added.member.user_id,
                        project.id, reference.split("-")[0], ", and the invitation can be resent" if added.invited
                        else "", exc_info=True)

    def _invitation(self, principal: Principal, invited: AccountMember) -> Email:
        return invitations.invitation(principal.project.name, self._admin_name(principal), invited.member.role,
                                      invited.member.email, invited.member.name, self.public_url)

    def _admin_name(self, principal: Principal) -> str:
        member = self.directory.member(principal.project.id, principal.user_id) if principal.user_id else None
        return member.name if member else "A project admin"

    def _send(self, email: Email, reference: str) -> None:
        self._mail().send(email, reference=reference)

    @property
    def public_url(self) -> str:
        return self._public_url or config.public_url()

    def _change_member(self, principal: Principal, user_id: str, changes: dict) -> Member:
        before = self._member(principal, user_id)
        if "notifications" in changes:
            changes["notifications"] = before.notifications.merged(changes["notifications"])
        if "notification_delivery" in changes:
            changes["notification_delivery"] = before.notification_delivery.merged(changes["notification_delivery"])
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
        self._remove(principal, self._member(principal, user_id))

    def _remove(self, principal: Principal, member: Member, require_invited: bool = False) -> None:
        if member.role == "admin":
            self._keep_an_admin(principal, member.user_id)
        project_id = principal.project.id
        keys = self._keys_of(principal, member.user_id)
        teams = [t for t in self.directory.teams(project_id) if member.user_id in t.members]
        self.directory.remove_member(project_id, member, keys, teams, require_invited=require_invited)

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

    def resolve_mentions(self, project_id: str, text: str, field: str) -> mentions.Resolved:
        """`text` as it is stored, with whom it mentions (domain.mentions.resolve); the project's
        members and teams are read only when the text may mention someone."""
        if not mentions.may_mention(text):
            return mentions.Resolved(text, ())
        return mentions.resolve(text, self.directory.members(project_id), self.directory.teams(project_id),
                                field=field)

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
