"""Two HTTP replicas on PostgreSQL beside one replica on SQLite: the same contended load, same run.

Each side gets its own standalone `sandbox-api` (a fresh SQLite file, so both start from the same
state) and its own state store: (a) one `audience-mcp --transport http` replica on a SQLite state
file, (b) two replicas started at the same moment on one fresh PostgreSQL database (stateless
HTTP), reached through the round-robin balancer of tests/support/replicas.py, so consecutive
requests of one client land on different processes. PostgreSQL runs from the machine's binaries
(tests/support/postgres.py); without them the figure says it was skipped.

The workload, identical on both sides: ten audiences are created and every replica answers one
read and one update first (warm-up, not measured: tools are built on their first call). Then C
clients (each its own HTTP connection pool and MCP client) wait at a barrier and make K calls
back to back: every fifth one is `neuroflash_update_audience` with `add_interests=[a name no
other call uses]` on one of three shared audiences (so updates of one audience contend for its
lock, across replicas on side b), the others `neuroflash_get_audience` of one of the ten.

After the load the sandbox's stored audiences are read with plain HTTP: a lost update is a
unique interest whose update answered success but is not stored. An error is a raised exception
or an isError result. Both must be 0. Latency is per call (reads and updates together; each
kind on its own in the JSON details); the rate is all answered calls over the wall time from the
barrier to the last answer. The ratios are side b over side a.
"""

from __future__ import annotations

import contextlib
import os
import resource
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tests.benchmarks.common import Result, ms, network_available, percentile, workdir

if TYPE_CHECKING:
    from tests.support.postgres import PostgresServer

CLIENTS = 50
CALLS = 20
QUICK = (10, 5)
AUDIENCES = 10
SHARED = 3  # the audiences that updates go to (the first SHARED of AUDIENCES)
UPDATE_EVERY = 5  # one call in five is an update
GROUP = "replicas"


@dataclass
class Side:
    """What one side measured."""

    label: str
    latencies: dict[str, list[float]] = field(default_factory=lambda: {"get": [], "update": []})
    errors: list[str] = field(default_factory=list)
    succeeded: dict[str, set[str]] = field(default_factory=dict)  # audience id -> interests added with success
    lost: list[str] = field(default_factory=list)
    wall_s: float = float("nan")
    cpu: dict[str, float | None] = field(default_factory=dict)

    @property
    def all_latencies(self) -> list[float]:
        return self.latencies["get"] + self.latencies["update"]

    @property
    def rate(self) -> float:
        answered = len(self.all_latencies)
        return answered / self.wall_s if answered and self.wall_s > 0 else 0.0

    def p(self, q: float, kind: str | None = None) -> float:
        values = self.latencies[kind] if kind else self.all_latencies
        return ms(percentile(values, q)) if values else float("nan")


# -- CPU time (informational: on 2 shared cores it tells where the time went) --------------------


def _stat_fields(pid: int) -> list[str] | None:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            fields = _stat_fields(int(entry.name))
            if fields is not None and fields[1] == str(pid):
                found.append(int(entry.name))
    return found


def tree_cpu_seconds(pid: int) -> float | None:
    """utime + stime of a process, of its exited children (cutime + cstime) and of its live
    descendants, from /proc (Linux); None elsewhere. PostgreSQL does its work in children."""
    fields = _stat_fields(pid)
    if fields is None:
        return None
    ticks = sum(int(value) for value in fields[11:15])
    total = ticks / os.sysconf("SC_CLK_TCK")
    for child in _children(pid):
        total += tree_cpu_seconds(child) or 0.0
    return total


def _own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _sandbox_pid(root: str) -> int | None:
    """The `sandbox-api` child of this process that listens on `root`'s port."""
    port = root.rsplit(":", 1)[1]
    for child in _children(os.getpid()):
        with contextlib.suppress(OSError):
            argv = Path(f"/proc/{child}/cmdline").read_bytes().split(b"\0")
            if b"sandbox-api" in argv and port.encode() in argv:
                return child
    return None


def _cpu_snapshot(pids: dict[str, Sequence[int]]) -> dict[str, float | None]:
    snapshot: dict[str, float | None] = {}
    for name, group in pids.items():
        values = [tree_cpu_seconds(pid) for pid in group]
        snapshot[name] = None if not group or any(v is None for v in values) else sum(v or 0.0 for v in values)
    snapshot["benchmark client"] = _own_cpu()
    return snapshot


