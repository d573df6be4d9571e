"""Nasty strings through every kind of text the API stores or reads: each one is stored and read
back exactly (as documented: tags trimmed, lowercased, composed and without invisible characters,
file names made safe) or refused with a 400 that names the field. Never a 500, never a changed value."""
import json
import unicodedata
from urllib.parse import quote

import pytest

from chalicelib.domain.attachments import clean_file_name

NASTY = {
    "rtl override": "invoice\u202egpj.exe",
    "zero width": "a\u200bb\u200c\u200dc\ufeff",
    "emoji": "🔥 outage 👩\u200d👩\u200d👧 🇺🇦",
    "nul": "before\x00after",
    "lone surrogate": "\ud800",
    "one megabyte": "x" * 1_000_000,
    # As many characters as a description or comment may have, each stored in JSON as 12 bytes.
    "longest emoji text": "\U0001f525" * 65536,
    "html": "<script>alert(1)</script><img src=x onerror=alert(1)>",
    "crlf": "line\r\nSet-Cookie: stolen=1\r\n\r\n",
    "sql": "'; DROP TABLE tickets; -- \" OR 1=1",
    "json": '{"$ne": null, "__proto__": {"admin": true}}',
    "path traversal": "../../../etc/passwd",
    "windows path": "..\\..\\windows\\system32\\cmd.exe",
    "combining": "Zalgo\u0301\u0302\u0303\u0304\u0305",
    "wide": "ｕｎｉｃｏｄｅ　ｓｐａｃｅ",
}
CASES = sorted(NASTY.items())


# Zero-width characters and bidi controls: a tag is kept without them.
INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"


def as_tag(value: str) -> str:
    """A tag as documented: without invisible characters, trimmed, in lower case, composed (NFC)."""
    return unicodedata.normalize("NFC", "".join(c for c in value if c not in INVISIBLE).strip().lower())


def refused(response, field: str) -> bool:
    """A 400 naming the field (or a part of it, `tags` for `tags.3`)."""
    if response.status_code != 400:
        return False
    fields = [d["field"] for d in response.json["error"]["details"]]
    return any(f == field or f.startswith(field + ".") for f in fields)


def text(response) -> str:
    body = response.body or b""
    return body.decode() if isinstance(body, bytes) else body


@pytest.mark.parametrize("name,value", CASES)
def test_ticket_fields_round_trip_or_are_refused(api, name, value):
    for field in ("title", "description"):
        created = api.post("/tickets", {"title": "t", "description": "", "severity": "low"} | {field: value})
        if created.status_code == 201:
            ticket = api.get(f"/tickets/{created.json['id']}").json
            assert ticket[field] == value, (name, field)
            changed = api.patch(f"/tickets/{ticket['id']}", {field: value + "!"})
            assert changed.status_code == 200, (name, changed.body)
            assert api.get(f"/tickets/{ticket['id']}").json[field] == value + "!"
        else:
            assert refused(created, field), (name, field, created.status_code, text(created)[:300])


@pytest.mark.parametrize("name,value", CASES)
def test_tags_round_trip_as_documented_or_are_refused(api, name, value):
    created = api.post("/tickets", {"title": "t", "description": "", "severity": "low", "tags": [value]})
    if created.status_code == 201:
        assert api.get(f"/tickets/{created.json['id']}").json["tags"] == [as_tag(value)], name
    else:
        assert refused(created, "tags"), (name, created.status_code, text(created)[:300])


@pytest.mark.parametrize("name,value", CASES)
def test_comments_round_trip_or_are_refused(api, name, value):
    ticket = api.create_ticket()
    added = api.post(f"/tickets/{ticket['id']}/comments", {"comment": value})
    if added.status_code == 201:
        history = api.get(f"/tickets/{ticket['id']}/history?event=COMMENT_ADDED").json["data"]
        assert [entry["comment"] for entry in history] == [value], name
    else:
        assert refused(added, "comment"), (name, added.status_code, text(added)[:300])


@pytest.mark.parametrize("name,value", CASES)
def test_search_words_are_searched_or_refused(api, name, value):
    # Sent as UTF-8, percent-encoded; a lone surrogate cannot be (surrogatepass spells it in bytes
    # that are no UTF-8).
    encoded = quote(value.encode("utf-8", "surrogatepass"))
    response = api.get(f"/tickets?q={encoded}")
    if response.status_code == 200:
        assert response.json["data"] == [] and response.json["cursor"] is None, name
    else:
        assert refused(response, "q"), (name, response.status_code, text(response)[:300])


@pytest.mark.parametrize("name,value", CASES)
def test_view_names_and_queries_round_trip_or_are_refused(api, name, value):
    created = api.post("/views", {"name": value, "query": "sort=updated"})
    if created.status_code == 201:
        assert api.get(f"/views/{created.json['id']}").json["name"] == value.strip(), name
    else:
        assert refused(created, "name"), (name, created.status_code, text(created)[:300])
    as_query = api.post("/views", {"name": "v", "query": "tags=" + quote(value.encode("utf-8", "surrogatepass"))})
    if as_query.status_code == 201:
        assert api.get(f"/views/{as_query.json['id']}").status_code == 200
    else:
        assert refused(as_query, "query"), (name, as_query.status_code, text(as_query)[:300])


@pytest.mark.parametrize("name,value", CASES)
def test_file_names_are_made_safe_or_refused(api, name, value):
    ticket = api.create_ticket()
    started = api.post(f"/tickets/{ticket['id']}/attachments",
                       {"file_name": value, "content_type": "text/plain", "size": 1})
    if started.status_code == 201:
        stored = started.json["attachment"]["file_name"]
        assert stored == clean_file_name(value), name
        assert not set(stored) & set("/\\\x00\r\n\u202e") and len(stored) <= 255 and stored not in ("", ".", "..")
        listed = api.get(f"/tickets/{ticket['id']}/attachments").json["data"]
        assert [a["file_name"] for a in listed] == [stored]
    else:
        assert refused(started, "file_name"), (name, started.status_code, text(started)[:300])


@pytest.mark.parametrize("name,value", CASES)
def test_webhook_names_round_trip_or_are_refused(api, name, value):
    created = api.post("/webhooks", {"name": value, "event_type": "*", "url": "https://example.com/hook"})
    if created.status_code == 201:
        assert api.get(f"/webhooks/{created.json['id']}").json["name"] == value, name
    else:
        assert refused(created, "name"), (name, created.status_code, text(created)[:300])


def test_every_answer_is_json_and_nothing_is_reflected_as_markup(api):
    response = api.post("/tickets", {"title": NASTY["html"], "description": NASTY["crlf"], "severity": "low"})
    assert response.status_code == 201
    assert response.headers["Content-Type"] == "application/json"
    assert json.loads(text(response))["title"] == NASTY["html"]
    assert "Set-Cookie" not in {k.title() for k in response.headers}
