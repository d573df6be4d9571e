"""Mentions resolved as comments and descriptions are written, on the in-memory ports: what is
stored, what comments list, and when the project's people are read at all."""
import pytest

from chalicelib.errors import ValidationFailed
from chalicelib.schemas import people as people_schemas
from chalicelib.schemas import tickets as ticket_schemas


@pytest.fixture
def crew(desk):
    """Ana (a member), Zoë (a viewer) and their team, beside the admin."""
    people = desk.services.people
    ana = people.add_member(desk.principal, people_schemas.MemberCreate(
        email="ana@example.com", name="Ana Lima", role="member")).member
    zoe = people.add_member(desk.principal, people_schemas.MemberCreate(
        email="zoe@example.com", name="Zoë Ångström", role="viewer")).member
    team = people.create_team(desk.principal, people_schemas.TeamCreate(name="Infra", members=[ana.user_id]))
    return {"ana": ana.user_id, "zoe": zoe.user_id, "team": f"team:{team.id}"}


@pytest.fixture
def reads(desk, monkeypatch):
    """Counts the reads of the project's members and teams (the real in-memory directory answers)."""
    counted = {"members": 0, "teams": 0}
    directory = desk.services.directory
    for name in counted:
        real = getattr(directory, name)

        def counting(*args, _real=real, _name=name):
            counted[_name] += 1
            return _real(*args)
        monkeypatch.setattr(directory, name, counting)
    return counted


def test_a_comment_stores_tokens_for_the_projects_people_only(desk, crew):
    ticket = desk.create_ticket()
    made = desk.comment(ticket["id"], f"@ana@example.com and <@{crew['team']}>, ask <@{crew['zoe']}>; "
                                      "not <@stranger>, nor `<@stranger>`, nor mail ana@example.com")
    expected = (f"<@{crew['ana']}> and <@{crew['team']}>, ask <@{crew['zoe']}>; not @stranger, nor `<@stranger>`, "
                "nor mail ana@example.com")
    assert made["comment"] == expected
    [listed] = desk.comments(ticket["id"])["data"]
    assert listed["body"] == expected and listed["mentions"] == [crew["ana"], crew["team"], crew["zoe"]]


def test_a_description_is_resolved_on_create_and_on_change(desk, crew):
    ticket = desk.create_ticket(description="for @zoe@example.com, <@nobody>")
    assert ticket["description"] == f"for <@{crew['zoe']}>, @nobody"
    changed = desk.patch(ticket["id"], {"description": "now @ana@example.com"})
    assert changed["description"] == f"now <@{crew['ana']}>"


def test_bulk_comments_are_resolved_once_for_every_ticket(desk, crew):
    tickets = [desk.create_ticket()["id"] for _ in range(2)]
    body = ticket_schemas.TicketBulk.model_validate({"ticket_ids": tickets, "change": {"severity": "low"},
                                                     "comment": "cc @ana@example.com"})
    desk.services.bulk_changes.apply(desk.principal, body, None)
    for ticket_id in tickets:
        assert [c["body"] for c in desk.comments(ticket_id)["data"]] == [f"cc <@{crew['ana']}>"]


def test_people_are_read_only_when_the_text_holds_an_at_sign(desk, crew, reads):
    ticket = desk.create_ticket(description="no one here")
    desk.comment(ticket["id"], "nor here")
    desk.patch(ticket["id"], {"description": "still no one"})
    assert reads == {"members": 0, "teams": 0}
    desk.comment(ticket["id"], "<@stranger>")
    assert reads == {"members": 1, "teams": 1}


@pytest.mark.parametrize("write, field", [("comment", "comment"), ("create", "description"),
                                          ("patch", "description"), ("bulk", "comment")])
def test_more_than_twenty_mentions_are_refused_naming_the_field_and_nothing_is_written(desk, write, field):
    people = desk.services.people
    ids = [people.add_member(desk.principal, people_schemas.MemberCreate(
        email=f"m{n}@example.com", role="viewer")).member.user_id for n in range(21)]
    text = " ".join(f"<@{user_id}>" for user_id in ids)
    ticket = desk.create_ticket()
    before = desk.history(ticket["id"])["data"]
    with pytest.raises(ValidationFailed) as refused:
        if write == "comment":
            desk.comment(ticket["id"], text)
        elif write == "create":
            desk.create_ticket(description=text)
        elif write == "patch":
            desk.patch(ticket["id"], {"description": text})
        else:
            desk.services.bulk_changes.apply(desk.principal, ticket_schemas.TicketBulk.model_validate(
                {"ticket_ids": [ticket["id"]], "change": {"severity": "low"}, "comment": text}), None)
    assert [d.field for d in refused.value.details] == [field]
    assert desk.history(ticket["id"])["data"] == before
