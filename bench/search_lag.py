"""How soon a change is findable by full-text search on the real local stack.

    .venv/bin/python -m bench.search_lag
    .venv/bin/python -m bench.search_lag --changes 30 --json lag.json

It starts `python -m chalicelib.local.stack` as a child process (fresh state dir, free ports) and,
through the HTTP API of the seeded demo project, makes changes one at a time, each 1-2 s (random)
after the previous one was found, so that a change falls anywhere in the pump's poll cycle: a new
ticket, a title edit and a comment, each with a word no other ticket has. After each change it
searches for that word every 20 ms until the ticket is found. The lag is the time from the moment
the change's request returned to the answer that first held the ticket (so it includes up to one
search's own time); the first change after the start is reported on its own (cold clients).
"""
import argparse
import json
import math
import platform
import random
import secrets
import sys
import tempfile
import time
from pathlib import Path

import requests

from chalicelib.local.stack_process import StackProcess

POLL_SECONDS = 0.02
GIVE_UP_SECONDS = 30.0
PAUSE = (1.0, 2.0)


def run(changes: int, log=print) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        stack = StackProcess(Path(folder))
        try:
            info = stack.start()
            base = f"{info['api_url']}/v1/ce/projects/{info['project_id']}"
            session = requests.Session()
            session.headers["Authorization"] = f"Bearer {info['api_key']}"
            lags: dict[str, list[float]] = {"created": [], "title edited": [], "commented": []}
            first = None
            rng = random.Random(7)
            ticket = None
            for n in range(changes):
                kind = ("created", "title edited", "commented")[n % 3]
                word = "w" + secrets.token_hex(6)
                if kind == "created":
                    response = session.post(f"{base}/tickets", json={
                        "title": f"Disk full {word}", "description": "on /var", "severity": "low"}, timeout=10)
                    ticket = response.json()["id"]
                elif kind == "title edited":
                    response = session.patch(f"{base}/tickets/{ticket}", json={"title": f"Disk {word}"}, timeout=10)
                else:
                    response = session.post(f"{base}/tickets/{ticket}/comments", json={"comment": f"see {word}"},
                                            timeout=10)
                response.raise_for_status()
                changed = time.perf_counter()
                while True:
                    found = session.get(f"{base}/tickets", params={"q": word}, timeout=10).json()["data"]
                    if any(t["id"] == ticket for t in found):
                        break
                    if time.perf_counter() - changed > GIVE_UP_SECONDS:
                        raise RuntimeError(f"{kind} {ticket} not findable by {word} after {GIVE_UP_SECONDS}s")
                    time.sleep(POLL_SECONDS)
                lag = time.perf_counter() - changed
                if first is None:
                    first = lag
                else:
                    lags[kind].append(lag)
                time.sleep(rng.uniform(*PAUSE))
            stack.stop()
        finally:
            stack.kill()
    every = sorted(lag for values in lags.values() for lag in values)
    return {"changes": changes, "first_after_start_s": first,
            "by_change": {kind: _figures(values) for kind, values in lags.items() if values},
            "all": _figures(every)}


def _figures(values: list[float]) -> dict:
    ordered = sorted(values)

    def pct(p: float) -> float:
        return round(ordered[max(1, math.ceil(p / 100 * len(ordered))) - 1], 3)

    return {"n": len(ordered), "p50_s": pct(50), "p95_s": pct(95), "max_s": round(ordered[-1], 3)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.search_lag", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--changes", type=int, default=31, help="changes made (default 31: 10 of each after the first)")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args(argv)
    figures = run(args.changes)
    machine = f"{platform.python_version()} on {platform.machine()}"
    print(f"Python {machine}; {args.changes} changes; first after start {figures['first_after_start_s']:.3f} s\n")
    print("| change | n | p50 s | p95 s | max s |\n|---|---|---|---|---|")
    for kind, f in [*figures["by_change"].items(), ("all", figures["all"])]:
        print(f"| {kind} | {f['n']} | {f['p50_s']} | {f['p95_s']} | {f['max_s']} |")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
