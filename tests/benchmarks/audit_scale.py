"""audit_audiences over 10,000 audiences: wall time and the process's peak memory.

A fresh interpreter (so the peak RSS belongs to this job alone) builds the MCP server over an
in-process sandbox, stores 10,000 varied audiences with `insert_raw` (one in 100 with broken
gender shares, names in pairs so duplicates are found), and runs the `audit_audiences` tool
through the SDK client several times. The time is the median of those calls; the peak RSS
(`ru_maxrss`) covers the whole process: interpreter, server, sandbox with its data, and audits.

Linux carries a process's peak RSS across exec, so a child spawned straight from this (large)
benchmark process would report the parent's RSS as its own peak. The worker is therefore
started by a small launcher that forks and execs it: its ru_maxrss is its own (VmHWM from
/proc is recorded beside it as a cross-check).

    python -m tests.benchmarks.audit_scale --worker 10000 3   # what the suite runs, prints JSON
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from tests.benchmarks.common import ROOT, Result, at_most, audience_body, clean_env, median, spread, workdir

AUDIENCES = 10_000
TIME_TARGET_S = 3.0
RSS_TARGET_MB = 200.0


# argv: the command to run. Forks (a fresh peak-RSS record), execs the command in the child.
_LAUNCHER = """
import os, sys
pid = os.fork()
if pid == 0:
    os.execv(sys.argv[1], sys.argv[1:])
os._exit(os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]))
"""


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _vm_hwm_mb() -> float | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


async def _worker(n: int, runs: int) -> dict[str, Any]:
    from mcp import Client

    from audience_mcp.platforms.neuroflash.sandbox import SANDBOX_WORKSPACE_ID
    from tests.benchmarks.common import in_process

    started = time.perf_counter()
    harness = in_process(create_limit=None)
    store = harness.sandbox.store
    for i in range(n):
        body = audience_body(i)
        body["name"] = f"Audience {i // 2}"  # names come in pairs: duplicate findings
        if i % 100 == 0:
            body["genderDistribution"] = {"female": 0.5, "male": 0.4}  # broken shares
        store.insert_raw(SANDBOX_WORKSPACE_ID, body)
    seeded = time.perf_counter() - started
    rss_seeded = _rss_mb()
    times: list[float] = []
    summary: dict[str, Any] = {}
    async with Client(harness.server) as client:
        await client.call_tool("neuroflash_list_workspaces", {})  # token and workspace, as any session would have
        for _ in range(runs):
            started = time.perf_counter()
            result = await client.call_tool("audit_audiences", {})
            times.append(time.perf_counter() - started)
            if result.is_error or not isinstance(result.structured_content, dict):
                raise RuntimeError(f"audit failed: {result.content}")
            summary = result.structured_content["summary"]
    lists = harness.sandbox.stats.get("GET /api/audience-service/v1/workspaces/{workspaceId}/target-audiences")
    harness.sandbox.close()
    return {
        "times_s": times,
        "seed_s": seeded,
        "peak_rss_mb": _rss_mb(),
        "vm_hwm_mb": _vm_hwm_mb(),
        "rss_after_seeding_mb": rss_seeded,
        "scanned": summary.get("audiences_scanned"),
        "findings": summary.get("findings"),
        "list_calls_per_audit": lists / runs,
    }


def measure(n: int, runs: int) -> dict[str, Any]:
    """Run the worker in a fresh interpreter; its JSON answer."""
    with workdir("audit") as root:
        env = clean_env(root / "data", PYTHONPATH=str(ROOT))
        command = [sys.executable, "-m", "tests.benchmarks.audit_scale", "--worker", str(n), str(runs)]
        if hasattr(os, "fork"):
            command = [sys.executable, "-c", _LAUNCHER, *command]
        out = subprocess.run(
            command,
            env=env,
            cwd=root,
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )
    if out.returncode != 0:
        raise RuntimeError(f"audit worker failed: {out.stderr[-3000:]}")
    answer: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return answer


async def run(*, quick: bool) -> list[Result]:
    data = measure(AUDIENCES, 1 if quick else 3)
    seconds = median(data["times_s"])
    complete = data["scanned"] == AUDIENCES
    return [
        Result(
            f"audit_audiences of {AUDIENCES:,} audiences (in-process sandbox, median)",
            seconds,
            "s",
            f"<= {TIME_TARGET_S:.0f} s",
            at_most(seconds, TIME_TARGET_S) and complete,
            {**spread(data["times_s"]), **{k: v for k, v in data.items() if k != "times_s"}},
            group="audit",
        ),
        Result(
            "  peak RSS of that process (ru_maxrss: seeding + server + sandbox + audits)",
            data["peak_rss_mb"],
            "MB",
            f"<= {RSS_TARGET_MB:.0f} MB",
            at_most(data["peak_rss_mb"], RSS_TARGET_MB),
            group="audit",
        ),
        Result("  RSS after seeding, before the first audit", data["rss_after_seeding_mb"], "MB", group="audit"),
    ]


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--worker":
        import anyio

        for name in [
            n
            for n in os.environ
            if n.upper().startswith(("NEUROFLASH_", "AUDIENCE_MCP_", "APPIZER_", "DIGITAL_AUDIENCE_"))
        ]:
            del os.environ[name]
        n, runs = int(sys.argv[2]), int(sys.argv[3])
        print(json.dumps(anyio.run(lambda: _worker(n, runs))))
    else:
        print(__doc__)
