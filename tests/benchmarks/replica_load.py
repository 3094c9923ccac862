"""Two HTTP replicas on PostgreSQL beside one replica on SQLite: the same contended load, same run.

Each side gets its own standalone `sandbox-api` (a fresh SQLite file, so both start from the same
state) and its own state store: (a) one `audience-mcp --transport http` replica on a SQLite state
file, (b) two replicas started at the same moment on one fresh PostgreSQL database (stateless
HTTP), reached through the round-robin balancer of tests/support/replicas.py, so consecutive
requests of one client land on different processes. PostgreSQL runs from the machine's binaries
(tests/support/postgres.py); without them the figure says it was skipped.

Both sides run side by side; the load goes to one side at a time, in four rounds ordered a b, b a,
a b, b a, so a change in the machine's load (other processes on the shared cores) hits both alike.

The workload, identical on both sides: ten audiences are created and every replica answers one
read and one update first (warm-up, not measured: tools are built on their first call). Then, in
each round, C clients (each its own HTTP connection pool and MCP client) wait at a barrier and
make K calls back to back: every fifth one is `neuroflash_update_audience` with
`add_interests=[a name no other call uses]` on one of three shared audiences (more for a larger
load: the API holds 100 interests at most), so updates of one audience contend for its lock,
across replicas on side b; the others are `neuroflash_get_audience` of one of the ten.

After the load the sandbox's stored audiences are read with plain HTTP: a lost update is a
unique interest whose update answered success but is not stored. An error is a raised exception
or an isError result. Both must be 0. Latency is per call (reads and updates together; each
kind on its own in the JSON details); the rate is all answered calls over the wall time from the
barrier to the last answer, summed over the rounds. The ratios are side b over side a.
"""

from __future__ import annotations

import contextlib
import os
import resource
import subprocess
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tests.benchmarks.common import Result, ms, network_available, percentile, workdir

if TYPE_CHECKING:
    from tests.support.postgres import PostgresServer
    from tests.support.replicas import Replica

CLIENTS = 40
CALLS = 5  # per client and round
ROUNDS = 4  # a b b a a b b a: a change in the machine's load hits both sides alike
QUICK = (10, 5)
AUDIENCES = 10
SHARED = 3  # the audiences that updates go to (the first ones), at least; more for larger loads
UPDATE_EVERY = 5  # one call in five is an update
# The API holds at most 100 interests per audience: an update beyond that is refused (an error
# that would measure the workload, not the server), so no shared audience gets more added.
MAX_ADDED = 90
GROUP = "replicas"


@dataclass
class Side:
    """One side: its processes while they run, and what it measured."""

    label: str
    replicas: list[Replica] = field(default_factory=list)
    ids: list[str] = field(default_factory=list)  # the audiences; updates go to the first `shared`
    shared: int = SHARED
    pids: dict[str, list[int]] = field(default_factory=dict)  # CPU time is read from these
    latencies: dict[str, list[float]] = field(default_factory=lambda: {"get": [], "update": []})
    errors: list[str] = field(default_factory=list)
    succeeded: dict[str, set[str]] = field(default_factory=dict)  # audience id -> interests added with success
    lost: list[str] = field(default_factory=list)
    log_problems: list[str] = field(default_factory=list)
    wall_s: float = 0.0  # summed over the rounds
    cpu: dict[str, float | None] = field(default_factory=dict)  # summed over the rounds

    @property
    def all_latencies(self) -> list[float]:
        return self.latencies["get"] + self.latencies["update"]

    @property
    def rate(self) -> float:
        answered = len(self.all_latencies)
        return answered / self.wall_s if answered and self.wall_s > 0 else 0.0

    def server_cpu_per_call(self) -> float | None:
        """CPU seconds of the replicas, the sandbox and PostgreSQL per answered call.

        Each round's CPU time includes the clients' connecting (initialize), which the wall time
        does not: it is the same work on both sides, and CPU time moves far less than wall time
        with other processes' load on the shared cores.
        """
        spent = [value for name, value in self.cpu.items() if name != "benchmark client"]
        answered = len(self.all_latencies)
        if not answered or not spent or any(value is None for value in spent):
            return None
        return sum(value or 0.0 for value in spent) / answered

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


def _cpu_snapshot(pids: dict[str, list[int]]) -> dict[str, float | None]:
    snapshot: dict[str, float | None] = {}
    for name, group in pids.items():
        values = [tree_cpu_seconds(pid) for pid in group]
        snapshot[name] = None if not group or any(v is None for v in values) else sum(v or 0.0 for v in values)
    snapshot["benchmark client"] = _own_cpu()
    return snapshot


# -- the load -----------------------------------------------------------------------------------


def _describe(exc: BaseException) -> str:
    """The leaf exceptions of a (nested) exception group, each as 'Type: message'."""
    if isinstance(exc, BaseExceptionGroup):
        return "; ".join(_describe(inner) for inner in exc.exceptions)
    return f"{type(exc).__name__}: {exc}"


