"""Projects, SLA policies, members, accounts, teams, API keys and the counters, in memory, with
the same conditions and transactions as adapters/dynamodb/."""
from dataclasses import replace
from typing import Iterable, Iterator

from chalicelib.adapters.dynamodb.keys import scoped
from chalicelib.adapters.memory.store import ConditionFailed, MemoryRepository, MemoryStore, StoredProject, require
from chalicelib.adapters.dynamodb.models import SEARCH_INDEX_ATTRIBUTES
from chalicelib.domain.accounts import Account, Membership
from chalicelib.domain.attempts import Window
from chalicelib.domain.people import ApiKey, Member, Project, Team
from chalicelib.domain.sla import StoredPolicy
from chalicelib.errors import Conflict, NotFound


def _taken() -> Conflict:
    return Conflict("already exists, or changed by another request")


class MemoryProjects(MemoryRepository):
    def project(self, project_id: str) -> Project | None:
        stored = self.store.projects.get(project_id)
        return stored.project if stored else None

    def create_project(self, project: Project, admin: Member, key: ApiKey,
                       new_account: Account | None = None) -> None:
        store = self.store
        with store.transaction():
            require(project.id not in store.projects, _taken())
            store.projects[project.id] = StoredProject(Project(project.id, project.name, project.key,
                                                               project.created_at))
            _save_member(store, project.id, admin, new_account)
            require((project.id, key.id) not in store.api_keys, _taken())
            store.api_keys[(project.id, key.id)] = key

    def next_ticket_number(self, project_id: str) -> int:
        stored = self.store.projects.get(project_id)
        if stored is None:
            raise NotFound("project not found")
        stored.ticket_counter += 1
        return stored.ticket_counter

    def set_workflow(self, project_id: str, transitions: dict[str, list[str]]) -> None:
        stored = self._existing(project_id)
        stored.project = replace(stored.project, workflow=transitions)

    def update_project(self, project_id: str, changes: dict, claim: tuple[str, ...] = (),
                       release: tuple[str, ...] = ()) -> Project:
        store = self.store
        with store.transaction():
            stored = self._existing(project_id)
            fields = {name: changes[name] or None for name in ("name", "default_assignee") if name in changes}
            if "require_sso" in changes:
                fields["require_sso"] = bool(changes["require_sso"])
            if "email" in changes:
                fields["email"] = changes["email"]
            stored.project = replace(stored.project, **fields)
            taken = Conflict("an address is another project's, or changed meanwhile")
            for address in claim:
                require(store.mail_addresses.get(address, project_id) == project_id, taken)
                store.mail_addresses[address] = project_id
            for address in release:
                require(store.mail_addresses.get(address, project_id) == project_id, taken)
                store.mail_addresses.pop(address, None)
        return self.store.projects[project_id].project

    def sla_policy(self, project_id: str, version: int) -> StoredPolicy | None:
        return self.store.sla_policies.get((project_id, version))

    def add_sla_policy(self, project_id: str, version: int, policy: dict, created_at: str, created_by: str) -> None:
        store = self.store
        conflict = Conflict("the SLA policy was changed by another request; read it and try again")
        with store.transaction():
            require((project_id, version) not in store.sla_policies, conflict)
            store.sla_policies[(project_id, version)] = StoredPolicy(version, policy, created_at, created_by)
            stored = store.projects.get(project_id)
            require(stored is not None and stored.project.sla_policy_version == (None if version == 1 else version - 1),
                    conflict)
            stored.project = replace(stored.project, sla_policy_version=version)

    def _existing(self, project_id: str) -> StoredProject:
        stored = self.store.projects.get(project_id)
        if stored is None:
            raise ConditionFailed("no such project")
        return stored