# -- the load -----------------------------------------------------------------------------------


def _rotated(bases: list[str], by: int) -> list[str]:
    """The balancer of client `by` starts at another replica, so first requests spread too."""
    by %= len(bases)
    return bases[by:] + bases[:by]


async def _prepare(replicas: Sequence[Any]) -> list[str]:
    """Create the audiences, then one read and one update on every replica (tools build lazily)."""
    from tests.support.replicas import replica_client

    ids: list[str] = []
    async with replica_client(replicas[:1]) as setup:
        for i in range(AUDIENCES):
            created = await setup.call_tool(
                "neuroflash_create_audience",
                {
                    "name": f"Replica load {i:02d}",
                    "min_age": 25,
                    "max_age": 45,
                    "residence": "Berlin",
                    "interests": ["AI"],
                },
            )
            if created.is_error or not isinstance(created.structured_content, dict):
                raise RuntimeError(f"setup failed: {created.content}")
            ids.append(str(created.structured_content["audience"]["id"]))
    for n, replica in enumerate(replicas):
        async with replica_client([replica]) as warm:
            for tool, arguments in (
                ("neuroflash_get_audience", {"audience_id": ids[-1]}),
                ("neuroflash_update_audience", {"audience_id": ids[-1], "add_interests": [f"warm-up {n}"]}),
            ):
                result = await warm.call_tool(tool, arguments)
                if result.is_error:
                    raise RuntimeError(f"warm-up {tool} failed: {result.content}")
    return ids


async def _load(side: Side, replicas: Sequence[Any], ids: list[str], clients: int, calls: int) -> None:
    import anyio

    from tests.support.replicas import RoundRobin, replica_client

    bases = [replica.base for replica in replicas]
    connected = anyio.Event()
    ready = 0
    started_at: list[float] = []

    def arrived() -> None:
        nonlocal ready
        ready += 1
        if ready == clients:
            started_at.append(time.perf_counter())
            connected.set()

    async def one_client(index: int) -> None:
        entered = False
        try:
            balancer = RoundRobin(_rotated(bases, index))
            async with replica_client(replicas, balancer=balancer) as client:
                entered = True
                arrived()
                await connected.wait()
                for call in range(calls):
                    if (index * calls + call) % UPDATE_EVERY == 0:
                        kind = "update"
                        audience_id = ids[(index + call) % SHARED]
                        interest = f"load {index:03d}.{call:02d}"
                        arguments: dict[str, Any] = {"audience_id": audience_id, "add_interests": [interest]}
                    else:
                        kind = "get"
                        arguments = {"audience_id": ids[(index + call) % len(ids)]}
                    tool = f"neuroflash_{kind}_audience"
                    begun = time.perf_counter()
                    try:
                        result = await client.call_tool(tool, arguments)
                    except Exception as exc:
                        side.errors.append(f"{tool}: {type(exc).__name__}: {exc}")
                        continue
                    side.latencies[kind].append(time.perf_counter() - begun)
                    if result.is_error:
                        side.errors.append(f"{tool}: isError: {result.content}")
                    elif kind == "update":
                        side.succeeded.setdefault(audience_id, set()).add(interest)
        except Exception as exc:
            side.errors.append(f"session: {type(exc).__name__}: {exc}")
            if not entered:
                arrived()

    async with anyio.create_task_group() as group:
        for index in range(clients):
            group.start_soon(one_client, index)
    side.wall_s = time.perf_counter() - started_at[0] if started_at else float("nan")


async def _measure(
    label: str, directory: Path, state_db: str, count: int, clients: int, calls: int, postgres_pid: int | None
) -> Side:
    from tests.support.campaigns import standalone_sandbox
    from tests.support.replicas import replica_processes

    side = Side(label)
    directory.mkdir(parents=True)
    with (
        standalone_sandbox(directory / "sandbox") as sandbox,
        replica_processes(directory, sandbox, state_db, count=count) as replicas,
    ):
        ids = await _prepare(replicas)
        sandbox_pid = _sandbox_pid(sandbox.root)
        pids: dict[str, Sequence[int]] = {
            "replicas": [replica.process.pid for replica in replicas],
            "sandbox": [sandbox_pid] if sandbox_pid else [],
        }
        if postgres_pid is not None:
            pids["PostgreSQL"] = [postgres_pid]
        before = _cpu_snapshot(pids)
        await _load(side, replicas, ids, clients, calls)
        after = _cpu_snapshot(pids)
        side.cpu = {
            name: round(after[name] - value, 2) if value is not None and after[name] is not None else None  # type: ignore[operator]
            for name, value in before.items()
        }
        stored = sandbox.audiences()
        for audience_id, interests in side.succeeded.items():
            kept = set(stored.get(audience_id, {}).get("interests") or [])
            side.lost.extend(sorted(f"{audience_id}: {name}" for name in interests - kept))
    return side


