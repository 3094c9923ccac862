"""10,000 audiences audit through the MCP client, page by page, with exact counts."""

from __future__ import annotations

import pytest
from mcp import Client

from audience_mcp.platforms.neuroflash.sandbox import SandboxConfig
from tests.support.harness import STORED_BODY, WS, ServerFactory, call

pytestmark = pytest.mark.anyio

LIST = "GET /api/audience-service/v1/workspaces/{workspaceId}/target-audiences"
COUNT = 10_000


async def test_ten_thousand_audiences_are_audited_with_exact_counts_and_a_capped_report(
    make_server: ServerFactory,
) -> None:
    harness = make_server(config=SandboxConfig(db_path=":memory:", create_limit=None))
    store = harness.sandbox.store
    for i in range(COUNT):
        body = dict(STORED_BODY, name=f"Audience {i // 2}", residence=f"Town {i}")  # names come in pairs
        if i % 100 == 0:
            body["genderDistribution"] = {"female": 0.5, "male": 0.4}  # 100 with missing keys
        if i % 250 == 0:
            body["residence"] = "Twin town"  # 40 alike: 20 with full shares, 20 with missing keys
        store.insert_raw(WS, body)

    async with Client(harness.server) as client:
        report = await call(client, "audit_audiences", workspace_id=WS)

    summary = report["summary"]
    assert summary["audiences_scanned"] == COUNT
    assert summary["by_check"]["duplicate_names"] == COUNT // 2
    assert summary["by_check"]["gender_shares"] == 100
    assert summary["by_check"]["near_identical"] == 2
    assert summary["by_check"]["no_image"] == COUNT
    assert summary["by_check"]["stale"] == 0
    assert summary["findings"] == COUNT // 2 + 100 + 2 + COUNT
    assert (summary["platforms"][0]["plan_usage"], summary["platforms"][0]["plan_limit"]) == (COUNT, None)
    assert len(report["findings"]) == 50 and report["truncated"] is True
    assert [f["check"] for f in report["findings"]] == ["gender_shares"] * 50
    assert harness.sandbox.stats.counts[LIST] == COUNT // 200
