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


def test_the_watched_tickets_index_lists_a_persons_watched_live_tickets_newest_first(repo, project_id):
    from chalicelib.domain import search
    from chalicelib.domain.search import TicketQuery

    tickets = [make_ticket(project_id, n) for n in range(1, 6)]
    for ticket in tickets:
        repo.create(ticket, entry(ticket))
    repo.add_watchers([watcher(t, "u7") for t in tickets] + [watcher(tickets[0], "team:t1")])
    repo.save_watcher(watcher(tickets[1], "u7", watching.UNSUBSCRIBED))
    repo.delete(tickets[2], entry(tickets[2], "TICKET_DELETED", 1))
    other = make_ticket(project_id + "x", 9)
    repo.create(other, entry(other))
    repo.add_watchers([watcher(other, "u7")])

    def found(**query) -> list[str]:
        wanted = TicketQuery(watching="u7", **query)
        result = repo.search(project_id, search.plan(wanted), wanted, NOW, 10)
        return [t.id for t in result.tickets]

    assert found() == [tickets[4].id, tickets[3].id, tickets[0].id]
    assert found(sort="-created") == [tickets[0].id, tickets[3].id, tickets[4].id]
    assert found(severity=("low",)) == []
    wanted = TicketQuery(watching="u7")
    page = repo.search(project_id, search.plan(wanted), wanted, NOW, 2)
    assert [t.id for t in page.tickets] == [tickets[4].id, tickets[3].id] and page.resume_after is not None
    rest = repo.search(project_id, search.plan(wanted).after(page.resume_after), wanted, NOW, 2)
    assert [t.id for t in rest.tickets] == [tickets[0].id] and rest.resume_after is None
