"""Operator commands.

    python -m chalicelib.cli [--stage S] create-project --name N --key K --admin-email E
        creates a project with its first admin and prints an admin API key (shown once);
    python -m chalicelib.cli [--stage S] backfill [--project P]
        writes what tickets stored by an earlier version lack: the guard that finds a ticket by
        its key (OPS-42) and their place in the current search indexes (the term index
        included); safe to repeat and to run beside live traffic;
    python -m chalicelib.cli [--stage S] migrate
        gives every member stored before accounts existed an account (the one their email has
        across projects, made when there is none) and its membership items; run it once after
        deploying the version with accounts; safe to repeat (a second run changes nothing) and to
        run beside live traffic;
    python -m chalicelib.cli [--stage S] sign-in-link --email E [--expires-in SECONDS]
        prints a one-time link that signs the account with that address in, in any browser, once,
        within SECONDS (a day by default, a week at most);
    python -m chalicelib.cli [--stage S] mail-log [--project P] [--status S] [--limit N]
        prints the mail log, newest first, as JSON lines: by default the messages no project's
        address received (which no project's admins can see), else one project's;
    python -m chalicelib.cli openapi [--out FILE]
        writes the API's OpenAPI document, the one contract the web UI's and the piece's types are
        generated from (`make contract`); needs no settings and no AWS.

It uses the same settings as the app: with --stage, that stage's table names from
.chalice/config.json (what the environment sets already wins) and AWS credentials and region from
the environment; on the local stack, AWS_ENDPOINT_URL pointing at the embedded services.
"""
import argparse
import json
import os
import sys
from pathlib import Path

from chalicelib.adapters.dynamodb.tables import DirectoryRepository, TicketRepository
from chalicelib.domain.mailbox import MAIL_LOG_STATUSES
from chalicelib.errors import DomainError
from chalicelib.services.mailbox import log_entry_view
from chalicelib.services.migration import link_members_to_accounts
from chalicelib.services.people import PeopleService
from chalicelib.services.search_index import SearchIndexService
from chalicelib.services.sign_in import operator_link


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m chalicelib.cli")
    parser.add_argument("--stage", help="take the settings of this stage of .chalice/config.json")
    commands = parser.add_subparsers(dest="command", required=True)
    create = commands.add_parser("create-project", help="create a project, its first admin and an admin key")
    create.add_argument("--name", required=True)
    create.add_argument("--key", required=True, help="ticket key prefix, e.g. OPS")
    create.add_argument("--admin-email", required=True)
    create.add_argument("--admin-name")
    backfill_command = commands.add_parser("backfill", help="bring stored tickets up to the current version: "
                                                            "key guards and search indexes")
    backfill_command.add_argument("--project", help="only this project's tickets (default: every project's)")
    commands.add_parser("migrate", help="give members stored before accounts their account (idempotent)")
    link_command = commands.add_parser("sign-in-link", help="print a one-time sign-in link for an account")
    link_command.add_argument("--email", required=True)
    link_command.add_argument("--expires-in", type=int, help="seconds the link works (default: a day)")
    log_command = commands.add_parser("mail-log", help="list received mail that was not ticketed (by default: "
                                                       "that no project received)")
    log_command.add_argument("--project", help="this project's log instead")
    log_command.add_argument("--status", choices=MAIL_LOG_STATUSES)
    log_command.add_argument("--limit", type=int, default=100, help="at most this many entries (default 100)")
    openapi_command = commands.add_parser("openapi", help="write the OpenAPI document (stdout by default)")
    openapi_command.add_argument("--out", help="write it to this file instead")
    args = parser.parse_args(argv)
    if args.command == "openapi":
        write_openapi(args.out)
        return 0
    if args.stage:
        try:
            for name, value in stage_settings(args.stage).items():
                os.environ.setdefault(name, value)
        except KeyError:
            print(f"error: no stage {args.stage!r} in .chalice/config.json", file=sys.stderr)
            return 2

    if args.command == "backfill":
        print(json.dumps(backfill(args.project), indent=2))
        return 0
    if args.command == "migrate":
        done = migrate()
        print(json.dumps(done, indent=2))
        print("nothing to migrate: every member has an account" if done["members_linked"] == 0 and
              done["members_left"] == 0 else f"{done['members_linked']} members linked to their accounts",
              file=sys.stderr)
        return 0 if done["members_left"] == 0 else 1
    if args.command == "mail-log":
        for entry in mail_log(args.project, args.status, args.limit):
            print(json.dumps(entry, ensure_ascii=False))
        return 0
    if args.command == "sign-in-link":
        try:
            print(sign_in_link(args.email, args.expires_in))
        except DomainError as error:
            print(f"error: {error.message}", file=sys.stderr)
            return 2
        return 0
    try:
        project, admin, issued = PeopleService(DirectoryRepository()).create_project(
            args.name, args.key, args.admin_email, args.admin_name)
    except DomainError as error:
        print(f"error: {error.message}", file=sys.stderr)
        return 2
    print(json.dumps({"project_id": project.id, "project_key": project.key, "admin_user_id": admin.user_id,
                      "api_key": issued.token}, indent=2))
    return 0


def backfill(project_id: str | None = None) -> dict[str, int]:
    tickets = TicketRepository()
    seen, written = tickets.backfill_number_guards(project_id)
    return {"key_guards_written": written, **SearchIndexService(tickets).backfill(project_id)}


def migrate() -> dict[str, int]:
    """Gives members stored before accounts their account; what it did, by count (all 0 when
    there was nothing left to do). The local stack calls it at start."""
    return link_members_to_accounts(DirectoryRepository()).as_dict()
def mail_log(project_id: str | None, status: str | None, limit: int) -> list[dict]:
    """Entries of one project's mail log, or of the log of mail no project received, newest first."""
    directory, found, after = DirectoryRepository(), [], None
    while len(found) < limit:
        page, after = directory.mail_log_page(project_id, status, min(100, limit - len(found)), after)
        found += [{"key": entry.key, "project_id": entry.project_id} | log_entry_view(entry) for entry in page]
        if after is None:
            break
    return found


def sign_in_link(email: str, expires_in: int | None = None) -> str:
    """A one-time link for the account with this address (see services.sign_in.operator_link)."""
    return operator_link(DirectoryRepository(), email, expires_in)


def openapi_text() -> str:
    """The document as committed in docs/openapi.json: every route of the app, in the order the app declares them."""
    import app  # noqa: F401 - registers every route
    from chalicelib.api.openapi import document
    return json.dumps(document(), indent=2, ensure_ascii=False) + "\n"


def write_openapi(out: str | None) -> None:
    text = openapi_text()
    if out:
        Path(out).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)


def stage_settings(stage: str) -> dict[str, str]:
    chalice_config = json.loads((Path(__file__).resolve().parents[1] / ".chalice" / "config.json").read_text())
    return {**chalice_config.get("environment_variables", {}),
            **chalice_config["stages"][stage].get("environment_variables", {})}


if __name__ == "__main__":
    sys.exit(main())
