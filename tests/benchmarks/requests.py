"""HTTP requests per operation, counted by the sandbox (its per-route request statistics).

Every operation is a real tool call through the SDK client against an in-process sandbox; the
counts are the sandbox's, so nothing the client does escapes them. A warm-up call first takes
the token and resolves the workspace (both are cached), then the counters are reset before
each operation. The client offers no elicitation, so deletes use the token flow: a first call
answers with a preview (GET) and a confirm_token, a second call with the token deletes.
"""

from __future__ import annotations

import math
from typing import Any

from tests.benchmarks.common import AUDIENCE_BODY, Result, audience_body, in_process

AUDIENCES = "/api/audience-service/v1/workspaces/{workspaceId}/target-audiences"
AUDIENCE = f"{AUDIENCES}/{{targetAudienceId}}"
LIMITS = "/api/audience-service/v1/workspaces/{workspaceId}/limits/target-audiences"
TOKEN = "POST /oauth/v2/token"
IMAGE_FILE = "GET /sandbox-storage/audience-images/{imageId}/{fileName}"
# A real 1x1 PNG.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cfc0"
    "f00f0003860180"
    "5a347d6b0000000049454e44ae426082"
)


def _api_calls(counts: dict[str, int]) -> dict[str, int]:
    return {k: v for k, v in sorted(counts.items()) if k != TOKEN}


def _describe(counts: dict[str, int]) -> str:
    short = {
        f"GET {AUDIENCE}": "GET audience",
        f"PUT {AUDIENCE}": "PUT audience",
        f"DELETE {AUDIENCE}": "DELETE audience",
        f"POST {AUDIENCES}": "POST audiences",
        f"GET {AUDIENCES}": "GET list",
        f"GET {LIMITS}": "GET limits",
        IMAGE_FILE: "GET image file",
        f"GET {AUDIENCE}/image": "GET image",
    }
    return " + ".join(f"{n} {short.get(k, k)}" for k, n in counts.items()) or "none"


class _Counter:
    def __init__(self, sandbox: Any) -> None:
        self.sandbox = sandbox
        self.tokens = 0

    def reset(self) -> None:
        self.tokens += self.sandbox.stats.get(TOKEN)
        self.sandbox.stats.reset()

    def take(self) -> dict[str, int]:
        counts: dict[str, int] = self.sandbox.stats.counts
        self.reset()
        return _api_calls(counts)


async def _call(client: Any, tool: str, **args: Any) -> dict[str, Any]:
    result = await client.call_tool(tool, args)
    if result.is_error or not isinstance(result.structured_content, dict):
        raise RuntimeError(f"{tool} failed: {result.content}")
    content: dict[str, Any] = result.structured_content
    return content


def _row(figure: str, counts: dict[str, int], expected: dict[str, int], target: str) -> Result:
    total = sum(counts.values())
    return Result(
        figure,
        f"{total} ({_describe(counts)})",
        target=target,
        passed=counts == expected,
        details={"counts": counts, "expected": expected},
        group="requests",
    )


async def _operations() -> tuple[list[Result], int]:
    from mcp import Client

    from audience_mcp.platforms.neuroflash.sandbox import SANDBOX_WORKSPACE_ID, ImageData

    harness = in_process()
    counter = _Counter(harness.sandbox)
    store = harness.sandbox.store
    results: list[Result] = []
    try:
        first = store.insert_raw(SANDBOX_WORKSPACE_ID, dict(AUDIENCE_BODY))
        async with Client(harness.server) as client:
            await _call(
                client, "neuroflash_get_audience", audience_id=first
            )  # warm-up: token and workspace, both cached
            counter.reset()

            await _call(client, "neuroflash_get_audience", audience_id=first)
            results.append(_row("neuroflash_get_audience", counter.take(), {f"GET {AUDIENCE}": 1}, "1 (GET)"))

            created = await _call(
                client, "neuroflash_create_audience", name="Bench leads", min_age=25, max_age=45, residence="Berlin"
            )
            new_id = created["audience"]["id"]
            results.append(_row("neuroflash_create_audience", counter.take(), {f"POST {AUDIENCES}": 1}, "1 (POST)"))

            await _call(client, "neuroflash_update_audience", audience_id=new_id, residence="Hamburg")
            results.append(
                _row(
                    "neuroflash_update_audience",
                    counter.take(),
                    # The read-back GET after the PUT reports a change another API client overwrote (issue 10.5).
                    {f"GET {AUDIENCE}": 2, f"PUT {AUDIENCE}": 1},
                    "3 (GET+PUT+read-back GET)",
                )
            )

            unchanged = await _call(client, "neuroflash_update_audience", audience_id=new_id, residence="Hamburg")
            assert unchanged["updated"] is False, unchanged
            results.append(
                _row(
                    "neuroflash_update_audience that changes nothing", counter.take(), {f"GET {AUDIENCE}": 1}, "1 (GET)"
                )
            )

            preview = await _call(client, "neuroflash_delete_audience", audience_id=new_id)
            assert preview["status"] == "confirmation_required", preview
            await _call(
                client, "neuroflash_delete_audience", audience_id=new_id, confirm_token=preview["confirm_token"]
            )
            results.append(
                _row(
                    "neuroflash_delete_audience (preview call + confirmed call), no image",
                    counter.take(),
                    # The confirmed call reads the audience again: it deletes only the version shown (issue 10.3).
                    {f"GET {AUDIENCE}": 2, f"DELETE {AUDIENCE}": 1},
                    "1 DELETE + the preview GET + the re-read GET",
                )
            )

            with_image = store.insert_raw(SANDBOX_WORKSPACE_ID, dict(AUDIENCE_BODY), image=ImageData(PNG))
            preview = await _call(client, "neuroflash_delete_audience", audience_id=with_image)
            await _call(
                client, "neuroflash_delete_audience", audience_id=with_image, confirm_token=preview["confirm_token"]
            )
            counts = counter.take()
            results.append(
                Result(
                    "  neuroflash_delete_audience of an audience with an image (info: the journal keeps the image)",
                    f"{sum(counts.values())} ({_describe(counts)})",
                    details={"counts": counts},
                    group="requests",
                )
            )
        counter.reset()
    finally:
        harness.sandbox.close()
    return results, counter.tokens


