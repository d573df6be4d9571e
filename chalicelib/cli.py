"""Operator commands. `python -m chalicelib.cli create-project --name N --key K --admin-email E`
creates a project with its first admin and prints an admin API key (shown once).

It uses the same settings as the app: on AWS the stage's table names and credentials from the
environment; on the local stack, AWS_ENDPOINT_URL pointing at the embedded services.
"""
import argparse
import json
import sys

from chalicelib.adapters.directory_repo import DirectoryRepository
from chalicelib.errors import DomainError
from chalicelib.services.people import PeopleService


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m chalicelib.cli")
    commands = parser.add_subparsers(dest="command", required=True)
    create = commands.add_parser("create-project", help="create a project, its first admin and an admin key")
    create.add_argument("--name", required=True)
    create.add_argument("--key", required=True, help="ticket key prefix, e.g. OPS")
    create.add_argument("--admin-email", required=True)
    create.add_argument("--admin-name")
    args = parser.parse_args(argv)

    try:
        project, admin, issued = PeopleService(DirectoryRepository()).create_project(
            args.name, args.key, args.admin_email, args.admin_name)
    except DomainError as error:
        print(f"error: {error.message}", file=sys.stderr)
        return 2
    print(json.dumps({"project_id": project.id, "project_key": project.key, "admin_user_id": admin.user_id,
                      "api_key": issued.token}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
