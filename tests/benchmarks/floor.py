"""The per-call floor: overhead.py's harness with floor_server.py in place of this server.

floor_server.py is a bare SDK server whose tool sends the same audience GET with raw httpx2,
served over stdio as this server serves it. Its ratio to (raw GET + no-op call) is what the
per-call ratio of any server that makes the GET inside a tool comes to on this machine and in
this harness, so the gap between the two ratios is this server's own work per call.
Informational: it has no target.
"""

from __future__ import annotations

from tests.benchmarks.common import Result, median, ms
from tests.benchmarks.overhead import _round


async def run(*, quick: bool) -> list[Result]:
    if quick:
        rounds = [await _round(100, 1, 20, cpu_blocks=0, cpu_block=0, floor=True)]
    else:
        rounds = [await _round(500, 1, 50, cpu_blocks=0, cpu_block=0, floor=True) for _ in range(3)]
    ratios = [
        ms(median(samples["stdio"])) / (ms(median(samples["raw_http"])) + ms(median(samples["noop_stdio"])))
        for samples, _, _ in rounds
    ]
    errors = sum(e for _, _, e in rounds)
    return [
        Result(
            "per-call floor: a bare SDK server's raw GET in its tool, over this server's stdio / (raw GET + no-op)",
            median(ratios) if errors == 0 else None,
            "x",
            details={"rounds_ratio": [round(r, 3) for r in ratios], "tool_errors": errors},
            group="per-call",
        )
    ]