class MemoryMembers(MemoryRepository):
    def members(self, project_id: str) -> list[Member]:
        return [member for (pid, _), member in sorted(self.store.members.items()) if pid == project_id]

    def member(self, project_id: str, user_id: str) -> Member | None:
        return self.store.members.get((project_id, user_id))

    def add_member(self, project_id: str, member: Member, new_account: Account | None = None) -> None:
        with self.store.transaction():
            _save_member(self.store, project_id, member, new_account)

    def update_member(self, project_id: str, before: Member, after: Member, keys: list[ApiKey]) -> None:
        store = self.store
        with store.transaction():
            stored = store.members.get((project_id, after.user_id))
            require(stored is not None and stored.role == before.role and stored.account_id == before.account_id
                    and stored.revision == before.revision, _taken())
            store.members[(project_id, after.user_id)] = replace(after, revision=before.revision + 1)
            if after.role != before.role:
                if after.account_id is not None:
                    store.project_accounts[(project_id, after.account_id)] = _membership(project_id, after)
                for key in keys:
                    kept = store.api_keys.get((project_id, key.id))
                    require(kept is not None, _taken())
                    store.api_keys[(project_id, key.id)] = replace(kept, role=after.role)

    def remove_member(self, project_id: str, member: Member, keys: list[ApiKey], teams: list[Team],
                      require_invited: bool = False) -> None:
        store = self.store
        with store.transaction():
            stored = store.members.get((project_id, member.user_id))
            require(stored is not None and stored.account_id == member.account_id, _taken())
            if require_invited:
                account = store.accounts.get(member.account_id)
                require(account is not None and account.invited, _taken())
            del store.members[(project_id, member.user_id)]
            store.emails.pop((project_id, member.email), None)
            if member.account_id is not None:
                store.project_accounts.pop((project_id, member.account_id), None)
                store.account_projects.pop((member.account_id, project_id), None)
            for key in keys:
                store.api_keys.pop((project_id, key.id), None)
            for team in teams:
                kept = store.teams.get((project_id, team.id))
                if kept is not None:
                    remaining = tuple(m for m in team.members if m != member.user_id)
                    store.teams[(project_id, team.id)] = replace(kept, members=remaining)


class MemoryAccounts(MemoryRepository):
    def account(self, account_id: str) -> Account | None:
        return self.store.accounts.get(account_id)

    def accounts(self, account_ids: Iterable[str]) -> dict[str, Account]:
        return {account_id: self.store.accounts[account_id] for account_id in dict.fromkeys(account_ids)
                if account_id in self.store.accounts}

    def account_by_email(self, email: str) -> Account | None:
        account_id = self.store.account_emails.get(email)
        return self.store.accounts.get(account_id) if account_id is not None else None

    def create_account(self, account: Account) -> None:
        with self.store.transaction():
            _save_account(self.store, account, Conflict(f"an account with email {account.email} exists"))

    def memberships(self, account_id: str) -> list[Membership]:
        return [membership for _, membership in self._memberships(account_id)]

    def projects_of(self, account_id: str) -> list[tuple[Project, Membership]]:
        return [(stored.project, membership) for stored, membership in self._memberships(account_id)
                if stored is not None]

    def _memberships(self, account_id: str) -> list[tuple[StoredProject | None, Membership]]:
        project_ids = sorted(pid for (aid, pid) in self.store.account_projects if aid == account_id)
        found = []
        for project_id in project_ids:
            membership = self.store.project_accounts.get((project_id, account_id))
            if membership is not None:
                found.append((self.store.projects.get(project_id), membership))
        return found

    def record_sign_in(self, account_id: str, at: str) -> None:
        self._update(account_id, last_sign_in_at=at)

    def rename_account(self, account_id: str, name: str) -> Account:
        return self._update(account_id, name=name)

    def _update(self, account_id: str, **changes) -> Account:
        account = self.store.accounts.get(account_id)
        if account is None:
            raise NotFound("account not found")
        self.store.accounts[account_id] = account = replace(account, **changes)
        return account


    def members_without_account(self) -> Iterator[tuple[str, Member]]:
        for (project_id, _), member in sorted(self.store.members.items()):
            if member.account_id is None:
                yield project_id, member

    def link_account(self, project_id: str, member: Member, new_account: Account | None) -> None:
        store = self.store
        with store.transaction():
            stored = store.members.get((project_id, member.user_id))
            require(stored is not None and stored.account_id is None and stored.role == member.role, _taken())
            store.members[(project_id, member.user_id)] = replace(stored, account_id=member.account_id)
            if new_account is not None:
                _save_account(store, new_account, _taken())
            _save_membership(store, project_id, member)


class MemoryTeams(MemoryRepository):
    def teams(self, project_id: str) -> list[Team]:
        return [team for (pid, _), team in sorted(self.store.teams.items()) if pid == project_id]

    def team(self, project_id: str, team_id: str) -> Team | None:
        return self.store.teams.get((project_id, team_id))

    def save_team(self, project_id: str, team: Team, *, new: bool) -> None:
        if ((project_id, team.id) in self.store.teams) == new:
            raise ConditionFailed("the team exists" if new else "no such team")
        self.store.teams[(project_id, team.id)] = team

    def delete_team(self, project_id: str, team_id: str) -> None:
        self.store.teams.pop((project_id, team_id), None)


