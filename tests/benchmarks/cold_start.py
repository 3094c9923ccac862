"""Cold start over stdio, the tool list's context cost, and where the start-up time goes.

Cold start is the wall time from spawning `python -m audience_mcp` (real mode, pointed at a
standalone sandbox), and the bare SDK server with one no-op tool beside it, to
the `tools/list` answer in the SDK's stdio client (the client's handshake included, the
shutdown not). One discarded warm-up run comes first, so bytecode is compiled and the OS
file cache is warm, as on a user's second launch. The sandbox and journal databases are
files in a temporary user data directory, as they would be for a user.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from tests.benchmarks.common import (
    ROOT,
    Result,
    at_most,
    clean_env,
    median,
    percentile,
    spread,
    standalone_sandbox,
    tokens,
    workdir,
)

COLD_START_TARGET_S = 0.6
COLD_START_RATIO_TARGET = 1.10
TOOLS_TOKENS_TARGET = 3000

# Runs in a fresh interpreter with the measured server's environment (real mode, neuroflash only):
# where the start-up time goes, phase by phase (seconds).
_BREAKDOWN = """
import json, time
t0 = time.perf_counter()
import mcp.server.mcpserver
t1 = time.perf_counter()
import audience_mcp.cli
from audience_mcp.app import create_server
from audience_mcp.settings import Settings
t2 = time.perf_counter()
settings = Settings()  # as the server reads them (environment)
t3 = time.perf_counter()
server = create_server(settings)
t4 = time.perf_counter()
from audience_mcp.platforms.neuroflash.connection import open_backend
from audience_mcp.core.store.journal import Journal
# What a stdio server opens on its first tool call (core/platform.py), not before initialize.
backend, journal = open_backend(settings), Journal(settings.server.state_db)
t5 = time.perf_counter()
print(json.dumps({"sdk_import": t1 - t0, "own_import": t2 - t1, "settings": t3 - t2, "create_server": t4 - t3,
                  "lifespan": t5 - t4}))
"""


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


async def _one_start(params: Any, errlog: Any) -> tuple[float, float, list[dict[str, Any]]]:
    """Wall time to the tools/list answer, and the server process's CPU time (start to exit)."""
    from mcp import Client
    from mcp.client.stdio import stdio_client

    cpu_before = _children_cpu()
    started = time.perf_counter()
    async with Client(stdio_client(params, errlog=errlog)) as client:
        listed = await client.list_tools()
        elapsed = time.perf_counter() - started
    # The client waited for the server to exit, so its CPU time is now counted among the children.
    cpu = _children_cpu() - cpu_before
    tools = [tool.model_dump(mode="json", by_alias=True, exclude_none=True) for tool in listed.tools]
    return elapsed, cpu, tools


def _breakdown(env: dict[str, str], cwd: Path, runs: int) -> dict[str, float]:
    samples: dict[str, list[float]] = {}
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], env=env, cwd=cwd, check=True)
        samples.setdefault("interpreter", []).append(time.perf_counter() - started)
        out = subprocess.run(
            [sys.executable, "-c", _BREAKDOWN], env=env, cwd=cwd, check=True, capture_output=True, text=True
        ).stdout
        for key, value in json.loads(out.strip().splitlines()[-1]).items():
            samples.setdefault(key, []).append(value)
    return {key: median(values) for key, values in samples.items()}