async def _audit(n: int) -> Result:
    from mcp import Client

    from audience_mcp.platforms.neuroflash.sandbox import SANDBOX_WORKSPACE_ID

    harness = in_process(create_limit=None)
    try:
        for i in range(n):
            harness.sandbox.store.insert_raw(SANDBOX_WORKSPACE_ID, audience_body(i))
        async with Client(harness.server) as client:
            await _call(client, "neuroflash_list_workspaces")  # warm-up: token and workspace
            harness.sandbox.stats.reset()
            report = await _call(client, "audit_audiences")
        counts = _api_calls(harness.sandbox.stats.counts)
    finally:
        harness.sandbox.close()
    lists = counts.get(f"GET {AUDIENCES}", 0)
    expected = math.ceil(n / 200)
    others = {k: v for k, v in counts.items() if k != f"GET {AUDIENCES}"}
    return Result(
        f"audit_audiences of {n:,} audiences: list calls",
        lists,
        target=f"{expected} (ceil(N/200))",
        passed=lists == expected and report["summary"]["audiences_scanned"] == n,
        details={"counts": counts, "other_requests": others, "scanned": report["summary"]["audiences_scanned"]},
        group="requests",
    )


async def _token_lifetimes(lifetimes: int) -> Result:
    """Steady calls over several token lifetimes of a fake clock (no waiting)."""
    from mcp import Client

    from audience_mcp.platforms.neuroflash.sandbox import SANDBOX_WORKSPACE_ID

    lifetime, step = 600.0, 30.0
    margin = min(60.0, lifetime / 2)  # the client refreshes this early (api/auth.py)
    now = [1_750_000_000.0]
    harness = in_process(clock=lambda: now[0], token_lifetime_seconds=lifetime)
    calls = int(lifetimes * lifetime / step)
    try:
        audience_id = harness.sandbox.store.insert_raw(SANDBOX_WORKSPACE_ID, dict(AUDIENCE_BODY))
        async with Client(harness.server) as client:
            for _ in range(calls):
                await _call(client, "neuroflash_get_audience", audience_id=audience_id)
                now[0] += step
        counts = harness.sandbox.stats.counts
    finally:
        harness.sandbox.close()
    tokens = counts.get(TOKEN, 0)
    expected = math.ceil(calls * step / (lifetime - margin))
    api = sum(_api_calls(counts).values())
    return Result(
        f"token requests over {lifetimes} token lifetimes of steady calls ({calls} calls)",
        tokens,
        target=f"<= {expected} (1 per lifetime, renewed {margin:.0f} s early)",
        passed=tokens <= expected and api == calls + 1,  # + the workspace lookup; no 401 retries
        details={"lifetime_s": lifetime, "call_every_s": step, "api_requests": api, "calls": calls},
        group="requests",
    )


async def run(*, quick: bool) -> list[Result]:
    results, tokens = await _operations()
    results.append(
        Result(
            "token requests for all operations above (one token lifetime)",
            tokens,
            target="1",
            passed=tokens == 1,
            group="requests",
        )
    )
    results.append(await _token_lifetimes(4))
    for n in (1, 200, 201, 450) if quick else (1, 200, 201, 1000, 2500):
        results.append(await _audit(n))
    return results
