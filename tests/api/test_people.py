"""An API key as DynamoDB stores it (members, teams and keys over HTTP: tests/rules/test_people.py)."""


def test_api_key_secret_is_shown_once_and_stored_hashed(api):
    alice = api.add_member("member")
    created = api.post("/api-keys", {"name": "laptop", "user_id": alice["user_id"]})
    assert created.status_code == 201
    key = created.json
    assert key["role"] == "member" and key["automation"] is False and key["secret"].startswith("tkt_")
    listed = api.get("/api-keys").json["data"]
    assert all("secret" not in k for k in listed)
    assert key["id"] in {k["id"] for k in listed}

    from chalicelib.adapters.dynamodb.models import ApiKeyItem, project_pk, API_KEY_SK_PREFIX
    stored = ApiKeyItem.get(project_pk(api.project_id), API_KEY_SK_PREFIX + key["id"])
    assert key["secret"].split("_", 3)[3] not in stored.secret_hash
