"""Streamable HTTP under load: 100 concurrent SDK clients, 20 tool calls each.

The server runs as `audience-mcp --transport http --sandbox` in its own process,
behind a bearer token (AUDIENCE_MCP_TOKEN, as deployed). Ten audiences are created first.
Then every client connects (its own HTTP connection pool and MCP session), all wait at a
barrier, and each makes 20 `neuroflash_get_audience` calls back to back. Latency is per call; the rate
is all calls over the wall time from the barrier to the last answer. An error is a raised
exception or a tool result with isError. CPU seconds of the server process and of this
(client) process show which side was the bottleneck on this machine.
"""

from __future__ import annotations

import os
import resource
import secrets
import time
from pathlib import Path
from typing import Any

from tests.benchmarks.common import (
    Result,
    background_process,
    clean_env,
    free_port,
    median,
    ms,
    network_available,
    percentile,
    server_command,
    workdir,
)

CLIENTS = 100
CALLS = 20


def _cpu_seconds(pid: int) -> float | None:
    """utime + stime of a process from /proc (Linux); None elsewhere."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return None


def _own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def _load(url: str, token: str, clients: int, calls: int) -> dict[str, Any]:
    import anyio
    from mcp import Client
    from mcp.client.streamable_http import streamable_http_client
    from mcp.shared._httpx_utils import create_mcp_http_client

    def connect() -> Client:
        http = create_mcp_http_client(headers={"Authorization": f"Bearer {token}"})
        return Client(streamable_http_client(url, http_client=http))

    async with connect() as setup:
        ids = []
        for i in range(10):
            created = await setup.call_tool(
                "neuroflash_create_audience",
                {"name": f"Load audience {i}", "min_age": 25, "max_age": 45, "residence": "Berlin"},
            )
            if created.is_error or not isinstance(created.structured_content, dict):
                raise RuntimeError(f"setup failed: {created.content}")
            ids.append(created.structured_content["audience"]["id"])

    latencies: list[float] = []
    errors: list[str] = []
    connected = anyio.Event()
    ready = 0
    started_at: list[float] = []

    async def one_client(index: int) -> None:
        nonlocal ready
        try:
            async with connect() as client:
                ready += 1
                if ready == clients:
                    started_at.append(time.perf_counter())
                    connected.set()
                await connected.wait()
                for call in range(calls):
                    begun = time.perf_counter()
                    try:
                        result = await client.call_tool(
                            "neuroflash_get_audience", {"audience_id": ids[(index + call) % len(ids)]}
                        )
                    except Exception as exc:
                        errors.append(f"call: {type(exc).__name__}: {exc}")
                        continue
                    latencies.append(time.perf_counter() - begun)
                    if result.is_error:
                        errors.append(f"tool error: {result.content}")
        except Exception as exc:
            errors.append(f"session: {type(exc).__name__}: {exc}")
            ready += 1
            if ready == clients:
                started_at.append(time.perf_counter())
                connected.set()

    cpu_before = _own_cpu()
    async with anyio.create_task_group() as group:
        for index in range(clients):
            group.start_soon(one_client, index)
    finished = time.perf_counter()
    wall = finished - started_at[0] if started_at else float("nan")
    return {
        "latencies": latencies,
        "errors": errors,
        "wall_s": wall,
        "client_cpu_s": _own_cpu() - cpu_before,
    }


async def run(*, quick: bool) -> list[Result]:
    if not network_available():
        return [Result("Streamable HTTP load", None, target="0 errors", group="http", details={"skipped": True})]
    clients, calls = (20, 10) if quick else (CLIENTS, CALLS)
    token = secrets.token_urlsafe(32)
    port = free_port()
    with workdir("http") as root:
        env = clean_env(
            root / "data",
            AUDIENCE_MCP_TOKEN=token,
            AUDIENCE_MCP_SANDBOX_DB=":memory:",
            AUDIENCE_MCP_STATE_DB=str(root / "data" / "journal.db"),
        )
        args = server_command("--transport", "http", "--sandbox", "--port", str(port), "--log-level", "WARNING")
        base = f"http://127.0.0.1:{port}"
        with background_process(args, env=env, cwd=root, ready_url=f"{base}/healthz", name="http") as process:
            server_cpu_before = _cpu_seconds(process.pid)
            data = await _load(f"{base}/mcp", token, clients, calls)
            server_cpu_after = _cpu_seconds(process.pid)
    latencies, errors = data["latencies"], data["errors"]
    total = clients * calls
    rate = len(latencies) / data["wall_s"] if latencies else 0.0
    server_cpu = (
        round(server_cpu_after - server_cpu_before, 2)
        if server_cpu_after is not None and server_cpu_before is not None
        else None
    )
    details = {
        "clients": clients,
        "calls_per_client": calls,
        "calls_answered": len(latencies),
        "errors": len(errors),
        "first_errors": errors[:5],
        "wall_s": round(data["wall_s"], 3),
        "server_cpu_s": server_cpu,
        "client_cpu_s": round(data["client_cpu_s"], 2),
    }
    p50 = ms(median(latencies)) if latencies else float("nan")
    p99 = ms(percentile(latencies, 99)) if latencies else float("nan")
    label = f"{clients} clients x {calls} calls"
    return [
        Result(
            f"Streamable HTTP, {label}: errors",
            len(errors),
            target="0",
            passed=not errors and len(latencies) == total,
            details=details,
            group="http",
        ),
        Result("  latency p50 (neuroflash_get_audience)", p50, "ms", group="http"),
        Result("  latency p99 (neuroflash_get_audience)", p99, "ms", group="http"),
        Result("  throughput", rate, "calls/s", group="http"),
        Result(
            "  CPU seconds: server process / benchmark clients (2 cores shared)",
            f"{server_cpu} / {details['client_cpu_s']}",
            group="http",
        ),
        Result(
            "  server CPU per call (session setup included)",
            ms(server_cpu / total) if server_cpu is not None else None,
            "ms",
            group="http",
        ),
    ]
