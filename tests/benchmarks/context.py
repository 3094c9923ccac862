"""Context cost of a concise `neuroflash_list_audiences` page against the raw API page it summarizes.

50 varied, complete audiences are stored in an in-process sandbox; `neuroflash_list_audiences
(page_size=50)` runs through the SDK client, and the same page is fetched from the API
directly (`GET .../target-audiences?page=1&size=50`). Both are counted in cl100k tokens as
compact JSON (the raw body is also counted byte for byte as the API sent it). The share of
each column of the concise table is reported, so an overrun shows what to cut.
"""

from __future__ import annotations

import json
from typing import Any

from tests.benchmarks.common import (
    SANDBOX_CLIENT_ID,
    SANDBOX_CLIENT_SECRET,
    Result,
    at_most,
    audience_body,
    in_process,
    tokens,
)

PAGE = 50
RATIO_TARGET_PERCENT = 25.0


def _compact(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def field_shares(items: list[dict[str, Any]]) -> dict[str, int]:
    """Tokens per field over all items (`"key":value` pieces), largest first."""
    totals: dict[str, int] = {}
    for item in items:
        for key, value in item.items():
            totals[key] = totals.get(key, 0) + tokens(f"{_compact(key)}:{_compact(value)},")
    return dict(sorted(totals.items(), key=lambda kv: -kv[1]))


def column_shares(columns: list[str], rows: list[list[Any]]) -> dict[str, int]:
    """Tokens per column over all rows (each value with its separator), largest first."""
    totals = {column: tokens(_compact(column)) for column in columns}
    for row in rows:
        for column, value in zip(columns, row, strict=True):
            totals[column] += tokens(f"{_compact(value)},")
    return dict(sorted(totals.items(), key=lambda kv: -kv[1]))


async def _raw_page(app: Any, workspace_id: str) -> bytes:
    import httpx2

    async with httpx2.AsyncClient(transport=httpx2.ASGITransport(app=app), base_url="http://sandbox.bench") as http:
        token = (
            await http.post(
                "/oauth/v2/token",
                data={
                    "grant_type": "client_credentials",
                    "client_id": SANDBOX_CLIENT_ID,
                    "client_secret": SANDBOX_CLIENT_SECRET,
                },
            )
        ).json()["access_token"]
        response = await http.get(
            f"/api/audience-service/v1/workspaces/{workspace_id}/target-audiences",
            params={"page": 1, "size": PAGE},
            headers={"Authorization": f"Bearer {token}"},
        )
        response.raise_for_status()
        return response.content


async def run(*, quick: bool) -> list[Result]:
    from mcp import Client

    from audience_mcp.platforms.neuroflash.sandbox import SANDBOX_WORKSPACE_ID

    harness = in_process()
    try:
        for i in range(PAGE):
            harness.sandbox.store.insert_raw(SANDBOX_WORKSPACE_ID, audience_body(i), created_at=1_750_000_000 + i)
        async with Client(harness.server) as client:
            result = await client.call_tool("neuroflash_list_audiences", {"page_size": PAGE})
        assert not result.is_error and isinstance(result.structured_content, dict), result
        concise = result.structured_content
        raw = await _raw_page(harness.app, SANDBOX_WORKSPACE_ID)
    finally:
        harness.sandbox.close()

    concise_tokens = tokens(_compact(concise))
    raw_json = json.loads(raw)
    raw_tokens = tokens(_compact(raw_json))
    raw_bytes_tokens = tokens(raw.decode("utf-8"))
    text_tokens = sum(tokens(block.text) for block in result.content if getattr(block, "type", None) == "text")
    ratio = 100.0 * concise_tokens / raw_tokens
    # neuroflash_list_audiences sends a table (columns once, a row per audience); share tokens per column.
    columns = concise.get("columns", [])
    listed = [dict(zip(columns, row, strict=True)) for row in concise.get("audiences", [])]
    concise_fields = column_shares(columns, concise.get("audiences", []))
    raw_fields = field_shares(raw_json.get("data", []))
    return [
        Result(
            f"concise neuroflash_list_audiences of {PAGE} vs raw API page (tokens)",
            ratio,
            "%",
            f"<= {RATIO_TARGET_PERCENT:.0f} %",
            at_most(ratio, RATIO_TARGET_PERCENT) and len(listed) == PAGE,
            {
                "concise_structured_tokens": concise_tokens,
                "raw_api_tokens_compact": raw_tokens,
                "raw_api_tokens_as_sent": raw_bytes_tokens,
                "text_content_tokens": text_tokens,
                "audiences": len(listed),
                "concise_tokens_by_field": concise_fields,
                "raw_tokens_by_field": raw_fields,
            },
            group="context",
        ),
        Result(f"  concise page of {PAGE}: structured content", concise_tokens, "tokens", group="context"),
        Result(f"  raw API page of {PAGE}: response body", raw_tokens, "tokens", group="context"),
        Result(
            "  the same result's text content block (what a host shows the model)",
            text_tokens,
            "tokens",
            group="context",
        ),
        Result(
            "  largest fields of the concise page",
            ", ".join(f"{k} {100 * v / concise_tokens:.0f}%" for k, v in list(concise_fields.items())[:4]),
            group="context",
        ),
    ]
