"""Everything the local stack and the tests' DynamoDB Local open answers on 127.0.0.1 and nowhere else:
another host reaching this machine's addresses is refused on every port, whatever it sends."""
import ipaddress
import json
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from chalicelib.local import dynamodb_local

ROOT = Path(__file__).resolve().parents[2]
# A listener bound to every interface answers on each of the machine's addresses, 127.0.0.2 (all of
# 127/8 is this machine's) as well as its network ones; one bound to 127.0.0.1 answers on none. So
# the test means something even on a machine with no network address.
ALWAYS = [(socket.AF_INET, ("127.0.0.2", 0))]

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="network namespaces and /proc are Linux's")


def other_addresses() -> list[tuple[int, tuple]]:
    """Every address of this machine but 127.0.0.1, as connect() takes it (with the port to fill in)."""
    found = list(ALWAYS)
    if shutil.which("ip"):
        for interface in json.loads(subprocess.run(["ip", "-j", "addr"], capture_output=True, check=True).stdout):
            for entry in interface.get("addr_info", []):
                address = ipaddress.ip_address(entry["local"])
                if address.version == 4:
                    found.append((socket.AF_INET, (str(address), 0)))
                else:  # link-local ones need their interface
                    scope = socket.if_nametoindex(interface["ifname"]) if address.is_link_local else 0
                    found.append((socket.AF_INET6, (str(address), 0, 0, scope)))
    else:
        for family, _, _, _, address in socket.getaddrinfo(socket.gethostname(), None, type=socket.SOCK_STREAM):
            found.append((family, address))
    found = [(family, address) for family, address in found if address[0] != "127.0.0.1"]
    return list(dict.fromkeys(found))


def answers(family: int, address: tuple, port: int) -> str | None:
    """What connecting there gives, in words, unless it is refused (None)."""
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.settimeout(3)
        try:
            sock.connect((address[0], port, *address[2:]))
        except ConnectionRefusedError:
            return None
        except OSError as error:  # not refused: something else stands in the way, or nothing at all
            return f"{error!r}"
        return "connected"


def listening_ports(pid: int) -> set[int]:
    """TCP ports the process listens on in this network namespace (none if it has one of its own)."""
    if os.stat(f"/proc/{pid}/ns/net").st_ino != os.stat("/proc/self/ns/net").st_ino:
        return set()
    sockets = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except FileNotFoundError:
            continue
        if target.startswith("socket:["):
            sockets.add(target[len("socket:["):-1])
    ports = set()
    for table in ("tcp", "tcp6"):
        for line in Path(f"/proc/{pid}/net/{table}").read_text().splitlines()[1:]:
            fields = line.split()
            if fields[3] == "0A" and fields[9] in sockets:  # LISTEN
                ports.add(int(fields[1].rsplit(":", 1)[1], 16))
    return ports


def assert_refused_everywhere_but_loopback(ports: set[int]) -> None:
    reached = {(address[0], port): outcome for family, address in other_addresses() for port in sorted(ports)
               if (outcome := answers(family, address, port)) is not None}
    assert not reached, f"answered on an address other than 127.0.0.1: {reached}"
    for port in ports:  # and the ports tried do answer where they should
        assert answers(socket.AF_INET, ("127.0.0.1", 0), port) == "connected", port


def test_every_port_the_stack_opens_answers_on_127_0_0_1_only(stack):
    stack.start()
    recorded = stack.recorded()
    ports = set(stack.ports.values())
    for process in [recorded["stack"], *recorded["children"]]:
        ports |= listening_ports(process["pid"])
    assert_refused_everywhere_but_loopback(ports)
    assert stack.stop() == 0


def test_the_tests_dynamodb_local_answers_on_127_0_0_1_only(dynamodb_local_endpoint):
    assert_refused_everywhere_but_loopback({urlsplit(dynamodb_local_endpoint).port})


def test_without_a_network_namespace_dynamodb_local_refuses_to_start(tmp_path):
    """Not root: no namespace can be made, and it says so rather than listen everywhere."""
    if os.geteuid() != 0:
        pytest.skip("run as root, to run the start as someone else")
    started = subprocess.run(
        [sys.executable, "-c", "from chalicelib.local import dynamodb_local\n"
                               "with dynamodb_local.running():\n"
                               "    print('started')"],
        cwd=ROOT, user=65534, env={"PATH": os.environ["PATH"], "HOME": str(tmp_path)},
        capture_output=True, text=True, timeout=60)
    assert started.returncode == 1 and "started" not in started.stdout, started
    assert started.stderr.strip().splitlines()[-1] == f"chalicelib.local.dynamodb_local.SetupError: " \
                                                      f"{dynamodb_local.NO_NAMESPACE}", started.stderr
