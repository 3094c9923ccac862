"""Raw lines to the real stdio server: every unreadable line gets its JSON-RPC error (issue 10, point 9).

The SDK's stdio transport dropped them silently (no reply, so a client waited forever): a line
that is not JSON, a JSON-RPC batch, a request with a lone-surrogate escape (even only inside
`params._meta`). The server must answer each as HTTP does, and keep serving.
"""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support import clean_env

PARSE_ERROR, INVALID_REQUEST = -32700, -32600


class RawStdio:
    """The server as a subprocess, spoken to in raw lines."""

    def __init__(self, process: subprocess.Popen[bytes]) -> None:
        self.process = process
        self.lines: queue.Queue[bytes] = queue.Queue()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line)

    def send(self, raw: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(raw.encode("utf-8") + b"\n")
        self.process.stdin.flush()

    def reply(self, timeout: float = 15.0) -> dict[str, Any]:
        try:
            line = self.lines.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError("no reply: the line was dropped silently") from None
        message: dict[str, Any] = json.loads(line)
        return message


@pytest.fixture
def stdio(tmp_path: Path) -> Iterator[RawStdio]:
    log = tmp_path / "stderr.log"
    with log.open("wb") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-m", "audience_mcp", "--sandbox"],
            env=clean_env(AUDIENCE_MCP_SANDBOX_DB=str(tmp_path / "sandbox.db"), XDG_DATA_HOME=str(tmp_path)),
            cwd=tmp_path,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=stderr,
        )
    raw = RawStdio(process)
    raw.send(_initialize_line())
    assert raw.reply()["id"] == 1
    raw.send(json.dumps({"jsonrpc": "2.0", "method": "notifications/initialized"}))
    try:
        yield raw
    finally:
        assert process.stdin is not None
        process.stdin.close()
        process.wait(timeout=15)
        raw.reader.join(timeout=5)
        assert process.stdout is not None
        process.stdout.close()


def assert_alive(raw: RawStdio, request_id: int = 99) -> None:
    raw.send(json.dumps({"jsonrpc": "2.0", "id": request_id, "method": "ping"}))
    answer = raw.reply()
    assert answer["id"] == request_id and "result" in answer


def test_a_line_that_is_not_json_gets_a_parse_error(stdio: RawStdio) -> None:
    stdio.send("this is not json")
    answer = stdio.reply()
    assert answer["id"] is None and answer["error"]["code"] == PARSE_ERROR
    assert_alive(stdio)


@pytest.mark.parametrize(
    "raw",
    [
        '{"jsonrpc":"2.0","id":7,"method":"ping","params":{"_meta":{"trace":"\\ud800"}}}',
        '{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"neuroflash_list_audiences",'
        '"arguments":{"search":"x\\udfff"}}}',
    ],
    ids=["in-meta", "in-arguments"],
)
def test_a_lone_surrogate_escape_gets_an_invalid_request_error_with_its_id(stdio: RawStdio, raw: str) -> None:
    stdio.send(raw)
    answer = stdio.reply()
    assert answer["id"] == 7 and answer["error"]["code"] == INVALID_REQUEST
    assert "surrogate" in answer["error"]["message"]
    assert_alive(stdio)


def test_a_batch_gets_an_invalid_request_error_for_each_request_in_it(stdio: RawStdio) -> None:
    stdio.send(
        json.dumps([{"jsonrpc": "2.0", "id": 3, "method": "ping"}, {"jsonrpc": "2.0", "id": 4, "method": "ping"}])
    )
    answers = [stdio.reply(), stdio.reply()]
    assert sorted(a["id"] for a in answers) == [3, 4]
    assert all(a["error"]["code"] == INVALID_REQUEST and "batch" in a["error"]["message"] for a in answers)
    assert_alive(stdio)


@pytest.mark.parametrize(
    ("raw", "expected_id"),
    [('{"jsonrpc":"2.0","id":5}', 5), ("[]", None), ("42", None), ('{"jsonrpc":"1.0","id":"a","method":"ping"}', "a")],
)
def test_json_that_is_no_message_gets_an_invalid_request_error(stdio: RawStdio, raw: str, expected_id: object) -> None:
    stdio.send(raw)
    answer = stdio.reply()
    assert answer["id"] == expected_id and answer["error"]["code"] == INVALID_REQUEST
    assert_alive(stdio)


