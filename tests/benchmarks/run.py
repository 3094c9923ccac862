"""Run the benchmark suite: print the table and write it as JSON.

    .venv/bin/python -m tests.benchmarks            # full run (a few minutes)
    .venv/bin/python -m tests.benchmarks --quick    # smoke run (fewer repetitions, smaller loads)
    .venv/bin/python -m tests.benchmarks --only cold_start,requests --json out.json

Run it from the repository root after the README's test command created `.venv` (it needs the
dev dependencies: bpe-openai for cl100k token counts). It is not part of `pytest`. The exit
status is 1 when a figure misses its target, 2 when a figure could not be measured.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import platform
import subprocess
import sys
import time
import traceback
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import anyio

from tests.benchmarks.common import ROOT, Result

# In table order; each module has `async def run(*, quick: bool) -> list[Result]`.
FIGURES = ("cold_start", "overhead", "floor", "context", "requests", "audit_scale", "http_load", "replica_load")
DEFAULT_JSON = ROOT / ".bench" / "results.json"


def _git_commit() -> str | None:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True, timeout=10
        )
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
            timeout=10,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() + ("-dirty" if dirty.stdout.strip() else "")


def _table(results: list[Result]) -> str:
    rows = [("figure", "value", "target", "status")]
    rows += [(r.figure, r.value_text(), r.target, r.status()) for r in results]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines = []
    for index, row in enumerate(rows):
        lines.append("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip())
        if index == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _run_figure(name: str, quick: bool) -> list[Result]:
    module = importlib.import_module(f"tests.benchmarks.{name}")
    started = time.perf_counter()
    print(f"[bench] {name} ...", file=sys.stderr, flush=True)
    try:
        results: list[Result] = anyio.run(lambda: module.run(quick=quick))
    except Exception as exc:
        traceback.print_exc()
        results = [Result(f"{name}: could not be measured", f"error: {type(exc).__name__}: {exc}", group=name)]
        results[0].passed = False
        results[0].details["error"] = True
    print(f"[bench] {name} done in {time.perf_counter() - started:.1f} s", file=sys.stderr, flush=True)
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.benchmarks", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions and smaller loads (a smoke run)")
    parser.add_argument("--json", type=Path, default=DEFAULT_JSON, help=f"where to write the results ({DEFAULT_JSON})")
    parser.add_argument("--only", help=f"comma-separated subset of: {', '.join(FIGURES)}")
    args = parser.parse_args(argv)
    selected = FIGURES
    if args.only:
        selected = tuple(name.strip() for name in args.only.split(",") if name.strip())
        unknown = [name for name in selected if name not in FIGURES]
        if unknown:
            parser.error(f"unknown figures: {', '.join(unknown)} (choose from {', '.join(FIGURES)})")
    # Settings built in this process must not pick up a developer's configuration.
    for name in [
        n for n in os.environ if n.upper().startswith(("NEUROFLASH_", "AUDIENCE_MCP_", "APPIZER_", "DIGITAL_AUDIENCE_"))
    ]:
        del os.environ[name]

    started = time.perf_counter()
    results: list[Result] = []
    for name in selected:
        results.extend(_run_figure(name, args.quick))
    elapsed = time.perf_counter() - started

    print(_table(results))
    failed = [r for r in results if r.passed is False]
    broken = [r for r in results if r.details.get("error")]
    print(
        f"\n{sum(r.passed is True for r in results)} pass, {len(failed)} fail"
        f"{' (quick run: smaller loads)' if args.quick else ''}; {elapsed:.0f} s; JSON: {args.json}"
    )
    report: dict[str, Any] = {
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "git_commit": _git_commit(),
        "quick": args.quick,
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "seconds": round(elapsed, 1),
        "results": [r.as_json() for r in results],
    }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    if broken:
        return 2
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
