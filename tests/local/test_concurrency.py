"""Many requests at once against the local stack (its threaded API server on DynamoDB Local), so that
conditional writes really race: nothing accepted is lost, nothing rejected leaves a trace, and every
accepted change has exactly one history entry."""
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from chalicelib.local.stack_process import StackProcess

SEVERITIES = ("low", "medium", "high", "critical")


@pytest.fixture(scope="module")
def info(tmp_path_factory):
    stack = StackProcess(tmp_path_factory.mktemp("concurrency-stack"), ready_timeout=240)
    try:
        yield stack.start()
    finally:
        stack.kill()


class Project:
    def __init__(self, info: dict):
        self.base = f"{info['api_url']}/v1/ce/projects/{info['project_id']}"
        self.headers = {"Authorization": f"Bearer {info['api_key']}"}
        self.local = threading.local()

    def call(self, method: str, path: str, headers: dict | None = None, **kwargs) -> requests.Response:
        session = getattr(self.local, "session", None)
        if session is None:
            session = self.local.session = requests.Session()
        return session.request(method, self.base + path, headers=self.headers | (headers or {}), timeout=60, **kwargs)

    def history(self, ticket_id: str) -> list[dict]:
        """Every entry, oldest first."""
        entries, cursor = [], None
        while True:
            params = {"limit": 100} | ({"cursor": cursor} if cursor else {})
            page = self.call("GET", f"/tickets/{ticket_id}/history", params=params)
            assert page.status_code == 200, page.text
            entries += page.json()["data"]
            cursor = page.json()["cursor"]
            if not cursor:
                return entries[::-1]


@pytest.fixture(scope="module")
def project(info):
    return Project(info)


def all_at_once(jobs: list, workers: int | None = None) -> list:
    """Runs every job in a thread of its own, released together."""
    workers = workers or len(jobs)
    start = threading.Barrier(min(workers, len(jobs)))

    def run(job):
        try:
            start.wait(timeout=30)
        except threading.BrokenBarrierError:
            pass
        return job()

    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(run, jobs))


def patches(count: int) -> list[tuple[dict, bool]]:
    """Mixed changes, each with one value no other change has (so that each really changes the
    ticket and its history entry is recognisable); every other one pinned to the first version."""
    made = []
    for n in range(count):
        body = [{"title": f"title {n}"}, {"description": f"description {n}"}, {"tags": [f"tag-{n}", "shared"]},
                {"title": f"title {n}", "severity": SEVERITIES[n % 4]},
                {"description": f"description {n}", "tags": [f"tag-{n}"], "severity": SEVERITIES[(n + 1) % 4]}][n % 5]
        made.append((body, n % 2 == 0))
    return made


def test_parallel_patches_are_each_applied_once_in_version_order_or_cleanly_refused(project):
    created = project.call("POST", "/tickets", json={"title": "Racing", "description": "start", "severity": "low"})
    assert created.status_code == 201, created.text
    ticket = created.json()
    wanted = patches(50)

    def send(change):
        body, pinned = change
        return project.call("PATCH", f"/tickets/{ticket['id']}", json=body,
                            headers={"If-Match": '"1"'} if pinned else None)

    answers = all_at_once([lambda change=change: send(change) for change in wanted])

    outcomes = Counter(answer.status_code for answer in answers)
    assert set(outcomes) <= {200, 409, 412}, outcomes
    accepted = sorted(((answer.json()["version"], body) for answer, (body, _) in zip(answers, wanted)
                       if answer.status_code == 200), key=lambda pair: pair[0])
    assert accepted, outcomes
    for answer, (_, pinned) in zip(answers, wanted):
        if answer.status_code == 412:
            assert pinned and answer.json()["error"]["code"] == "precondition_failed"
        if answer.status_code == 409:
            assert answer.json()["error"]["code"] == "conflict"
    assert sum(1 for answer, (_, pinned) in zip(answers, wanted) if pinned and answer.status_code == 200) <= 1
    versions = [version for version, _ in accepted]
    assert versions == list(range(2, 2 + len(accepted))), "each accepted change is one new version"

    # Replaying the accepted changes in version order gives each history entry and the final ticket.
    fields = ("title", "description", "severity", "tags")
    state = {name: ticket[name] for name in fields}
    expected_changes = []
    for _, body in accepted:
        after = state | dict(body)
        expected_changes.append({name: {"old": state[name], "new": after[name]}
                                 for name in fields if after[name] != state[name]})
        state = after
    final = project.call("GET", f"/tickets/{ticket['id']}")
    assert final.status_code == 200
    assert final.json()["version"] == versions[-1]
    assert {name: final.json()[name] for name in fields} == state

    history = project.history(ticket["id"])
    updates = [entry for entry in history if entry["event"] == "TICKET_UPDATED"]
    assert [entry["event"] for entry in history] == ["TICKET_CREATED"] + ["TICKET_UPDATED"] * len(accepted)
    for entry, expected in zip(updates, expected_changes):
        assert {name: change for name, change in entry["changes"].items() if name in fields} == expected
    # Rejected changes left no trace: no entry carries their values.
    written = {repr(entry["changes"]) for entry in updates}
    for answer, (body, _) in zip(answers, wanted):
        if answer.status_code != 200:
            unique = next(iter(body.values()))
            assert not any(repr(unique) in text for text in written), body