async def run(*, quick: bool) -> list[Result]:
    from mcp import StdioServerParameters

    # 45 pairs: on a shared two-core machine one pair's ratio moves by about 20%, so the median of
    # 15 moved by about 0.07 between identical runs, as much as the margin it is compared with.
    runs = 5 if quick else 45
    with workdir("cold") as root, standalone_sandbox(root) as sandbox:
        env = clean_env(
            root / "data",
            AUDIENCE_MCP_SANDBOX_DB=str(root / "data" / "sandbox.db"),
            AUDIENCE_MCP_STATE_DB=str(root / "data" / "state.db"),
        )
        # Real mode with neuroflash only, pointed at the standalone sandbox: what a user starts.
        params = StdioServerParameters(
            command=sys.executable, args=["-m", "audience_mcp"], env=env | sandbox.server_env(), cwd=str(root)
        )
        bare = StdioServerParameters(
            command=sys.executable, args=[str(ROOT / "tests" / "benchmarks" / "noop_server.py")], env=env, cwd=str(root)
        )
        with (root / "server.stderr.log").open("w") as errlog:
            await _one_start(params, errlog)  # warm-up: bytecode, file cache, database files
            await _one_start(bare, errlog)
            times: list[float] = []
            bare_times: list[float] = []
            cpu_times: list[float] = []
            bare_cpu_times: list[float] = []
            tools: list[dict[str, Any]] = []

            async def start_bare() -> None:
                elapsed, cpu, _ = await _one_start(bare, errlog)
                bare_times.append(elapsed)
                bare_cpu_times.append(cpu)

            for run_index in range(runs):  # in pairs, so drift of the machine hits both alike
                if run_index % 2:  # alternate which one starts first within a pair
                    await start_bare()
                elapsed, cpu, tools = await _one_start(params, errlog)
                times.append(elapsed)
                cpu_times.append(cpu)
                if not run_index % 2:
                    await start_bare()
        phases = _breakdown(env | sandbox.server_env(), root, 3 if quick else 5)

    # The median of the paired ratios: each pair ran back to back, so a load spike that slows one
    # pair (other processes on a shared machine) moves one ratio, not the whole comparison.
    pair_ratios = [ours / theirs for ours, theirs in zip(times, bare_times, strict=True)]
    ratio = median(pair_ratios)
    # CPU time barely moves with the machine's load, where wall time does: the steadier signal.
    cpu_ratio = median(cpu_times) / median(bare_cpu_times)
    cold = median(times)
    wire = json.dumps({"tools": tools}, separators=(",", ":"))
    tool_tokens = tokens(wire)
    per_tool = sorted(
        ((tool["name"], tokens(json.dumps(tool, separators=(",", ":")))) for tool in tools),
        key=lambda item: -item[1],
    )
    return [
        Result(
            "cold start ratio: this server (neuroflash, real mode) / the bare SDK server, spawn to tools/list",
            ratio,
            "x",
            f"<= {COLD_START_RATIO_TARGET}x",
            at_most(ratio, COLD_START_RATIO_TARGET),
            {
                "bare_runs_s": [round(t, 4) for t in bare_times],
                "bare_median_s": round(median(bare_times), 4),
                "ratio_of_medians": round(median(times) / median(bare_times), 4),
                # How far single pairs scatter: the noise the median is taken over.
                "pair_ratio_quartiles": [round(percentile(pair_ratios, q), 3) for q in (25, 50, 75)],
            },
            group="start-up",
        ),
        Result(
            "  CPU ratio: server process CPU time, start to exit (medians; steady under load)",
            cpu_ratio,
            "x",
            group="start-up",
            details={
                "cpu_runs_s": [round(t, 4) for t in cpu_times],
                "bare_cpu_runs_s": [round(t, 4) for t in bare_cpu_times],
                "cpu_median_s": round(median(cpu_times), 4),
                "bare_cpu_median_s": round(median(bare_cpu_times), 4),
            },
        ),
        Result(
            "cold start: spawn to tools/list answer (stdio, median)",
            cold,
            "s",
            f"<= {COLD_START_TARGET_S} s",
            at_most(cold, COLD_START_TARGET_S),
            {"runs_s": [round(t, 4) for t in times], **spread(times)},
            group="start-up",
        ),
        Result(
            "  of which: interpreter start (python -c pass)",
            phases["interpreter"],
            "s",
            group="start-up",
        ),
        Result("  of which: import of the MCP SDK (mcp.server.mcpserver)", phases["sdk_import"], "s", group="start-up"),
        Result("  of which: import of this server's modules", phases["own_import"], "s", group="start-up"),
        Result("  of which: reading the settings (Settings())", phases["settings"], "s", group="start-up"),
        Result("  of which: create_server (tool registration)", phases["create_server"], "s", group="start-up"),
        Result(
            "  not in it: opening the API client and journal (on the first tool call)",
            phases["lifespan"],
            "s",
            group="start-up",
        ),
        Result(
            "  rest: spawn, handshake, tools/list, client side",
            cold - sum(value for phase, value in phases.items() if phase != "lifespan"),
            "s",
            group="start-up",
        ),
        Result(
            "context cost of tools/list (cl100k tokens, compact JSON)",
            tool_tokens,
            "tokens",
            f"<= {TOOLS_TOKENS_TARGET:,}",
            at_most(tool_tokens, TOOLS_TOKENS_TARGET),
            {"tools": len(tools), "characters": len(wire), "per_tool": dict(per_tool)},
            group="context",
        ),
    ]