def _log_problems(logs: Sequence[Path], limit: int = 20) -> list[str]:
    """Warnings, errors and tracebacks that the replicas logged (their stderr)."""
    lines: list[str] = []
    for log in logs:
        with contextlib.suppress(OSError):
            for line in log.read_text(errors="replace").splitlines():
                if any(word in line for word in ("WARNING", "ERROR", "CRITICAL", "Traceback", "Error:")):
                    lines.append(f"{log.name}: {line.strip()}")
    return lines[:limit]


def _update_slot(index: int, call: int, shared: int) -> int | None:
    """Which shared audience call `call` of client `index` updates; None: it reads.

    Clients update at different moments (not all at the barrier), spread over the audiences.
    """
    if (index + call) % UPDATE_EVERY:
        return None
    return (index + call) // UPDATE_EVERY % shared


def _shared_count(clients: int, calls: int) -> int:
    """The fewest shared audiences (SHARED at least) that none gets more than MAX_ADDED interests."""
    shared = SHARED
    while True:
        added = [0] * shared
        for index in range(clients):
            for call in range(calls):
                slot = _update_slot(index, call, shared)
                if slot is not None:
                    added[slot] += ROUNDS
        if max(added) <= MAX_ADDED:
            return shared
        shared += 1


def _rotated(bases: list[str], by: int) -> list[str]:
    """The balancer of client `by` starts at another replica, so first requests spread too."""
    by %= len(bases)
    return bases[by:] + bases[:by]


async def _prepare(side: Side) -> None:
    """Create the audiences, then one read and one update on every replica (tools build lazily)."""
    from tests.support.replicas import replica_client

    async with replica_client(side.replicas[:1]) as setup:
        for i in range(max(AUDIENCES, side.shared)):
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
            side.ids.append(str(created.structured_content["audience"]["id"]))
    for n, replica in enumerate(side.replicas):
        async with replica_client([replica]) as warm:
            for tool, arguments in (
                ("neuroflash_get_audience", {"audience_id": side.ids[-1]}),
                ("neuroflash_update_audience", {"audience_id": side.ids[-1], "add_interests": [f"warm-up {n}"]}),
            ):
                result = await warm.call_tool(tool, arguments)
                if result.is_error:
                    raise RuntimeError(f"warm-up {tool} failed: {result.content}")


async def _load(side: Side, round_: int, clients: int, calls: int) -> None:
    """One round: `clients` clients at a barrier, then `calls` calls each, back to back."""
    import anyio

    from tests.support.replicas import RoundRobin, replica_client

    bases = [replica.base for replica in side.replicas]
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
            async with replica_client(side.replicas, balancer=balancer) as client:
                entered = True
                arrived()
                await connected.wait()
                for call in range(calls):
                    slot = _update_slot(index, call, side.shared)
                    if slot is not None:
                        kind = "update"
                        audience_id = side.ids[slot]
                        interest = f"load {round_}.{index:03d}.{call:02d}"  # no other call adds this one
                        arguments: dict[str, Any] = {"audience_id": audience_id, "add_interests": [interest]}
                    else:
                        kind = "get"
                        arguments = {"audience_id": side.ids[(index + call) % len(side.ids)]}
                    tool = f"neuroflash_{kind}_audience"
                    begun = time.perf_counter()
                    try:
                        result = await client.call_tool(tool, arguments)
                    except Exception as exc:
                        side.errors.append(f"{tool}: {_describe(exc)}")
                        continue
                    side.latencies[kind].append(time.perf_counter() - begun)
                    if result.is_error:
                        side.errors.append(f"{tool}: isError: {result.content}")
                    elif kind == "update":
                        side.succeeded.setdefault(audience_id, set()).add(interest)
        except Exception as exc:
            side.errors.append(f"session: {_describe(exc)}")
            if not entered:
                arrived()

    before = _cpu_snapshot(side.pids)
    async with anyio.create_task_group() as group:
        for index in range(clients):
            group.start_soon(one_client, index)
    if started_at:
        side.wall_s += time.perf_counter() - started_at[0]
    after = _cpu_snapshot(side.pids)
    for name, value in before.items():
        spent = after[name] - value if value is not None and after[name] is not None else None  # type: ignore[operator]
        so_far = side.cpu.get(name, 0.0)
        side.cpu[name] = None if spent is None or so_far is None else so_far + spent


