"""A process on a network of its own (a Linux network namespace), reached from 127.0.0.1 only.

DynamoDB Local listens on every interface and has no option to choose one. Started in a network
namespace whose only interface is its own loopback, it is reachable from no other host, nor from
this one; a forwarder bound to 127.0.0.1 here carries each connection to the same port in there.
Making a namespace and entering it both need CAP_SYS_ADMIN (root).
"""
import contextlib
import ctypes
import errno
import logging
import os
import socket
import subprocess
import threading
import time

log = logging.getLogger(__name__)

CLONE_NEWNET = 0x40000000
# How a process started with ENTER_OWN_NETWORK ends when it could not have a network of its own.
NO_NAMESPACE = 97
CHUNK = 256 * 1024
# Right after the namespace is made its loopback is still down, then nothing listens on it for a while.
NOT_LISTENING_YET = (errno.ENETUNREACH, errno.ECONNREFUSED)

# Run by supervisor.spawn's small interpreter before it becomes the command, so that the command
# keeps the pid spawn returns and never sees any network but its loopback (brought up: a new
# namespace has it down).
ENTER_OWN_NETWORK = f"""\
import fcntl, socket, struct
if ctypes.CDLL(None, use_errno=True).unshare({CLONE_NEWNET:#x}) != 0:
    print("cannot have a network namespace of its own: unshare(CLONE_NEWNET): "
          + os.strerror(ctypes.get_errno()), file=sys.stderr, flush=True)
    sys.exit({NO_NAMESPACE})
with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
    flags = struct.unpack_from("H", fcntl.ioctl(sock, 0x8913, struct.pack("16s24x", b"lo")), 16)[0]
    fcntl.ioctl(sock, 0x8914, struct.pack("16sH22x", b"lo", flags | 1))  # SIOCSIFFLAGS |= IFF_UP
"""

_libc = ctypes.CDLL(None, use_errno=True)


def entered_by(process: subprocess.Popen, timeout: float = 30.0) -> int | None:
    """A descriptor of the network namespace `process` made for itself, once it has made it; None
    when the process ended first (its exit code says why: NO_NAMESPACE when it could not make one)."""
    ours = os.stat("/proc/thread-self/ns/net").st_ino
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return None
        # Until then it shares ours, and a connection "in there" would come back to the forwarder.
        with contextlib.suppress(FileNotFoundError, ProcessLookupError):
            descriptor = os.open(f"/proc/{process.pid}/ns/net", os.O_RDONLY | os.O_CLOEXEC)
            if os.fstat(descriptor).st_ino != ours:
                return descriptor
            os.close(descriptor)
        time.sleep(0.005)
    raise TimeoutError(f"pid {process.pid} did not enter a network namespace of its own within {timeout:.0f}s")


class Forwarder:
    """Listens on 127.0.0.1:`port` and carries each connection to `port` on the loopback of the
    network namespace `namespace` (a descriptor; the forwarder closes it). A thread per direction
    of each connection: the calls it carries are few, small and long-lived (clients keep their
    connections), and a blocked thread costs nothing."""

    def __init__(self, port: int, namespace: int):
        self.port = port
        self._namespace = namespace
        self._home = os.open("/proc/thread-self/ns/net", os.O_RDONLY | os.O_CLOEXEC)
        self._open: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            self._listener.bind(("127.0.0.1", port))
        except OSError:
            self._listener.close()
            os.close(self._home)
            os.close(self._namespace)
            raise
        self._listener.listen(128)
        self.thread = threading.Thread(target=self._accept, name=f"forwarder-{port}", daemon=True)

    def start(self) -> "Forwarder":
        self.thread.start()
        return self

    def close(self) -> None:
        """Stops listening and ends every connection it carries."""
        with contextlib.suppress(OSError):
            self._listener.shutdown(socket.SHUT_RDWR)  # wakes accept()
        self._listener.close()
        if self.thread.ident is not None:
            self.thread.join()
        with self._lock:
            for sock in self._open:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
        os.close(self._home)
        os.close(self._namespace)

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return  # closed
            threading.Thread(target=self._carry, args=(client,), name=f"forwarder-{self.port}-connection",
                             daemon=True).start()

    def _carry(self, client: socket.socket) -> None:
        """Runs in a thread of its own, which ends with the connection."""
        with client:
            try:
                upstream = self._connect_inside()
            except OSError as error:
                if error.errno in NOT_LISTENING_YET:
                    return  # the client sees its connection closed, as the process is starting
                log.warning("cannot forward a connection to port %d: %s", self.port, error)
                return
            with upstream:
                for sock in (client, upstream):
                    # A request or an answer written in parts goes on at once, not after a delayed ACK.
                    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                with self._lock:
                    self._open.update((client, upstream))
                back = threading.Thread(target=_pipe, args=(upstream, client), name=self.thread.name + "-back",
                                        daemon=True)
                back.start()
                _pipe(client, upstream)
                back.join()
                with self._lock:
                    self._open.difference_update((client, upstream))

    def _connect_inside(self) -> socket.socket:
        # A socket belongs for good to the network namespace of the thread that made it. This thread
        # enters the namespace only to make one; should it fail to come back, it makes nothing more
        # (it carries one connection, or none, and ends).
        _setns(self._namespace)
        try:
            upstream = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        finally:
            _setns(self._home)
        try:
            upstream.connect(("127.0.0.1", self.port))
        except OSError:
            upstream.close()
            raise
        return upstream


def _setns(namespace: int) -> None:
    if _libc.setns(namespace, CLONE_NEWNET) != 0:
        error = ctypes.get_errno()
        raise OSError(error, f"setns: {os.strerror(error)}")


def _pipe(source: socket.socket, target: socket.socket) -> None:
    """Copies until the source has sent everything, then says so to the target; a connection reset
    on either side ends both directions."""
    try:
        while data := source.recv(CHUNK):
            target.sendall(data)
        target.shutdown(socket.SHUT_WR)
    except OSError:
        for sock in (source, target):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
