"""Crash: the stdio server is SIGKILLed in the middle of concurrent writes, again and again.

`python -m audience_mcp --sandbox` runs with file databases for the sandbox and the
journal. Eight writers drive creates, updates and confirmed deletes over raw JSON-RPC on its
stdin (each writer has one call in flight at a time); after a seeded number of answers the
process is killed with SIGKILL. Then, offline: both SQLite files pass `PRAGMA
integrity_check`; every answered write is `succeeded` in the journal; `pending` rows are only
the writes in flight at the kill (at most one per writer); the sandbox agrees with the
journal (a succeeded create exists unless a later delete removed it, a succeeded delete is
gone, the last succeeded write of an audience is what is stored). Finally a restarted server,
driven by the SDK's stdio client, lists, creates, shows the history and restores an update.
"""

from __future__ import annotations

import json
import random
import signal
import sqlite3
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import anyio
import anyio.abc
import pytest
from anyio.streams.buffered import BufferedByteReceiveStream
from mcp import Client, StdioServerParameters
from mcp.client.stdio import stdio_client

from tests.support.campaigns import FIGURES, SEED, campaign_timeout, clean_env, integrity_ok, scaled
from tests.support.secret_guard import find_leaks

pytestmark = pytest.mark.anyio

WRITERS = 8
CYCLES = scaled(3)
COMPARED = ("name", "minAge", "maxAge", "residence", "interests", "needs", "painPoints")
PROTOCOL = "2025-11-25"


def server_command() -> list[str]:
    return [sys.executable, "-m", "audience_mcp", "--sandbox"]


