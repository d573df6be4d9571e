"""`python -m chalicelib.local.stack` in a child process on free ports, with a state dir of its own:
for tests and benchmarks that need the whole product as a developer runs it."""
import contextlib
import json
import os
import random
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from chalicelib.local.dynamodb_local import free_port

ROOT = Path(__file__).resolve().parents[2]
STEADY_PORTS_FROM = 20000
START_ATTEMPTS = 3
# What the stack says of a port it cannot listen on (local.aws_server.PortInUse).
PORT_TAKEN = "in use"


class StackFailed(RuntimeError):
    """The stack exited or did not get ready; the message carries its output."""


class StackProcess:
    """The stack runs in a process group of its own, as in a terminal of its own: signals sent to the
    group are what Ctrl-C there would send. Its demo project starts empty (SEED=0) unless `seed`: what
    a test asserts about the project's tickets is then its own doing."""

    def __init__(self, state_dir: Path, ready_timeout: float = 60.0, seed: bool = False):
        self.state_dir = state_dir
        self.ready_timeout = ready_timeout
        self.seed = seed
        self.ports = {"PORT": steady_port(), "AWS_PORT": steady_port(), "DYNAMODB_PORT": steady_port(),
                      "SMTP_PORT": steady_port()}
        self.process: subprocess.Popen | None = None
        self.output = state_dir / "stack-output.log"

    def start(self, *args: str, make: bool = False) -> dict:
        """Starts it (through `make run` with make=True) and returns stack.json once this run has
        written it. A port taken by another program between its choice and the start (stacks started
        side by side, in tests) is chosen again, as a developer would."""
        for _ in range(START_ATTEMPTS - 1):
            written = self.output.stat().st_size if self.output.exists() else 0
            try:
                return self._start_once(*args, make=make)
            except StackFailed:
                said = self.output.read_bytes()[written:].decode(errors="replace")
                if self.process.poll() is None or PORT_TAKEN not in said:
                    raise
                self.ports = {name: steady_port() for name in self.ports}
        return self._start_once(*args, make=make)

    def _start_once(self, *args: str, make: bool) -> dict:
        stack_file = self.state_dir / "stack.json"
        previous = _stamp(stack_file)
        self.spawn(*args, make=make)
        deadline = time.monotonic() + self.ready_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise StackFailed(f"the stack exited with {self.process.returncode}:\n{self.output.read_text()}")
            if _stamp(stack_file) not in (None, previous):
                return json.loads(stack_file.read_text())
            time.sleep(0.1)
        # Nobody holds a stack that never got ready: left running, it would keep its ports and its
        # DynamoDB Local until someone found its process ids.
        self.kill()
        raise StackFailed(f"the stack did not get ready in {self.ready_timeout:.0f} s:\n{self.output.read_text()}")

    def spawn(self, *args: str, make: bool = False) -> None:
        """Starts it without waiting for it to get ready."""
        # A whole environment of its own: the caller's AWS settings must not leak in.
        env = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", str(self.state_dir)),
               "STATE_DIR": str(self.state_dir), "PYTHONUNBUFFERED": "1", "SEED": "1" if self.seed else "0",
               **{name: str(port) for name, port in self.ports.items()}}
        if make:
            # This interpreter, and no install step: SETUP names what `run` depends on.
            command = ["make", "--no-print-directory", "run", f"PY={sys.executable}", "SETUP=",
                       *(["RESET=1"] if "--reset" in args else [])]
        else:
            command = [sys.executable, "-m", "chalicelib.local.stack", *args]
        with open(self.output, "ab") as output:
            self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT,
                                            start_new_session=True)

    def recorded(self) -> dict:
        """processes.json: the stack's own process and those it started, each with its start stamp."""
        return json.loads((self.state_dir / "processes.json").read_text())

    @property
    def pid(self) -> int:
        """The stack's own process (make's child when started through make)."""
        return self.recorded()["stack"]["pid"]

    def signal_group(self, signum: int) -> None:
        os.killpg(self.process.pid, signum)

    def wait(self, timeout: float = 30) -> int:
        return self.process.wait(timeout=timeout)

    def stop(self, signum: int = signal.SIGINT) -> int:
        self.process.send_signal(signum)
        try:
            return self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            raise

    def kill(self) -> None:
        """For cleaning up after a failure: no questions asked, nothing saved. What the stack started
        ends with it."""
        if self.process is not None and self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


def steady_port() -> int:
    """A free port below the range the kernel gives outgoing connections: between a stop and the next
    start no connection of another program can take it (and keep it a minute in TIME_WAIT)."""
    try:
        ephemeral_start = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        ephemeral_start = 49152  # IANA's, macOS's
    choose = random.Random()
    for _ in range(100):
        port = choose.randrange(STEADY_PORTS_FROM, ephemeral_start) if ephemeral_start > STEADY_PORTS_FROM + 1000 else 0
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return sock.getsockname()[1]
    return free_port()


def _stamp(path: Path):
    try:
        status = path.stat()
    except FileNotFoundError:
        return None
    return status.st_ino, status.st_mtime_ns