@contextlib.contextmanager
def _started(side: Side, directory: Path, state_db: str, count: int, postgres_pid: int | None) -> Iterator[Side]:
    """The side's sandbox (fresh) and replicas, running until the block ends; then its outcome."""
    from tests.support.campaigns import standalone_sandbox
    from tests.support.replicas import replica_processes

    directory.mkdir(parents=True)
    with (
        standalone_sandbox(directory / "sandbox") as sandbox,
        replica_processes(directory, sandbox, state_db, count=count) as replicas,
    ):
        side.replicas = replicas
        sandbox_pid = _sandbox_pid(sandbox.root)
        side.pids = {"replicas": [replica.process.pid for replica in replicas]}
        side.pids["sandbox"] = [sandbox_pid] if sandbox_pid else []
        if postgres_pid is not None:
            side.pids["PostgreSQL"] = [postgres_pid]
        yield side
        side.log_problems = _log_problems([replica.log for replica in replicas])
        stored = sandbox.audiences()
        for audience_id, interests in side.succeeded.items():
            kept = set(stored.get(audience_id, {}).get("interests") or [])
            side.lost.extend(sorted(f"{audience_id}: {name}" for name in interests - kept))


def _postmaster_pid(server: PostgresServer) -> int | None:
    with contextlib.suppress(OSError, ValueError, IndexError):
        return int((server.directory / "data" / "postmaster.pid").read_text().split()[0])
    return None


def _rows(side: Side, clients: int, calls: int, prefix: str) -> list[Result]:
    total = clients * calls * ROUNDS
    answered = len(side.all_latencies)
    updates = sum(len(names) for names in side.succeeded.values())
    details = {
        "clients": clients,
        "calls_per_client_and_round": calls,
        "rounds": ROUNDS,
        "shared_audiences": side.shared,
        "calls_answered": answered,
        "updates_succeeded": updates,
        "errors": len(side.errors),
        "first_errors": side.errors[:5],
        "lost_updates": len(side.lost),
        "first_lost": side.lost[:5],
        "replica_log_problems": side.log_problems,
        "wall_s": round(side.wall_s, 3),
        "latency_ms": {
            kind: {"n": len(values), "p50": round(side.p(50, kind), 2), "p99": round(side.p(99, kind), 2)}
            for kind, values in side.latencies.items()
        },
        "cpu_s": {name: None if value is None else round(value, 2) for name, value in side.cpu.items()},
        "server_cpu_ms_per_call": None if (per_call := side.server_cpu_per_call()) is None else round(ms(per_call), 3),
    }
    cpu = " / ".join("n/a" if value is None else f"{value:.2f}" for value in side.cpu.values())
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
    label = f"{clients} clients x {calls} calls x {ROUNDS} rounds, 1 in {UPDATE_EVERY} an update"
    if not network_available():
        return [Result(f"Replicas, {label}", None, target="0 errors", group=GROUP, details={"skipped": True})]
    try:
        server = start_server()
    except (FileNotFoundError, subprocess.SubprocessError, OSError, KeyError) as exc:
        reason = f"PostgreSQL could not be started: {exc}"
        return [Result(f"Replicas: skipped, {reason}", None, group=GROUP, details={"skipped": True, "reason": reason})]
    shared = _shared_count(clients, calls)
    sqlite = Side("1 replica, SQLite", shared=shared)
    postgres = Side("2 replicas, PostgreSQL", shared=shared)
    try:
        with workdir("replicas") as root, contextlib.ExitStack() as running:
            state_db = str(root / "sqlite" / "state.db")
            running.enter_context(_started(sqlite, root / "sqlite", state_db, 1, None))
            state_db = server.create_database()
            running.enter_context(_started(postgres, root / "postgres", state_db, 2, _postmaster_pid(server)))
            for side in (sqlite, postgres):
                await _prepare(side)
            for round_ in range(ROUNDS):
                for side in (sqlite, postgres) if round_ % 2 == 0 else (postgres, sqlite):
                    await _load(side, round_, clients, calls)
    finally:
        server.stop()
    p50_ratio = postgres.p(50) / sqlite.p(50) if sqlite.all_latencies and postgres.all_latencies else None
    rate_ratio = postgres.rate / sqlite.rate if sqlite.rate else None
    sqlite_cpu, postgres_cpu = sqlite.server_cpu_per_call(), postgres.server_cpu_per_call()
    cpu_ratio = postgres_cpu / sqlite_cpu if postgres_cpu is not None and sqlite_cpu else None
    ratios = {"calls_per_s": rate_ratio, "p50": p50_ratio, "server_cpu_per_call": cpu_ratio}
    return [
        *_rows(sqlite, clients, calls, f"Replicas, {label}; "),
        *_rows(postgres, clients, calls, ""),
        Result(
            "  ratio 2 replicas on PostgreSQL / 1 on SQLite: calls/s", _ratio(rate_ratio), group=GROUP, details=ratios
        ),
        Result("  ratio 2 replicas on PostgreSQL / 1 on SQLite: p50", _ratio(p50_ratio), group=GROUP),
        Result(
            "  ratio 2 replicas on PostgreSQL / 1 on SQLite: server-side CPU per call (sessions' setup included)",
            _ratio(cpu_ratio),
            group=GROUP,
        ),
    ]
