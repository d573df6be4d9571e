"""The stack's processes: children end with the stack, a start stops only what its earlier run left."""
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from chalicelib.local.files import write_json
from chalicelib.local.supervisor import StackRunning, StopRequests, Supervisor, is_running, spawn, started_at


@pytest.fixture
def sleeper():
    process = subprocess.Popen(["sleep", "60"], start_new_session=True)
    yield process
    process.kill()
    process.wait()


def entry(name: str, process: subprocess.Popen) -> dict:
    return {"name": name, "pid": process.pid, "started": started_at(process.pid)}


def ended(process: subprocess.Popen) -> dict:
    """A process that was once recorded and has ended since."""
    process.kill()
    process.wait()
    return {"name": "gone", "pid": process.pid, "started": "1"}


def eventually(condition, timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.05)
    return condition()


def test_a_start_stops_what_its_earlier_run_left_behind(tmp_path, sleeper):
    record = tmp_path / "processes.json"
    write_json(record, {"stack": ended(subprocess.Popen(["true"])), "children": [entry("DynamoDB Local", sleeper)]})
    supervisor = Supervisor(record)
    supervisor.claim()
    assert sleeper.wait(timeout=5) == -signal.SIGTERM
    assert json.loads(record.read_text()) == {"stack": supervisor.me, "children": []}
    supervisor.release()
    assert not record.exists()


def test_a_pid_given_to_another_process_since_is_left_alone(tmp_path, sleeper):
    record = tmp_path / "processes.json"
    reused = {**entry("DynamoDB Local", sleeper), "started": "1"}
    write_json(record, {"stack": ended(subprocess.Popen(["true"])), "children": [reused]})
    Supervisor(record).claim()
    time.sleep(0.2)
    assert sleeper.poll() is None


def test_a_stack_still_running_is_refused_not_stopped(tmp_path, sleeper):
    record = tmp_path / "processes.json"
    child = subprocess.Popen(["sleep", "60"], start_new_session=True)
    try:
        write_json(record, {"stack": entry("the stack", sleeper), "children": [entry("DynamoDB Local", child)]})
        with pytest.raises(StackRunning, match=f"kill {sleeper.pid}"):
            Supervisor(record).claim()
        assert sleeper.poll() is None and child.poll() is None
    finally:
        child.kill()
        child.wait()


@pytest.mark.skipif(sys.platform != "linux", reason="the parent-death signal is Linux's")
def test_a_child_ends_when_the_process_that_started_it_is_killed():
    parent = subprocess.Popen(
        [sys.executable, "-c", "import subprocess, sys, time\n"
                               "from chalicelib.local.supervisor import spawn\n"
                               "print(spawn(['sleep', '60'], start_new_session=True).pid, flush=True)\n"
                               "time.sleep(60)"],
        stdout=subprocess.PIPE, text=True)
    pid = int(parent.stdout.readline())
    assert eventually(lambda: Path(f"/proc/{pid}/comm").read_text() == "sleep\n")  # started, not failed
    child = {"name": "sleep", "pid": pid, "started": started_at(pid)}
    parent.kill()
    parent.wait()
    assert eventually(lambda: not is_running(child))


def test_a_watched_part_that_dies_is_named(tmp_path):
    supervisor = Supervisor(tmp_path / "processes.json")
    process = spawn(["sleep", "60"])
    supervisor.started_process("DynamoDB Local", process)
    time.sleep(0.5)
    assert supervisor.failure() is None
    process.kill()
    process.wait()
    assert supervisor.failure() == "DynamoDB Local exited with code -9"


def test_two_sigterms_ask_for_one_stop_and_a_later_sigint_for_a_stop_at_once():
    previous = {signum: signal.getsignal(signum) for signum in (signal.SIGINT, signal.SIGTERM)}
    previous_wakeup = signal.set_wakeup_fd(-1)
    try:
        requests = StopRequests().install()
        os.kill(os.getpid(), signal.SIGTERM)
        os.kill(os.getpid(), signal.SIGTERM)
        requests.wait(1)
        assert requests.received == [signal.SIGTERM, signal.SIGTERM]
        assert requests.stop and not requests.now
        os.kill(os.getpid(), signal.SIGINT)
        requests.wait(1)
        assert requests.now
    finally:
        signal.set_wakeup_fd(previous_wakeup)
        for signum, handler in previous.items():
            signal.signal(signum, handler)


@pytest.mark.skipif(sys.platform != "linux", reason="/proc")
def test_a_process_whose_first_thread_has_ended_runs_while_another_does():
    """As a JVM on its way out: it still holds its ports."""
    process = subprocess.Popen([sys.executable, "-c", "import ctypes, threading, time\n"
                                                      "threading.Thread(target=time.sleep, args=(60,)).start()\n"
                                                      "ctypes.CDLL(None).pthread_exit(None)"])
    try:
        assert eventually(lambda: Path(f"/proc/{process.pid}/stat").read_text().rpartition(") ")[2][0] == "Z")
        assert started_at(process.pid) is not None
    finally:
        process.kill()
        process.wait()
    assert started_at(process.pid) is None
