"""The digest storage contract, held by moto, DynamoDB Local and memory alike: a line queued twice
is one line, an hour's lines are read together, a recipient is claimed once until released, and an
hour is done once finished."""
from chalicelib.domain.clock import new_id
from chalicelib.domain.digest import Line

EXPIRES = 2_000_000_000


def a_line(event_id: str) -> Line:
    return Line(event_id=event_id, project_id="p", ticket_id="t", key="OPS-1", title="Disk full",
                at="2026-06-01T13:20:00.000Z", text="Ada commented: hi", recipient_name="Bob", reason="you watch OPS-1")


def test_lines_claims_and_hours(repo):
    hour, other = f"2026-06-01T13-{new_id()}", f"2026-06-01T14-{new_id()}"
    first, second = a_line(new_id()), a_line(new_id())
    repo.queue_digest_line(hour, "Bob@example.com", first, EXPIRES)
    repo.queue_digest_line(hour, "bob@example.com", first, EXPIRES)
    repo.queue_digest_line(hour, "cat@example.com", second, EXPIRES)
    found = repo.digest_lines(hour)
    assert sorted((address.lower(), line.event_id) for address, line in found) == sorted(
        [("bob@example.com", first.event_id), ("cat@example.com", second.event_id)])
    assert dict((line.event_id, line) for _, line in found)[first.event_id] == first
    assert repo.digest_lines(other) == []
    assert repo.claim_digest(hour, "bob@example.com", EXPIRES) is True
    assert repo.claim_digest(hour, "BOB@example.com", EXPIRES) is False
    repo.release_digest(hour, "bob@example.com")
    assert repo.claim_digest(hour, "bob@example.com", EXPIRES) is True
    assert repo.claim_digest(other, "bob@example.com", EXPIRES) is True
    assert repo.digest_hours_done([hour, other]) == set()
    repo.finish_digest_hour(hour, EXPIRES)
    assert repo.digest_hours_done([hour, other]) == {hour}
