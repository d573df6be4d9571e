"""What holds the local stack together: signals only ask for a stop, a part that dies stops the rest,
and no process the stack starts outlives it or the run that started it."""
import logging
import os
import select
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Callable

from chalicelib.local import netns
from chalicelib.local.files import read_json, write_json

log = logging.getLogger(__name__)


class StopRequested(Exception):
    """A stop was asked for while the stack was still starting."""


class StackRunning(RuntimeError):
    """The stack recorded in the state dir still runs."""


class StopRequests:
    """SIGINT and SIGTERM, as the main thread sees them. The handler appends to a list (one call into
    C, so a signal that interrupts it loses nothing) and takes no lock: a second signal arriving while
    the first is handled runs the handler again in the same thread, and a lock held by the first would
    never be released. Python's wakeup fd wakes the main thread's wait()."""

    def __init__(self):
        self.received: list[int] = []
        self._wake_read, self._wake_write = os.pipe()
        for fd in (self._wake_read, self._wake_write):
            os.set_blocking(fd, False)

    def install(self) -> "StopRequests":
        signal.set_wakeup_fd(self._wake_write, warn_on_full_buffer=False)
        signal.signal(signal.SIGINT, self._record)
        signal.signal(signal.SIGTERM, self._record)
        return self

    def _record(self, signum, frame) -> None:
        self.received.append(signum)

    @property
    def stop(self) -> bool:
        return bool(self.received)

    @property
    def now(self) -> bool:
        """A SIGINT after any earlier request (a second Ctrl-C): stop without waiting for anything.
        Two SIGTERMs are one request: `setsid make run` stopped by SIGTERM to its group sends two."""
        return signal.SIGINT in self.received[1:]

    def check(self) -> None:
        if self.stop:
            raise StopRequested

    def wake(self) -> None:
        """Ends a wait() from another thread."""
        try:
            os.write(self._wake_write, b"\0")
        except BlockingIOError:
            pass  # the pipe is full, so the waiter wakes anyway

    def wait(self, timeout: float) -> None:
        """Returns after a signal, a wake() or the timeout, whichever comes first."""
        readable, _, _ = select.select([self._wake_read], [], [], timeout)
        if readable:
            try:
                while os.read(self._wake_read, 512):
                    pass
            except BlockingIOError:
                pass


# ---- processes -------------------------------------------------------------------------------------

# Run before the child's program: the kernel sends it SIGTERM when the thread that started it ends
# (with the stack, however it ends, kill -9 included). If the stack ended before prctl, the child has
# a new parent already and leaves at once.
_WITH_PARENT_DEATH_SIGNAL = """\
import ctypes, os, signal, sys
if ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM, 0, 0, 0) != 0:  # PR_SET_PDEATHSIG
    raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG) failed")
if os.getppid() != int(sys.argv[1]):
    sys.exit(1)
"""
_BECOME_THE_COMMAND = "os.execvp(sys.argv[2], sys.argv[2:])\n"


def spawn(command: list[str], own_network: bool = False, **popen_arguments) -> subprocess.Popen:
    """Popen that ends the child with the thread calling it, on Linux: start it from a thread that lives
    as long as the child should (the main thread). A small interpreter sets this up and then becomes
    the command, rather than preexec_fn, which is unsafe once threads run. With own_network (Linux
    only), it first moves into a network namespace of its own, with nothing but a loopback (see
    netns.py); it ends with netns.NO_NAMESPACE when it cannot."""
    if sys.platform == "linux":
        prelude = _WITH_PARENT_DEATH_SIGNAL + (netns.ENTER_OWN_NETWORK if own_network else "") + _BECOME_THE_COMMAND
        command = [sys.executable, "-I", "-S", "-c", prelude, str(os.getpid()), *command]
    elif own_network:
        raise OSError(f"no network namespaces on {sys.platform}")
    return subprocess.Popen(command, **popen_arguments)


_PROC = Path("/proc/self/stat")


def started_at(pid: int) -> str | None:
    """When the process started, as a stamp that tells it from a later process given the same pid;
    None when there is no such process or it has ended (a zombie holds nothing any more)."""
    if not _PROC.exists():
        return _started_by_ps(pid)
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    state, start_time = _fields(stat, 3, 22)
    if state in ("Z", "X") and not _threads_running(pid):
        return None
    # Its first thread ends before the others: a JVM on its way out still holds its sockets.
    return start_time


