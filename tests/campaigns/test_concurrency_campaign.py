"""Concurrency: many tool calls at once through one client, against the standalone sandbox.

Over loopback, with a little latency in the sandbox, requests really interleave. Fifty
concurrent partial updates of one audience, each changing a different field or list item,
must all take effect (the server serializes the fetch-merge-PUT of one audience), and thirty
concurrent creates against a plan limit of ten must leave exactly ten audiences and twenty
ToolErrors that say the limit is reached.
"""

from __future__ import annotations

import time
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any

import anyio
import mcp_types
import pytest
from mcp import Client

from audience_mcp.core.store.journal import Journal
from tests.support.campaigns import (
    FIGURES,
    SCALE,
    CountingBackends,
    campaign_timeout,
    error_message,
    is_crash,
    scaled,
    server_for,
    standalone_sandbox,
)

pytestmark = pytest.mark.anyio

AUDIENCES = max(1, round(SCALE))  # each gets its own fifty updates, all at once
CREATES = scaled(30)
PLAN_LIMIT = 10
LATENCY = [0.001, 0.005]

START = {
    "name": "Concurrency leaders",
    "min_age": 25,
    "max_age": 45,
    "residence": "Berlin",
    "gender_distribution": {"female": 0.5, "male": 0.4, "nonBinary": 0.07, "preferNotToSay": 0.03},
    "interests": ["AI", "Video"],
    "needs": ["save time", "grow reach"],
    "pain_points": ["churn", "slow tools", "no data", "tight budget", "manual work", "bad leads"],
    "country": "US",
    "native_language": "en",
    "shared": False,
}