def _postmaster_pid(server: PostgresServer) -> int | None:
    with contextlib.suppress(OSError, ValueError, IndexError):
        return int((server.directory / "data" / "postmaster.pid").read_text().split()[0])
    return None


def _rows(side: Side, clients: int, calls: int, prefix: str) -> list[Result]:
    total = clients * calls
    answered = len(side.all_latencies)
    updates = sum(len(names) for names in side.succeeded.values())
    details = {
        "clients": clients,
        "calls_per_client": calls,
        "calls_answered": answered,
        "updates_succeeded": updates,
        "errors": len(side.errors),
        "first_errors": side.errors[:5],
        "lost_updates": len(side.lost),
        "first_lost": side.lost[:5],
        "wall_s": round(side.wall_s, 3),
        "latency_ms": {
            kind: {"n": len(values), "p50": round(side.p(50, kind), 2), "p99": round(side.p(99, kind), 2)}
            for kind, values in side.latencies.items()
        },
        "cpu_s": side.cpu,
    }
    cpu = " / ".join(f"{value if value is not None else 'n/a'}" for value in side.cpu.values())
    return [
        Result(
            f"{prefix}{side.label}: errors",
            len(side.errors),
            target="0",
            passed=not side.errors and answered == total,
            details=details,
            group=GROUP,
        ),
        Result(
            f"  lost updates (of {updates} answered success)",
            len(side.lost),
            target="0",
            passed=not side.lost and updates > 0,
            group=GROUP,
        ),
        Result("  latency p50 (get and update)", side.p(50), "ms", group=GROUP),
        Result("  latency p99 (get and update)", side.p(99), "ms", group=GROUP),
        Result("  throughput", side.rate, "calls/s", group=GROUP),
        Result(f"  CPU seconds: {' / '.join(side.cpu)}", cpu, group=GROUP),
    ]


def _ratio(value: float | None) -> str | None:
    return None if value is None else f"{value:.2f}x"


async def run(*, quick: bool) -> list[Result]:
    from tests.support.postgres import start_server

    clients, calls = QUICK if quick else (CLIENTS, CALLS)
    label = f"{clients} clients x {calls} calls, 1 in {UPDATE_EVERY} an update"
    if not network_available():
        return [Result(f"Replicas, {label}", None, target="0 errors", group=GROUP, details={"skipped": True})]
    try:
        server = start_server()
    except (FileNotFoundError, subprocess.SubprocessError, OSError, KeyError) as exc:
        reason = f"PostgreSQL could not be started: {exc}"
        return [Result(f"Replicas: skipped, {reason}", None, group=GROUP, details={"skipped": True, "reason": reason})]
    try:
        with workdir("replicas") as root:
            sqlite = await _measure(
                "1 replica, SQLite", root / "sqlite", str(root / "sqlite" / "state.db"), 1, clients, calls, None
            )
            postgres = await _measure(
                "2 replicas, PostgreSQL",
                root / "postgres",
                server.create_database(),
                2,
                clients,
                calls,
                _postmaster_pid(server),
            )
    finally:
        server.stop()
    p50_ratio = postgres.p(50) / sqlite.p(50) if sqlite.all_latencies and postgres.all_latencies else None
    rate_ratio = postgres.rate / sqlite.rate if sqlite.rate else None
    ratios = {"calls_per_s": rate_ratio, "p50": p50_ratio}
    return [
        *_rows(sqlite, clients, calls, f"Replicas, {label}; "),
        *_rows(postgres, clients, calls, ""),
        Result(
            "  ratio 2 replicas on PostgreSQL / 1 on SQLite: calls/s", _ratio(rate_ratio), group=GROUP, details=ratios
        ),
        Result("  ratio 2 replicas on PostgreSQL / 1 on SQLite: p50", _ratio(p50_ratio), group=GROUP),
    ]