def _fields(stat: str, *numbers: int) -> list[str]:
    """Fields of /proc/<pid>/stat, numbered as in proc(5); the name, field 2, may hold spaces."""
    rest = stat[stat.rindex(")") + 2:].split()
    return [rest[number - 3] for number in numbers]


def _threads_running(pid: int) -> bool:
    for task in Path(f"/proc/{pid}/task").glob("*/stat"):
        try:
            (state,) = _fields(task.read_text(), 3)
        except (FileNotFoundError, ProcessLookupError):
            continue
        if state not in ("Z", "X"):
            return True
    return False


def _started_by_ps(pid: int) -> str | None:
    """Where there is no /proc (macOS)."""
    result = subprocess.run(["ps", "-o", "stat=,lstart=", "-p", str(pid)], capture_output=True, text=True)
    state, _, started = result.stdout.strip().partition(" ")
    return None if not started or state.startswith("Z") else started.strip()


def is_running(entry: dict) -> bool:
    return entry.get("started") is not None and started_at(entry["pid"]) == entry["started"]


def stop_process(entry: dict, timeout: float = 10.0) -> None:
    """SIGTERM, then SIGKILL after `timeout`, to a process that may not be our child."""
    for signum, wait in ((signal.SIGTERM, timeout), (signal.SIGKILL, 5.0)):
        if not is_running(entry):
            return
        try:
            os.kill(entry["pid"], signum)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline and is_running(entry):
            time.sleep(0.05)
    if is_running(entry):
        raise RuntimeError(f"{entry['name']} (pid {entry['pid']}) did not stop, even on SIGKILL")


class Supervisor:
    """Keeps in `record` (a JSON file of the state dir) this stack's pid and those of the processes it
    started, each with its start stamp so that a pid reused since is never touched; and watches every
    part that must live as long as the stack."""

    def __init__(self, record: Path):
        self.record = record
        self.me = {"name": "the stack", "pid": os.getpid(), "started": started_at(os.getpid())}
        self._children: list[tuple[str, subprocess.Popen]] = []
        self._checks: list[tuple[str, Callable[[], str | None]]] = []

    def claim(self) -> None:
        """Stops what an earlier run left behind, then records this run. Refuses while the recorded
        stack itself still runs: that is someone's working stack, not a leftover."""
        earlier = read_json(self.record, {})
        stack = earlier.get("stack")
        if stack and stack["pid"] != self.me["pid"] and is_running(stack):
            raise StackRunning(f"a stack (pid {stack['pid']}) is running on {self.record.parent}: "
                               f"stop it first (kill {stack['pid']})")
        for child in earlier.get("children", []):
            if is_running(child):
                log.warning("stopping %s (pid %d), left running by an earlier run", child["name"], child["pid"])
                stop_process(child)
        self._save()

    def release(self) -> None:
        """Once every child has ended."""
        self.record.unlink(missing_ok=True)

    def started_process(self, name: str, process: subprocess.Popen) -> None:
        self._children.append((name, process))
        self._save()

        def exited() -> str | None:
            code = process.poll()
            return None if code is None else f"{name} exited with code {code}"

        self._checks.append((name, exited))

    def started_thread(self, name: str, thread: threading.Thread) -> None:
        self._checks.append((name, lambda: None if thread.is_alive() else f"{name} stopped"))

    def failure(self) -> str | None:
        """The first part found dead, in words, or None when all live."""
        for _, check in self._checks:
            problem = check()
            if problem:
                return problem
        return None

    def kill_children(self, grace: float = 3.0) -> None:
        """SIGTERM to every child still running, SIGKILL to those left after `grace` seconds."""
        for _, process in self._children:
            process.terminate()  # nothing once it has been waited for, so never a reused pid
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline and any(p.poll() is None for _, p in self._children):
            time.sleep(0.05)
        for _, process in self._children:
            process.kill()
            process.poll()

    def _save(self) -> None:
        children = [{"name": name, "pid": p.pid, "started": started_at(p.pid)} for name, p in self._children]
        write_json(self.record, {"stack": self.me, "children": children})