def fifty_updates() -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Fifty partial updates touching disjoint fields and items, and the profile they must leave."""
    updates: list[dict[str, Any]] = []
    updates += [{"add_interests": [f"Interest {n:02d}"]} for n in range(20)]
    updates += [{"add_needs": [f"Need {n:02d}"]} for n in range(10)]
    updates += [{"add_pain_points": [f"Pain {n:02d}"]} for n in range(5)]
    updates += [{"remove_pain_points": [item]} for item in START["pain_points"][:5]]
    updates += [
        {"name": "Concurrency leaders, renamed"},
        {"residence": "Hamburg"},
        {"country": "DE"},
        {"native_language": "de"},
        {"shared": True},
        {"gender_distribution": {"female": 0.6, "male": 0.4}},
        {"min_age": 20},
        {"max_age": 70},
        {"remove_interests": ["AI"]},
        {"remove_needs": ["grow reach"]},
    ]
    assert len(updates) == 50
    expected = {
        "name": "Concurrency leaders, renamed",
        "residence": "Hamburg",
        "country": "DE",
        "nativeLanguage": "de",
        "shared": True,
        "genderDistribution": {"female": Decimal("0.6"), "male": Decimal("0.4"), "nonBinary": 0, "preferNotToSay": 0},
        "minAge": 20,
        "maxAge": 70,
        "interests": {"Video", *(f"Interest {n:02d}" for n in range(20))},
        "needs": {"save time", *(f"Need {n:02d}" for n in range(10))},
        "painPoints": {START["pain_points"][5], *(f"Pain {n:02d}" for n in range(5))},
    }
    return updates, expected


async def call_all(client: Client, calls: list[tuple[str, dict[str, Any]]]) -> list[mcp_types.CallToolResult]:
    """Start every call at once and collect the results in order."""
    results: list[mcp_types.CallToolResult | None] = [None] * len(calls)

    async def one(index: int, tool: str, args: dict[str, Any]) -> None:
        results[index] = await client.call_tool(tool, args)

    with anyio.fail_after(120):
        async with anyio.create_task_group() as group:
            for index, (tool, args) in enumerate(calls):
                group.start_soon(one, index, tool, args)
    assert all(result is not None for result in results)
    return [result for result in results if result is not None]


def journal_statuses(path: Path) -> Counter[tuple[str, str]]:
    journal = Journal(str(path))
    try:
        return Counter((change.action, change.status) for change in journal.recent(limit=10**6))
    finally:
        journal.close()


@pytest.mark.timeout(campaign_timeout(60))
async def test_fifty_concurrent_partial_updates_of_one_audience_all_take_effect(tmp_path: Path) -> None:
    started = time.perf_counter()
    updates, expected = fifty_updates()
    with standalone_sandbox(tmp_path / "sandbox") as sandbox:
        server = server_for(sandbox, tmp_path / "journal.db", CountingBackends())
        async with Client(server) as client:
            ids = []
            for number in range(AUDIENCES):
                created = await client.call_tool(
                    "neuroflash_create_audience", {**START, "name": f"{START['name']} {number}"}
                )
                assert not created.is_error and created.structured_content is not None, created.content
                ids.append(created.structured_content["audience"]["id"])
            sandbox.configure_faults(latency=LATENCY)
            calls = [("neuroflash_update_audience", {"audience_id": i, **update}) for i in ids for update in updates]
            results = await call_all(client, calls)
        stored = sandbox.audiences()

    failures = [(tool, args, r.content) for (tool, args), r in zip(calls, results, strict=True) if r.is_error]
    assert not failures, failures[:5]
    assert all(r.structured_content and r.structured_content["updated"] for r in results)
    for audience_id in ids:
        body = stored[audience_id]
        actual = {key: body.get(key) for key in expected}
        for field in ("interests", "needs", "painPoints"):
            assert len(body[field]) == len(set(body[field])), f"{field} has duplicates"
            actual[field] = set(body[field])
        assert actual == expected, f"lost updates on {audience_id}"
    statuses = journal_statuses(tmp_path / "journal.db")
    assert statuses[("update", "succeeded")] == len(calls)
    FIGURES["concurrent updates"] = {
        "audiences": AUDIENCES,
        "concurrent_updates": len(calls),
        "lost": 0,
        "seconds": round(time.perf_counter() - started, 1),
    }


@pytest.mark.timeout(campaign_timeout(60))
async def test_concurrent_creates_past_the_plan_limit_never_exceed_it(tmp_path: Path) -> None:
    started = time.perf_counter()
    with standalone_sandbox(tmp_path / "sandbox", create_limit=PLAN_LIMIT) as sandbox:
        server = server_for(sandbox, tmp_path / "journal.db", CountingBackends())
        async with Client(server) as client:
            assert not (await client.call_tool("neuroflash_list_workspaces", {})).is_error
            sandbox.configure_faults(latency=LATENCY)
            calls = [
                ("neuroflash_create_audience", {**START, "name": f"Limit leaders {number}"})
                for number in range(CREATES)
            ]
            results = await call_all(client, calls)
        stored = sandbox.audiences()

    created = [r for r in results if not r.is_error]
    refused = [error_message("neuroflash_create_audience", r) for r in results if r.is_error]
    assert not [r for r in results if is_crash("neuroflash_create_audience", r)]
    assert len(created) == PLAN_LIMIT
    assert len(refused) == CREATES - PLAN_LIMIT
    assert all(f"Plan limit reached: {PLAN_LIMIT} of {PLAN_LIMIT}" in message for message in refused), refused[:3]
    assert len(stored) == PLAN_LIMIT
    assert {r.structured_content["audience"]["id"] for r in created if r.structured_content} == set(stored)
    statuses = journal_statuses(tmp_path / "journal.db")
    assert statuses[("create", "succeeded")] == PLAN_LIMIT
    assert statuses[("create", "failed")] == CREATES - PLAN_LIMIT
    FIGURES["concurrent creates"] = {
        "creates": CREATES,
        "plan_limit": PLAN_LIMIT,
        "created": len(created),
        "refused_with_plan_limit": len(refused),
        "seconds": round(time.perf_counter() - started, 1),
    }
