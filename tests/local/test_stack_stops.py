"""However the local stack is stopped, nothing it started outlives it: its ports are free, the next
start works and finds the data of the last."""
import os
import signal
import socket
import time

from chalicelib.local.stack_process import StackFailed, StackProcess
from chalicelib.local.supervisor import is_running
from tests.local.conftest import api

GONE_WITHIN = 10.0  # seconds; DynamoDB Local alone takes one or two to shut down


def two_sigterms(stack: StackProcess, gap: float) -> None:
    """Microseconds apart: what the deadlocked handler could not survive."""
    os.kill(stack.pid, signal.SIGTERM)
    os.kill(stack.pid, signal.SIGTERM)


def sigterm_to_the_group_of_make_run(stack: StackProcess, gap: float) -> None:
    """`setsid make run` stopped with `kill -TERM -<group>`: the stack hears it from the group and from make."""
    stack.signal_group(signal.SIGTERM)


def ctrl_c_on_make_run(stack: StackProcess, gap: float) -> None:
    stack.signal_group(signal.SIGINT)


def sigterm_then_sigint(stack: StackProcess, gap: float) -> None:
    """The SIGINT asks to stop at once, during whatever stage of the stop `gap` lands in."""
    pid = stack.pid
    os.kill(pid, signal.SIGTERM)
    time.sleep(gap)
    os.kill(pid, signal.SIGINT)


def kill_9_of_make_runs_stack(stack: StackProcess, gap: float) -> None:
    os.kill(stack.pid, signal.SIGKILL)


# (how it stops, started through make run?), each four times: 20 stops. The start after a kill -9 is
# a `make run` again.
WAYS = [(two_sigterms, False), (sigterm_then_sigint, False), (kill_9_of_make_runs_stack, True),
        (sigterm_to_the_group_of_make_run, True), (ctrl_c_on_make_run, True)]
GAPS = [0.0, 0.01, 0.3, 1.0]


def assert_ports_free(ports: dict[str, int]) -> None:
    for owner, port in ports.items():
        with socket.socket() as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                sock.bind(("127.0.0.1", port))
            except OSError as error:
                raise AssertionError(f"{owner} {port} is still in use: {error}") from None


def test_twenty_stops_in_a_row_leave_nothing_behind_and_lose_nothing(stack):
    stopped_ways, clean_stops = [], 0
    info = stack.start()
    created = api(info, "POST", "/tickets", json={"title": "Survives every stop", "description": "",
                                                   "severity": "low"})
    assert created.status_code == 201, created.text
    ticket_id = created.json()["id"]

    for cycle in range(20):
        way, make = WAYS[cycle % len(WAYS)]
        if cycle:
            info = stack.start(make=make)
            got = api(info, "GET", f"/tickets/{ticket_id}")
            assert got.status_code == 200, (stopped_ways, got.text)
            assert got.json()["title"] == "Survives every stop"
        recorded = stack.recorded()
        processes = [recorded["stack"], *recorded["children"]]
        assert len(processes) == 2  # the stack and DynamoDB Local

        started = time.monotonic()
        way(stack, GAPS[cycle // len(WAYS)])
        stopped_ways.append(way.__name__)
        while any(map(is_running, processes)) and time.monotonic() - started < GONE_WITHIN:
            time.sleep(0.05)
        left = [p for p in processes if is_running(p)]
        assert not left, f"still running {GONE_WITHIN:.0f} s after {way.__name__}: {left}"
        code = stack.wait()
        if way is not kill_9_of_make_runs_stack:
            clean_stops += 1
            output = stack.output.read_text()
            assert output.count("chalicelib.local.stack: stopped\n") == clean_stops, output[-3000:]
            if not make:  # make ends on the signal it got, whatever the stack's exit code
                assert code == 0
            assert not (stack.state_dir / "processes.json").exists()
        assert_ports_free(stack.ports)

    info = stack.start()
    assert api(info, "GET", f"/tickets/{ticket_id}").status_code == 200
    assert stack.stop(signal.SIGINT) == 0
    output = stack.output.read_text()
    assert "Traceback" not in output, output


def test_a_part_that_dies_stops_the_stack_with_one_line(stack):
    stack.start()
    dynamodb_local = stack.recorded()["children"][0]
    os.kill(dynamodb_local["pid"], signal.SIGKILL)
    assert stack.wait(timeout=GONE_WITHIN) == 1
    assert not (stack.state_dir / "processes.json").exists()
    (line,) = [line for line in stack.output.read_text().splitlines() if "ERROR" in line]
    assert line.endswith(f"DynamoDB Local (log: {stack.state_dir / 'dynamodb-local.log'}) exited with code -9: "
                         "stopping the stack"), line
    assert_ports_free(stack.ports)
    stack.start()
    assert stack.stop(signal.SIGTERM) == 0


def test_a_stack_that_does_not_get_ready_in_time_is_stopped_with_everything_it_started(tmp_path):
    stack = StackProcess(tmp_path, ready_timeout=2.0)  # DynamoDB Local alone needs longer to start
    try:
        stack.start()
    except StackFailed:
        pass
    else:
        raise AssertionError("the stack got ready in 2 s; this test needs a slower start")
    try:
        os.killpg(stack.process.pid, 0)
    except ProcessLookupError:
        pass
    else:
        raise AssertionError("the stack's process group outlived its failed start")
    recorded = tmp_path / "processes.json"
    started = time.monotonic()
    processes = stack.recorded()["children"] if recorded.exists() else []
    while any(map(is_running, processes)) and time.monotonic() - started < GONE_WITHIN:
        time.sleep(0.05)
    assert not [p for p in processes if is_running(p)]
    assert_ports_free(stack.ports)
