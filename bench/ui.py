"""How fast the web UI is for a person, in Debian's Chromium against the real local stack.

    .venv/bin/python -m bench.ui
    .venv/bin/python -m bench.ui --runs 20 --tickets 300 --json ui.json

It starts `python -m chalicelib.local.stack` as a child process (fresh state dir, free ports),
creates --tickets tickets through the API (mixed severities, statuses and tags), waits for the
stream to index them, then measures with Playwright, each --runs times:

- first load: a new browser context (empty cache, the demo admin's session cookie: the stack's
  one-time sign-in link is used once, before the runs) opens the project's list until its rows
  are on screen and settled (the table no longer busy);
- open a ticket: a click on a row's title until the ticket's heading and timeline are shown;
- apply a filter: ticking a severity in the Severity filter until the filtered rows are settled.

Times are wall-clock from the action to the state, as Playwright sees them (it polls every few ms).
It also reports the bytes the first load ships, gzipped (what API Gateway sends with
minimum_compression_size), from the built files.
"""
import argparse
import gzip
import json
import platform
import random
import re
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests
from playwright.sync_api import sync_playwright

from chalicelib.local.stack_process import StackProcess

ROOT = Path(__file__).resolve().parents[1]
STATIC = ROOT / "chalicelib" / "static"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-quic", "--disable-sync"]
SEVERITIES = ["critical", "high", "medium", "low"]
WORDS = "disk full latency timeout checkout login export certificate queue backlog memory leak".split()


def shipped_bytes() -> dict:
    """The page and what it loads before the list can show, gzipped at the highest level."""
    page = (STATIC / "index.html").read_text()
    first = ["index.html"] + ["assets/" + name for name in re.findall(r'ui/assets/([^"]+)"', page)]
    later = sorted(f"assets/{p.name}" for p in (STATIC / "assets").iterdir() if f"assets/{p.name}" not in first)

    def gz(name: str) -> int:
        return len(gzip.compress((STATIC / name).read_bytes(), compresslevel=9))
    return {"first_load": {name: gz(name) for name in first}, "first_load_total": sum(gz(n) for n in first),
            "with_a_ticket": {name: gz(name) for name in later}}


def seed(info: dict, count: int) -> None:
    base = f"{info['api_url']}/v1/ce/projects/{info['project_id']}"
    headers = {"Authorization": f"Bearer {info['api_key']}"}
    rng = random.Random(7)

    def create(n: int) -> None:
        words = rng.sample(WORDS, 3)
        body = {"title": f"{' '.join(words).capitalize()} on host-{n}", "severity": rng.choice(SEVERITIES),
                "description": f"Seen at {n} past the hour.\n\n- {words[0]}\n- {words[1]}", "tags": words[:2]}
        ticket = requests.post(base + "/tickets", json=body, headers=headers, timeout=30).json()
        if n % 3 == 0:
            requests.patch(f"{base}/tickets/{ticket['id']}", json={"status": "acknowledged"}, headers=headers,
                           timeout=30)
        if n % 5 == 0:
            requests.post(f"{base}/tickets/{ticket['id']}/comments", json={"comment": "Looking into it"},
                          headers=headers, timeout=30)

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(create, range(count)))
    # The queues' counts and the search index are the stream's: wait for them to settle.
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        views = requests.get(base + "/views", headers=headers, timeout=30).json()["data"]
        recent = next(view for view in views if view["id"] == "builtin:recent")
        if recent.get("count") == count:
            return
        time.sleep(0.5)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def summary(values: list[float]) -> dict:
    return {"runs": len(values), "p50_ms": round(statistics.median(values) * 1000),
            "p90_ms": round(percentile(values, 0.9) * 1000), "max_ms": round(max(values) * 1000)}


def measure(info: dict, runs: int) -> dict:
    times: dict[str, list[float]] = {"first_load": [], "open_ticket": [], "apply_filter": []}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        signing_in = browser.new_context()
        page = signing_in.new_page()
        page.goto(info["ui_url"])
        page.get_by_role("button", name="Sign in", exact=True).click()
        page.wait_for_url(re.compile("/projects/"))
        cookies = signing_in.storage_state()
        signing_in.close()
        for run in range(runs):
            context = browser.new_context(viewport={"width": 1280, "height": 800}, storage_state=cookies)
            page = context.new_page()
            settled = page.locator("table[aria-busy=false] tbody tr").first
            started = time.perf_counter()
            page.goto(f"{info['api_url']}/projects/{info['project_id']}")
            settled.wait_for()
            times["first_load"].append(time.perf_counter() - started)

            link = page.locator("table tbody tr").nth(run % 10).get_by_role("link")
            started = time.perf_counter()
            link.click()
            page.locator(".timeline li").first.wait_for()
            page.get_by_role("heading", level=1).wait_for()
            times["open_ticket"].append(time.perf_counter() - started)

            page.go_back()
            settled.wait_for()
            page.locator("summary", has_text="Severity").click()
            severity = SEVERITIES[run % 4]
            started = time.perf_counter()
            page.get_by_role("checkbox", name=severity.capitalize()).check()
            page.wait_for_url(re.compile(f"severity={severity}"))
            page.locator(f"table[aria-busy=false] tbody tr.sev-{severity}").first.wait_for()
            times["apply_filter"].append(time.perf_counter() - started)
            context.close()
        browser.close()
    return {name: summary(values) for name, values in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--tickets", type=int, default=300)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    if not (STATIC / "index.html").exists():
        sys.exit("build the UI first: make ui")
    with tempfile.TemporaryDirectory() as folder:
        stack = StackProcess(Path(folder), ready_timeout=120)
        try:
            info = stack.start()
            seed(info, args.tickets)
            result = {"tickets": args.tickets, "timings": measure(info, args.runs), "bytes": shipped_bytes(),
                      "machine": f"{platform.machine()}, {platform.python_version()}"}
        finally:
            stack.stop()
    print(json.dumps(result, indent=2))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