class MemoryApiKeys(MemoryRepository):
    def key_and_project(self, project_id: str, key_id: str) -> tuple[ApiKey | None, Project | None]:
        stored = self.store.projects.get(project_id)
        return self.store.api_keys.get((project_id, key_id)), stored.project if stored else None

    def api_key(self, project_id: str, key_id: str) -> ApiKey | None:
        return self.store.api_keys.get((project_id, key_id))

    def api_keys(self, project_id: str) -> list[ApiKey]:
        return [key for (pid, _), key in sorted(self.store.api_keys.items()) if pid == project_id]

    def add_api_key(self, project_id: str, key: ApiKey, member: Member | None) -> None:
        store = self.store
        with store.transaction():
            require((project_id, key.id) not in store.api_keys, _taken())
            store.api_keys[(project_id, key.id)] = key
            if member is not None:
                stored = store.members.get((project_id, member.user_id))
                require(stored is not None and stored.role == member.role, _taken())

    def delete_api_key(self, project_id: str, key_id: str) -> None:
        self.store.api_keys.pop((project_id, key_id), None)


class MemoryCounts(MemoryRepository):
    def count_wrong_key(self, subject: str, window: Window) -> int | None:
        counts = self.store.wrong_keys
        counts[(subject, window.start)] = counts.get((subject, window.start), 0) + 1
        return counts[(subject, window.start)]

    def index_sizes(self, project_id: str, candidates: dict[str, tuple[str, ...]]) -> dict[str, int]:
        sizes = dict.fromkeys(candidates, 0)
        for index, values in candidates.items():
            attribute = SEARCH_INDEX_ATTRIBUTES[index.split(":", 1)[0]]
            for value in dict.fromkeys(values):
                sizes[index] += max(0, self.store.partition_counts.get((project_id, attribute,
                                                                        scoped(project_id, value)), 0))
        return sizes

    def tickets_counted(self, project_id: str, queries: list[tuple[tuple[str, str], ...]]) -> list[int]:
        counts = self.store.partition_counts
        return [sum(max(0, counts.get((project_id, attribute, scoped(project_id, value)), 0))
                    for attribute, value in dict.fromkeys(pairs)) for pairs in queries]

    def add_to_partition_counts_once(self, deltas: dict[tuple[str, str, str], int], record_ids: list[str],
                                     reports: dict[tuple[str, str, str], dict[str, int]] | None = None) -> None:
        token = "\n".join(record_ids)
        if token in self.store.count_tokens:
            return  # a replayed batch, as DynamoDB ignores a repeated client request token
        self.store.count_tokens.add(token)
        self.add_to_partition_counts(deltas)
        for key, changes in (reports or {}).items():
            day = self.store.report_days.setdefault(key, {})
            for name, n in changes.items():
                day[name] = day.get(name, 0) + n

    def add_to_partition_counts(self, deltas: dict[tuple[str, str, str], int]) -> None:
        for key, delta in deltas.items():
            self.store.partition_counts[key] = self.store.partition_counts.get(key, 0) + delta

    def report_days(self, project_id: str, first_day: str, last_day: str) -> dict[tuple[str, str], dict[str, int]]:
        return {(day, severity): dict(counters) for (pid, day, severity), counters in sorted(self.store.report_days.items())
                if pid == project_id and first_day <= day <= last_day}


def _save_member(store: MemoryStore, project_id: str, member: Member, new_account: Account | None) -> None:
    require((project_id, member.user_id) not in store.members, _taken())
    store.members[(project_id, member.user_id)] = member
    require((project_id, member.email) not in store.emails, _taken())
    store.emails[(project_id, member.email)] = member.user_id
    if new_account is not None:
        _save_account(store, new_account, _taken())
    if member.account_id is not None:
        _save_membership(store, project_id, member)


def _save_account(store: MemoryStore, account: Account, conflict: Conflict) -> None:
    require(account.id not in store.accounts, conflict)
    store.accounts[account.id] = account
    require(account.email not in store.account_emails, conflict)
    store.account_emails[account.email] = account.id


def _save_membership(store: MemoryStore, project_id: str, member: Member) -> None:
    require((project_id, member.account_id) not in store.project_accounts, _taken())
    store.project_accounts[(project_id, member.account_id)] = _membership(project_id, member)
    require((member.account_id, project_id) not in store.account_projects, _taken())
    store.account_projects[(member.account_id, project_id)] = member.user_id


def _membership(project_id: str, member: Member) -> Membership:
    return Membership(project_id=project_id, account_id=member.account_id, user_id=member.user_id, role=member.role)