def test_parallel_creates_get_unique_numbers_without_gaps(project):
    answers = all_at_once([lambda n=n: project.call("POST", "/tickets", json={
        "title": f"Alert {n}", "description": "", "severity": "medium"}) for n in range(200)])
    outcomes = Counter(answer.status_code for answer in answers)
    assert set(outcomes) == {201}, outcomes
    numbers = sorted(answer.json()["number"] for answer in answers)
    assert numbers == list(range(numbers[0], numbers[0] + 200)), "numbers are unique and gap-free"
    assert len({answer.json()["key"] for answer in answers}) == 200
    assert len({answer.json()["id"] for answer in answers}) == 200


def upload(project: Project, ticket_id: str, n: int) -> int:
    """Starts an upload as a client would: a start that keeps meeting other writes to the ticket is
    a documented 409 `conflict`, to be tried again."""
    content = f"log line {n}\n".encode() * 20
    for _ in range(10):
        started = project.call("POST", f"/tickets/{ticket_id}/attachments",
                               json={"file_name": f"log-{n}.txt", "content_type": "text/plain", "size": len(content)})
        if started.status_code != 409:
            break
        assert started.json()["error"]["code"] == "conflict", started.text
    if started.status_code != 201:
        return started.status_code
    form = started.json()["upload"]
    posted = requests.post(form["url"], data=form["fields"], files={"file": (f"log-{n}.txt", content)}, timeout=60)
    assert posted.status_code == 204, posted.text
    done = project.call("POST", f"/tickets/{ticket_id}/attachments/{started.json()['attachment']['id']}/complete")
    return done.status_code


def test_concurrent_comments_uploads_and_bulk_changes_lose_nothing(project):
    tickets = [project.call("POST", "/tickets", json={"title": f"Shared {n}", "description": "", "severity": "low"}).json()
               for n in range(4)]
    ids = [ticket["id"] for ticket in tickets]
    jobs = []
    for ticket_id in ids:
        jobs += [lambda t=ticket_id, n=n: ("comment", t, project.call("POST", f"/tickets/{t}/comments",
                                                                        json={"comment": f"comment {n}"}))
                 for n in range(6)]
        jobs += [lambda t=ticket_id, n=n: ("upload", t, upload(project, t, n)) for n in range(3)]
    jobs += [lambda n=n: ("bulk", None, project.call("POST", "/tickets/bulk", json={
        "ticket_ids": ids, "change": {"add_tags": [f"bulk-{n}"]}, "comment": f"bulk {n}"})) for n in range(8)]

    results = all_at_once(jobs)

    comments, uploads, bulk_done = Counter(), Counter(), {ticket_id: [] for ticket_id in ids}
    for kind, ticket_id, answer in results:
        if kind == "comment":
            assert answer.status_code == 201, answer.text
            comments[ticket_id] += 1
        elif kind == "upload":
            assert answer == 200
            uploads[ticket_id] += 1
        else:
            assert answer.status_code == 200, answer.text
            for result in answer.json()["results"]:
                assert result["status"] in (200, 409), result
                if result["status"] == 200:
                    bulk_done[result["id"]].append(answer.request.body)
    for ticket_id in ids:
        detail = project.call("GET", f"/tickets/{ticket_id}").json()
        history = project.history(ticket_id)
        events = Counter(entry["event"] for entry in history)
        made = len(bulk_done[ticket_id])
        assert events["COMMENT_ADDED"] == comments[ticket_id] + made, events
        assert events["ATTACHMENT_ADDED"] == uploads[ticket_id] == 3
        assert events["TICKET_UPDATED"] == made, "each bulk change that reached the ticket added a tag"
        assert len(detail["attachments"]) == 3
        bulk_tags = {tag for tag in detail["tags"] if tag.startswith("bulk-")}
        assert len(bulk_tags) == made
        assert detail["version"] == 1 + made