@dataclass
class RawSession:
    """JSON-RPC over the server's stdin/stdout; concurrent calls, answers matched by id."""

    process: anyio.abc.Process
    answers: dict[int, dict[str, Any]] = field(default_factory=dict)
    waiting: dict[int, anyio.Event] = field(default_factory=dict)
    answered: int = 0
    on_answer: Callable[[int], None] = lambda count: None
    _next_id: int = 0
    _send_lock: anyio.Lock = field(default_factory=anyio.Lock)

    async def send(self, message: dict[str, Any]) -> None:
        assert self.process.stdin is not None
        async with self._send_lock:
            await self.process.stdin.send((json.dumps(message) + "\n").encode())

    async def request(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        self._next_id += 1
        request_id = self._next_id
        self.waiting[request_id] = anyio.Event()
        await self.send({"jsonrpc": "2.0", "id": request_id, "method": method, "params": params})
        await self.waiting[request_id].wait()
        return self.answers.pop(request_id)

    async def call(self, tool: str, arguments: dict[str, Any]) -> dict[str, Any]:
        answer = await self.request("tools/call", {"name": tool, "arguments": arguments})
        assert "result" in answer, answer
        result: dict[str, Any] = answer["result"]
        return result

    async def read_answers(self) -> None:
        assert self.process.stdout is not None
        stream = BufferedByteReceiveStream(self.process.stdout)
        while True:
            try:
                line = await stream.receive_until(b"\n", 50_000_000)
            except (anyio.EndOfStream, anyio.IncompleteRead, anyio.BrokenResourceError, anyio.ClosedResourceError):
                return
            message = json.loads(line)
            if "id" in message and message["id"] in self.waiting:
                self.answers[message["id"]] = message
                self.waiting.pop(message["id"]).set()
                self.answered += 1
                self.on_answer(self.answered)


@dataclass
class Writer:
    """One lane of sequential writes on its own audiences."""

    number: int
    rng: random.Random
    audiences: list[str] = field(default_factory=list)
    change_ids: list[int] = field(default_factory=list)  # of every answered, successful write
    calls: int = 0

    async def run(self, session: RawSession) -> None:
        while True:
            self.calls += 1
            roll = self.rng.random()
            # At most four audiences per writer, so the sandbox's plan limit (50) is never reached.
            if not self.audiences or (roll < 0.2 and len(self.audiences) < 4):
                result = await session.call(
                    "neuroflash_create_audience",
                    {
                        "name": f"Crash writer {self.number} audience {self.calls}",
                        "min_age": 20,
                        "max_age": 60,
                        "residence": "Berlin",
                        "interests": ["Start"],
                    },
                )
                self.record(result)
                self.audiences.append(result["structuredContent"]["audience"]["id"])
            elif roll < 0.85:
                audience_id = self.rng.choice(self.audiences)
                change = self.rng.choice(
                    [
                        {"add_interests": [f"Item {self.number}-{self.calls}"]},
                        {"name": f"Crash writer {self.number} renamed {self.calls}"},
                        {"max_age": self.rng.randint(60, 99)},
                    ]
                )
                self.record(await session.call("neuroflash_update_audience", {"audience_id": audience_id, **change}))
            else:
                audience_id = self.audiences.pop(self.rng.randrange(len(self.audiences)))
                preview = await session.call("neuroflash_delete_audience", {"audience_id": audience_id})
                token = preview["structuredContent"]["confirm_token"]
                self.record(
                    await session.call(
                        "neuroflash_delete_audience", {"audience_id": audience_id, "confirm_token": token}
                    )
                )

    def record(self, result: dict[str, Any]) -> None:
        assert not result.get("isError"), result
        change_id = result["structuredContent"].get("change_id")
        if change_id is not None:
            self.change_ids.append(change_id)


async def drive_until_killed(
    env: dict[str, str], cwd: Path, stderr: Path, rng: random.Random, writers: list[Writer]
) -> None:
    """Start the server, write from every lane, SIGKILL it after a seeded number of answers."""
    kill_after = rng.randint(scaled(40), scaled(80))
    jitter = rng.uniform(0, 0.004)
    with stderr.open("ab") as log:
        process = await anyio.open_process(server_command(), env=env, cwd=str(cwd), stderr=log)
    killed = anyio.Event()
    try:
        session = RawSession(process)
        session.on_answer = lambda count: killed.set() if count >= kill_after else None
        with anyio.fail_after(60):
            async with anyio.create_task_group() as group:
                group.start_soon(session.read_answers)
                init = {
                    "protocolVersion": PROTOCOL,
                    "capabilities": {},
                    "clientInfo": {"name": "crash", "version": "1"},
                }
                assert "result" in await session.request("initialize", init)
                await session.send({"jsonrpc": "2.0", "method": "notifications/initialized"})
                for writer in writers:
                    group.start_soon(writer.run, session)
                await killed.wait()
                # A seeded jitter, so the kill also lands inside a write rather than only just after one.
                await anyio.sleep(jitter)
                process.send_signal(signal.SIGKILL)  # in the middle of writes: every lane has one in flight
                await process.wait()
                group.cancel_scope.cancel()
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
        await process.aclose()
    assert process.returncode == -signal.SIGKILL


def read_sandbox(path: Path) -> dict[str, dict[str, Any]]:
    with sqlite3.connect(path) as db:
        return {row[0]: json.loads(row[1]) for row in db.execute("SELECT id, body FROM audiences")}


def read_journal(path: Path) -> list[dict[str, Any]]:
    with sqlite3.connect(path) as db:
        db.row_factory = sqlite3.Row
        return [dict(row) for row in db.execute("SELECT * FROM changes ORDER BY id")]


def check_consistency(rows: list[dict[str, Any]], stored: dict[str, dict[str, Any]], answered: set[int]) -> None:
    by_id = {row["id"]: row for row in rows}
    unfinished = [i for i in answered if by_id[i]["status"] != "succeeded"]
    assert not unfinished, f"answered writes not succeeded in the journal: {unfinished}"
    last: dict[str, dict[str, Any]] = {}
    for row in rows:
        if row["resource_id"]:
            last[row["resource_id"]] = row
    pending_creates = sum(1 for row in rows if row["status"] == "pending" and row["action"] == "create")
    created = {row["resource_id"] for row in rows if row["action"] == "create" and row["status"] == "succeeded"}
    for audience_id in created:
        final = last[audience_id]
        removed = final["action"] == "delete" and final["status"] in ("succeeded", "pending")
        if final["action"] == "delete" and final["status"] == "succeeded":
            assert audience_id not in stored, f"{audience_id} was deleted (journal) but is still stored"
        elif not removed:
            assert audience_id in stored, f"{audience_id} was created (journal) but is not stored: a lost write"
    unexplained = set(stored) - created
    assert len(unexplained) <= pending_creates, f"stored audiences no create accounts for: {sorted(unexplained)}"
    for audience_id, body in stored.items():
        final = last.get(audience_id)
        if final is None or final["status"] != "succeeded" or final["action"] not in ("create", "update"):
            continue
        after = json.loads(final["after_json"])
        expected = {key: after.get(key) for key in COMPARED}
        assert {key: body.get(key) for key in COMPARED} == expected, f"{audience_id} differs from its last write"


@pytest.mark.timeout(campaign_timeout(90))
async def test_sigkill_during_concurrent_writes_leaves_consistent_databases_and_a_working_server(
    tmp_path: Path,
) -> None:
    started = time.perf_counter()
    rng = random.Random(SEED)  # a reproducible kill schedule (the interleaving itself is not)
    env = clean_env(tmp_path)
    sandbox_db, journal_db = tmp_path / "sandbox.db", tmp_path / "journal.db"
    stderr = tmp_path / "server.stderr.log"
    pending_per_cycle = []
    # The writers live across the restarts: each keeps writing to the audiences it knows.
    writers = [Writer(number, random.Random(rng.random())) for number in range(WRITERS)]
    for _cycle in range(CYCLES):
        known = {row["id"] for row in read_journal(journal_db)} if journal_db.exists() else set()
        await drive_until_killed(env, tmp_path, stderr, rng, writers)
        assert integrity_ok(sandbox_db) and integrity_ok(journal_db)
        rows = read_journal(journal_db)
        pending = [row for row in rows if row["status"] == "pending" and row["id"] not in known]
        assert len(pending) <= WRITERS, f"{len(pending)} pending rows, but only {WRITERS} writes were in flight"
        pending_per_cycle.append(len(pending))
        answered = {change_id for writer in writers for change_id in writer.change_ids}
        check_consistency(rows, read_sandbox(sandbox_db), answered)

    stored = read_sandbox(sandbox_db)
    rows = read_journal(journal_db)
    params = StdioServerParameters(command=sys.executable, args=["-m", "audience_mcp", "--sandbox"], env=env)
    with stderr.open("a") as log, anyio.fail_after(60):
        async with Client(stdio_client(params, errlog=log)) as client:
            listed = await client.call_tool("neuroflash_list_audiences", {"page_size": 200})
            assert not listed.is_error and listed.structured_content is not None, listed.content
            assert listed.structured_content["total"] == len(stored)

            history = await client.call_tool("list_recent_changes", {"limit": 200})
            assert not history.is_error and history.structured_content is not None
            shown = {change["change_id"] for change in history.structured_content["changes"]}
            assert {row["id"] for row in rows[-200:]} == shown, "the history after the restart is not the journal"

            restorable = restorable_update(rows, stored)
            assert restorable is not None, "no succeeded update to restore"
            restored = await client.call_tool("restore_change", {"change_id": restorable["id"]})
            assert not restored.is_error and restored.structured_content is not None, restored.content
            assert restored.structured_content["status"] == "restored"
            fetched = await client.call_tool(
                "neuroflash_get_audience", {"audience_id": restorable["resource_id"], "response_format": "detailed"}
            )
            before = json.loads(restorable["before_json"])
            assert fetched.structured_content is not None
            assert fetched.structured_content["audience"]["name"] == before["name"]
            assert fetched.structured_content["audience"]["interests"] == before["interests"]

            created = await client.call_tool(
                "neuroflash_create_audience",
                {"name": "After the crash", "min_age": 30, "max_age": 40, "residence": "Bonn"},
            )
            assert not created.is_error, created.content
    assert integrity_ok(sandbox_db) and integrity_ok(journal_db)
    assert not find_leaks(stderr.read_text(errors="replace"))
    FIGURES["crash"] = {
        "kills": CYCLES,
        "writers": WRITERS,
        "answered_writes": len(answered),
        "pending_after_each_kill": pending_per_cycle,
        "journal_rows": len(rows),
        "audiences": len(stored),
        "seconds": round(time.perf_counter() - started, 1),
    }


def restorable_update(rows: list[dict[str, Any]], stored: dict[str, dict[str, Any]]) -> dict[str, Any] | None:
    """A succeeded update that is the last change of an audience still stored."""
    last: dict[str, dict[str, Any]] = {}
    for row in rows:
        if row["resource_id"]:
            last[row["resource_id"]] = row
    for audience_id, row in last.items():
        if row["action"] == "update" and row["status"] == "succeeded" and audience_id in stored:
            return row
    return None


async def test_a_lone_surrogate_quoted_in_a_tool_error_does_not_stop_the_stdio_server(tmp_path: Path) -> None:
    # Found by the bad-input campaign (its in-memory client counts such results as unsendable).
    stderr = tmp_path / "server.stderr.log"
    with stderr.open("ab") as log:
        process = await anyio.open_process(server_command(), env=clean_env(tmp_path), cwd=str(tmp_path), stderr=log)
    try:
        session = RawSession(process)
        with anyio.fail_after(30):
            async with anyio.create_task_group() as group:
                group.start_soon(session.read_answers)
                client_info = {"name": "surrogate", "version": "1"}
                init = {"protocolVersion": PROTOCOL, "capabilities": {}, "clientInfo": client_info}
                assert "result" in await session.request("initialize", init)
                await session.send({"jsonrpc": "2.0", "method": "notifications/initialized"})
                # interests as a JSON string: the SDK parses it into a list holding "\ud800xxx...".
                interests = '["\\ud800' + "x" * 300 + '"]'
                args = {"name": "Surrogates", "min_age": 20, "max_age": 30, "residence": "Bonn", "interests": interests}
                # The answer takes milliseconds; today the stdout writer dies and the server hangs
                # without a word (its traceback appears only at exit), so a deadline is all there is.
                with anyio.move_on_after(3) as deadline:
                    await session.call("neuroflash_create_audience", args)
                assert not deadline.cancelled_caught, "no answer: the server's stdout writer died"
                group.cancel_scope.cancel()
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
        await process.aclose()