def _initialize_line() -> str:
    return json.dumps(
        {
            "jsonrpc": "2.0",
            "id": 1,
            "method": "initialize",
            "params": {
                "protocolVersion": "2025-11-25",
                "capabilities": {},
                "clientInfo": {"name": "t", "version": "0"},
            },
        }
    )


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="reads the server's threads and descriptors in /proc")
def test_pipes_are_served_by_the_event_loop_without_a_thread_per_message(stdio: RawStdio) -> None:
    """Issue 9: the SDK hands every line read and every message written to a worker thread; on pipes
    the server reads and writes them on the event loop. fd 0 and fd 1 stay diverted meanwhile."""
    for request_id in range(100, 120):
        assert_alive(stdio, request_id)
    pid = stdio.process.pid
    assert len(list(Path(f"/proc/{pid}/task").iterdir())) == 1
    assert os.readlink(f"/proc/{pid}/fd/0") == os.devnull
    assert os.readlink(f"/proc/{pid}/fd/1") == os.readlink(f"/proc/{pid}/fd/2")  # stray output goes to stderr


@pytest.mark.skipif(sys.platform == "win32", reason="a pseudo-terminal as stdin")
@pytest.mark.parametrize("stdio_kind", ["terminal", "stdout shared with stderr"])
def test_stdio_that_is_not_a_pipe_of_its_own_is_served_the_threaded_way(tmp_path: Path, stdio_kind: str) -> None:
    """A terminal, or stdout and stderr on one pipe, cannot be made non-blocking safely (the mode
    would reach the shell's terminal or the log's writes): the server reads and writes them through
    worker threads, as the SDK does, and answers the same."""
    import pty
    import termios

    env = clean_env(AUDIENCE_MCP_SANDBOX_DB=str(tmp_path / "sandbox.db"), XDG_DATA_HOME=str(tmp_path))
    command = [sys.executable, "-m", "audience_mcp", "--sandbox", "--log-level", "ERROR"]
    if stdio_kind == "terminal":
        terminal, stdin = pty.openpty()
        attributes = termios.tcgetattr(stdin)
        attributes[3] &= ~termios.ECHO  # what is typed is not echoed back to the writer
        termios.tcsetattr(stdin, termios.TCSANOW, attributes)
        process = subprocess.Popen(
            command, stdin=stdin, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, cwd=tmp_path
        )
        os.close(stdin)

        def send(line: str) -> None:
            os.write(terminal, line.encode("utf-8") + b"\n")
    else:
        terminal = -1
        process = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, cwd=tmp_path
        )

        def send(line: str) -> None:
            assert process.stdin is not None
            process.stdin.write(line.encode("utf-8") + b"\n")
            process.stdin.flush()

    answers: queue.Queue[dict[str, Any]] = queue.Queue()

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            if line.startswith(b"{"):  # a shared pipe carries log lines too
                answers.put(json.loads(line))

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        for line in (
            _initialize_line(),
            json.dumps({"jsonrpc": "2.0", "method": "notifications/initialized"}),
            "not json",
            json.dumps({"jsonrpc": "2.0", "id": 2, "method": "ping"}),
        ):
            send(line)
        got = [answers.get(timeout=15) for _ in range(3)]
        if stdio_kind != "terminal":
            assert process.pid and len(list(Path(f"/proc/{process.pid}/task").iterdir())) > 1
    finally:
        if terminal >= 0:
            os.close(terminal)  # the server reads end of input (or an error) and stops
        elif process.stdin is not None:
            process.stdin.close()
        process.wait(timeout=15)
        reader.join(timeout=5)
        assert process.stdout is not None
        process.stdout.close()
    assert [answer["id"] for answer in got] == [1, None, 2]
    assert got[1]["error"]["code"] == PARSE_ERROR and "result" in got[2]
