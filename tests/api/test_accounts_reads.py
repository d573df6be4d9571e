"""What reading accounts and memberships costs on DynamoDB Local, by the requests made: the reads
a signed-in request's session lookup and the member list rely on."""
from chalicelib.adapters.dynamodb.tables import DirectoryRepository
from chalicelib.domain.clock import new_id
from tests.api.conftest import new_project
from tests.aws_calls import RECORDER


def calls_of(action) -> tuple[object, list[str]]:
    before = len(RECORDER.calls)
    result = action()
    return result, [c.operation for c in RECORDER.calls[before:]]


def test_an_accounts_projects_are_one_query_and_one_batch_read(client):
    email = f"bob-{new_id(8)}@example.com"
    apis = [new_project(client, key)[0] for key in ("OPS", "DEV", "SEC")]
    for role, api in zip(("admin", "member", "viewer"), apis):
        assert api.post("/members", {"email": email, "name": "Bob", "role": role}).status_code == 201
    directory = DirectoryRepository()
    account, operations = calls_of(lambda: directory.account_by_email(email))
    assert operations == ["GetItem", "GetItem"]   # the email's guard, then the account
    memberships, operations = calls_of(lambda: directory.memberships(account.id))
    assert operations == ["Query", "BatchGetItem"]
    assert {(m.project_id, m.role) for m in memberships} == {(a.project_id, r) for a, r in
                                                             zip(apis, ("admin", "member", "viewer"))}
    projects, operations = calls_of(lambda: directory.projects_of(account.id))
    assert operations == ["Query", "BatchGetItem"]
    assert {(p.key, m.role) for p, m in projects} == {("OPS", "admin"), ("DEV", "member"), ("SEC", "viewer")}


def test_the_member_list_reads_the_accounts_in_one_batch(client):
    api, _ = new_project(client)
    for n in range(5):
        api.post("/members", {"email": f"m{n}-{new_id(8)}@example.com", "name": f"M{n}", "role": "viewer"})
    response, operations = calls_of(lambda: api.get("/members"))
    assert len(response.json["data"]) == 6 and {m["state"] for m in response.json["data"]} == {"invited"}
    assert operations == ["BatchGetItem", "Query", "BatchGetItem"]   # the key and project, members, accounts


def test_adding_a_member_is_one_transaction_between_its_reads_and_its_email(client):
    api, _ = new_project(client)
    new = f"new-{new_id(8)}@example.com"
    response, operations = calls_of(lambda: api.post("/members", {"email": new, "role": "viewer"}))
    assert response.status_code == 201
    # The key and project; the email's guard (none); the member, its membership and the new
    # account at once; the admin's name for the invitation; the invitation.
    assert operations == ["BatchGetItem", "GetItem", "TransactWriteItems", "GetItem", "SendEmail"]
    other, _ = new_project(client, "DEV")
    response, operations = calls_of(lambda: other.post("/members", {"email": new, "role": "viewer"}))
    assert response.status_code == 201 and response.json["name"] == new.split("@")[0]
    assert operations == ["BatchGetItem", "GetItem", "GetItem", "TransactWriteItems", "GetItem", "SendEmail"]
