"""Signing in to `make run`: stack.json's ui_url is a one-time link for the demo admin, made anew at
every start; codes asked by email show in the stack's log; data of the version before accounts is
migrated at start."""
import re
import time

import boto3
import requests

from chalicelib.local import provision
from tests.local.conftest import api

DIRECTORY = provision.resource_names("local")["DirectoryTable"]


def link_token(info: dict) -> str:
    prefix = f"{info['api_url']}/sign-in#link="
    assert info["ui_url"].startswith(prefix), info["ui_url"]
    return info["ui_url"][len(prefix):]


def sign_in(info: dict, path: str, body: dict, **kwargs) -> requests.Response:
    # A browser's form post from the app's own page: the Origin is the app's.
    return requests.post(f"{info['api_url']}/v1/ce/sign-in/{path}", json=body,
                         headers={"Origin": info["api_url"]}, timeout=10, **kwargs)


def session_of(info: dict, signed_in: requests.Response) -> dict:
    answer = requests.get(f"{info['api_url']}/v1/ce/session", cookies=signed_in.cookies, timeout=10)
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_the_ui_url_signs_the_demo_admin_in_once_and_each_start_makes_a_new_one(stack):
    first = stack.start()
    token = link_token(first)
    signed_in = sign_in(first, "link", {"token": token})
    assert signed_in.status_code == 200, signed_in.text
    cookie = signed_in.headers["Set-Cookie"]
    assert cookie.startswith("ticketry_session=") and "HttpOnly" in cookie
    assert "secure" not in cookie.lower()  # plain HTTP on 127.0.0.1: a Secure cookie would never come back
    projects = session_of(first, signed_in)["projects"]
    assert [(p["id"], p["role"]) for p in projects] == [(first["project_id"], "admin")]
    used = sign_in(first, "link", {"token": token})
    assert used.status_code == 400 and used.json()["error"]["code"] == "link_expired", used.text
    assert stack.stop() == 0

    second = stack.start()
    assert second["ui_url"] != first["ui_url"]
    assert (second["project_id"], second["api_key"]) == (first["project_id"], first["api_key"])
    assert sign_in(second, "link", {"token": link_token(first)}).status_code == 400
    assert sign_in(second, "link", {"token": link_token(second)}).status_code == 200
    assert stack.stop() == 0
    assert stack.output.read_text().count(second["ui_url"]) == 1  # printed, for whoever runs it


def test_a_sign_in_code_shows_in_the_log_and_signs_in(stack):
    info = stack.start()
    asked = sign_in(info, "email", {"email": "Admin@Demo.local"})
    assert asked.status_code == 202, asked.text
    deadline, code = time.monotonic() + 15, None
    while code is None and time.monotonic() < deadline:
        found = re.search(r"sign-in code for admin@demo\.local: (\d{6})\b", stack.output.read_text())
        code = found and found.group(1)
        time.sleep(0.1)
    assert code, "no sign-in code in the log within 15 s"
    signed_in = sign_in(info, "code", {"code": code}, cookies=asked.cookies)
    assert signed_in.status_code == 200, signed_in.text
    assert session_of(info, signed_in)["projects"][0]["id"] == info["project_id"]
    assert stack.stop() == 0


def directory(stack):
    return boto3.resource("dynamodb", endpoint_url=f"http://127.0.0.1:{stack.ports['DYNAMODB_PORT']}",
                          region_name="us-east-1", aws_access_key_id="local",
                          aws_secret_access_key="local").Table(DIRECTORY)


def as_before_accounts(table, project_id: str) -> list[str]:
    """Makes the project's members what the version before accounts stored: a member item with no
    account_id and no account items (account, email guard, both membership items). Their emails."""
    members = table.query(KeyConditionExpression="pk = :pk AND begins_with(sk, :member)",
                          ExpressionAttributeValues={":pk": f"P#{project_id}", ":member": "MEMBER#"},
                          ConsistentRead=True)["Items"]
    for member in members:
        account_id = member.get("account_id")
        assert account_id, member
        for key in ({"pk": f"A#{account_id}", "sk": "ACCOUNT"}, {"pk": f"AEMAIL#{member['email']}", "sk": "ACCOUNT"},
                    {"pk": f"A#{account_id}", "sk": f"PROJECT#{project_id}"},
                    {"pk": f"P#{project_id}", "sk": f"ACCOUNT#{account_id}"}):
            table.delete_item(Key=key, ConditionExpression="attribute_exists(pk)")
        table.update_item(Key={"pk": member["pk"], "sk": member["sk"]}, UpdateExpression="REMOVE account_id")
    return sorted(member["email"] for member in members)


def test_a_start_gives_accounts_to_members_stored_before_accounts_existed(stack):
    info = stack.start()
    bob = api(info, "POST", "/members", json={"email": "bob@example.com", "name": "Bob", "role": "member"})
    assert bob.status_code == 201, bob.text
    assert as_before_accounts(directory(stack), info["project_id"]) == ["admin@demo.local", "bob@example.com"]
    assert stack.stop() == 0

    again = stack.start()
    members = {m["email"]: m for m in api(again, "GET", "/members").json()["data"]}
    assert set(members) == {"admin@demo.local", "bob@example.com"}
    assert all(m["account_id"] for m in members.values()), members
    assert members["bob@example.com"]["state"] == "invited"
    # The demo admin's account is the migration's: the new link signs it in.
    signed_in = sign_in(again, "link", {"token": link_token(again)})
    assert signed_in.status_code == 200, signed_in.text
    assert session_of(again, signed_in)["principal"]["account_id"] == members["admin@demo.local"]["account_id"]
    assert stack.stop() == 0
