"""The storage contract of a ticket's watchers, on moto, DynamoDB Local and in memory: an event's
watchers are added once and never over one already there (an unsubscribe is remembered), a
person's own choice is saved over it, and a ticket's details never read them."""
from chalicelib.domain import watching
from chalicelib.domain.watching import Watcher
from tests.contract.test_repositories import entry, make_ticket

NOW = "2026-01-01T00:05:00.000Z"


def watcher(ticket, ref: str, state: str = watching.WATCHING, reason: str = watching.REPORTER) -> Watcher:
    return Watcher(ticket.id, ticket.project_id, ref, state, reason, "u1", NOW, ticket.sort_key)


def test_watchers_are_added_once_and_listed_in_every_state(repo, project_id):
    ticket = make_ticket(project_id, 1)
    repo.create(ticket, entry(ticket))
    assert repo.watchers(ticket.id) == []
    first = [watcher(ticket, "u1"), watcher(ticket, "team:t1", reason=watching.ASSIGNEE)]
    assert repo.add_watchers(first) == first
    assert sorted(repo.watchers(ticket.id), key=lambda w: w.watcher) == sorted(first, key=lambda w: w.watcher)
    # A replayed event finds them: nothing is added, nothing changes.
    assert repo.add_watchers([watcher(ticket, "u1", reason=watching.COMMENTER)]) == []
    assert {w.watcher: w.reason for w in repo.watchers(ticket.id)} == {"u1": "reporter", "team:t1": "assignee"}


def test_an_unsubscribe_outlives_the_events_that_would_subscribe_again(repo, project_id):
    ticket = make_ticket(project_id, 1)
    repo.create(ticket, entry(ticket))
    repo.add_watchers([watcher(ticket, "u2", reason=watching.ASSIGNEE)])
    repo.save_watcher(watcher(ticket, "u2", watching.UNSUBSCRIBED, watching.ASSIGNEE))
    added = repo.add_watchers([watcher(ticket, "u2", reason=watching.MENTIONED), watcher(ticket, "u3")])
    assert [w.watcher for w in added] == ["u3"]
    assert {w.watcher: w.state for w in repo.watchers(ticket.id)} == {"u2": "unsubscribed", "u3": "watching"}
    repo.save_watcher(watcher(ticket, "u2", reason=watching.SUBSCRIBED))
    assert {w.watcher: (w.state, w.reason) for w in repo.watchers(ticket.id)}["u2"] == ("watching", "subscribed")


def test_a_tickets_details_never_read_its_watchers(repo, project_id):
    ticket = make_ticket(project_id, 1)
    repo.create(ticket, entry(ticket))
    repo.add_watchers([watcher(ticket, f"u{n}") for n in range(30)])
    detail = repo.detail(ticket.id)
    assert detail.ticket == ticket and [h.event for h in detail.history] == ["TICKET_CREATED"]
    assert len(repo.watchers(ticket.id)) == 30
