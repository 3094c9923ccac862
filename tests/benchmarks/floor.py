"""The per-call floors (informational, no target).

First, the per-call ratio's own harness (overhead.py) with floor_server.py answering in this
server's place: what a server that does nothing but the GET inside its tool scores against the
same target, measured exactly as this server is.

Then overhead.py's harness with two more stdio paths in every turn, beside this server's:
- floor_server.py: a bare SDK server whose tool sends the same audience GET with raw httpx2;
- client_floor_server.py: a bare SDK server whose tool reads the audience with this project's
  `NeuroflashClient` and returns the model as JSON text.
Both are served over stdio as this server serves it. Each one's ratio to (raw GET + no-op call)
is what a server that makes the GET inside a tool comes to on this machine in this harness; the
gap from the first to the second is this project's API client, from the second to this server
its MCP layer (scopes, argument checks, call guard, view, result shaping).

The floors run in rounds of their own, not in the per-call ratio's: two more stdio paths in a
turn change what runs before each call (overhead.py says why that matters), and they moved the
per-call ratio by several hundredths. So within these rounds this server is compared with the
floors call by call ("this server / floor server", paired within each round), and the per-call
ratio itself is taken from overhead.py's rounds, measured as it always was.
"""

from __future__ import annotations

from tests.benchmarks.common import Result, median
from tests.benchmarks.overhead import FLOOR_SERVERS, _round


def _ratio(samples: dict[str, list[float]], path: str) -> float:
    return median(samples[path]) / (median(samples["raw_http"]) + median(samples["noop_stdio"]))


async def run(*, quick: bool) -> list[Result]:
    if quick:
        stand_in = [await _round(100, 1, 20, cpu_blocks=0, cpu_block=0, stand_in="floor_raw_stdio")]
        rounds = [await _round(100, 1, 20, cpu_blocks=1, cpu_block=100, floors=True)]
    else:
        stand_in = [await _round(500, 1, 50, cpu_blocks=0, cpu_block=0, stand_in="floor_raw_stdio") for _ in range(3)]
        rounds = [await _round(500, 1, 50, cpu_blocks=2, cpu_block=200, floors=True) for _ in range(3)]
    errors = sum(e for _, _, e in rounds + stand_in)
    # Each round's ratio; the figure is their median, as for the other rows here.
    stand_in_ratios = [_ratio(s, "stdio") for s, _, _ in stand_in]
    ratios = {path: [_ratio(s, path) for s, _, _ in rounds] for path in ("stdio", *FLOOR_SERVERS)}
    over_floor = [median(s["stdio"]) / median(s["floor_raw_stdio"]) for s, _, _ in rounds]
    cpu_over_floor = [c["stdio"] / c["floor_raw_stdio"] for _, c, _ in rounds if c["floor_raw_stdio"] > 0]

    def rounded(values: list[float]) -> list[float]:
        return [round(v, 3) for v in values]

    def figure(text: str, values: list[float], details: dict[str, object] | None = None) -> Result:
        return Result(
            text,
            median(values) if errors == 0 and values else None,
            "x",
            details={"rounds_ratio": rounded(values), "tool_errors": errors, **(details or {})},
            group="per-call",
        )

    return [
        figure(
            "per-call floor: floor_server.py (a bare SDK server's raw GET in its tool) in this server's place",
            stand_in_ratios,
        ),
        figure(
            "  the same floor server, in the same turns as this server (two more paths per turn, rounds of their own)",
            ratios["floor_raw_stdio"],
            {"this_server_rounds_ratio": rounded(ratios["stdio"])},
        ),
        figure(
            "  the same with this project's API client in the tool (client_floor_server.py)",
            ratios["floor_client_stdio"],
        ),
        figure(
            "  this server / the raw-GET floor server, call by call in the same turns (wall; median round)",
            over_floor,
        ),
        figure("  the same in CPU time of every process involved", cpu_over_floor),
    ]
