"""Campaigns over the Appizer tools: injected faults, and junk arguments from a seeded generator.

Faults: a third of the sandbox's answers are 429/500/503. Every call must end in a result or a
ToolError; every create the tool reported exists exactly once; no create is sent twice; the
journal agrees with the sandbox. Bad input: every call ends in a result or a ToolError (never a
crash), a failed create creates nothing, and the server still answers afterwards. The key is a
sentinel, so the secret guard checks every result and journal row as well.
"""

from __future__ import annotations

import math
import random
from typing import Any

import pytest

from tests.support.appizer import APP, AppizerFactory
from tests.support.campaigns import SEED, error_message, is_crash, scaled
from tests.support.harness import call

pytestmark = pytest.mark.anyio

TOOLS = ("appizer_list_audiences", "appizer_get_audience", "appizer_create_audience")


async def test_faults_never_duplicate_a_create_and_the_journal_agrees(make_appizer: AppizerFactory) -> None:
    harness = make_appizer()
    harness.sandbox.faults.configure(rate=0.33, statuses=(429, 500, 503), retry_after=0.5)
    reported: dict[str, str] = {}  # name -> audience id the tool reported
    unsure: set[str] = set()
    problems: list[str] = []
    async with harness.client() as client:
        for i in range(scaled(60)):
            name = f"Segment {i}"
            result = await client.call_tool("appizer_create_audience", {"name": name, "criteria": "Users with email"})
            listed = await client.call_tool("appizer_list_audiences", {"page_size": 100})
            for tool, outcome in (("appizer_create_audience", result), ("appizer_list_audiences", listed)):
                if is_crash(tool, outcome):
                    problems.append(f"{tool} crashed: {outcome.content}")
            if not result.is_error:
                reported[name] = (result.structured_content or {})["audience_id"]
            elif "may or may not" in error_message("appizer_create_audience", result):
                unsure.add(name)
        harness.sandbox.faults.clear()
        journal = await harness.journal(client)
        changes = journal.recent(platform="appizer", limit=500)
    stored = {a["name"]: a["audience_id"] for a in harness.sandbox.list(APP)}
    assert problems == []
    faults = harness.sandbox.stats.faults
    assert faults.get(429) and (faults.get(500) or faults.get(503)) and reported and unsure, (faults, unsure)
    assert len(stored) == len(harness.sandbox.list(APP))  # no name twice: no create was sent twice
    for name, audience_id in reported.items():
        assert stored.get(name) == audience_id, name
    assert set(stored) <= set(reported) | unsure
    succeeded = {c.resource_id for c in changes if c.status == "succeeded"}
    assert succeeded == set(reported.values())
    assert all(c.status in ("succeeded", "failed") for c in changes)


def _junk(rng: random.Random, depth: int = 0) -> Any:
    choices: list[Any] = [
        None,
        True,
        -1,
        10**100,
        math.inf,
        "",
        " ",
        "\x00",
        "\u202eevil",
        "🙂" * 50,
        "a" * 100_000,
        "../x",
        "aud_1001",
        "app_456",
        "app_999",
        "Users with plan=premium",
        "Users who love cats",
        "plan = 'premium' and not subscribed_newsletter",
    ]
    if depth < 2:
        choices += [
            [{"field": "plan", "op": rng.choice(["=", "is", "~", None]), "value": _junk(rng, depth + 1)}],
            [{"event": _junk(rng, depth + 1), "count": _junk(rng, depth + 1)}],
            [{"not": {"not": {"field": "email"}}}],
            [{"field": "last_active", "within_days": rng.choice(["last week", 0, -3, "soon", 10**9])}],
            [_junk(rng, depth + 1)],
            {"k": _junk(rng, depth + 1)},
        ]
    return rng.choice(choices)


ARGUMENTS = {
    "appizer_list_audiences": ("app_id", "search", "page", "page_size"),
    "appizer_get_audience": ("audience_id", "app_id"),
    "appizer_create_audience": ("name", "criteria", "conditions", "description", "app_id", "dry_run"),
}


async def test_junk_arguments_end_in_a_result_or_a_tool_error(make_appizer: AppizerFactory) -> None:
    rng = random.Random(SEED)
    harness = make_appizer()
    problems: list[str] = []
    async with harness.client() as client:
        await call(client, "appizer_create_audience", name="Known", criteria="Users with email")
        before = len(harness.sandbox.list(APP))
        for _ in range(scaled(300)):
            tool = rng.choice(TOOLS)
            names = ARGUMENTS[tool]
            args = {name: _junk(rng) for name in rng.sample(names, rng.randint(0, len(names)))}
            if rng.random() < 0.2:
                args["unknown_key"] = _junk(rng)
            result = await client.call_tool(tool, args)
            if is_crash(tool, result):
                problems.append(f"{tool}({sorted(args)}) crashed")
            if tool == "appizer_create_audience" and result.is_error:
                now = len(harness.sandbox.list(APP)) + len(harness.sandbox.list("app_456"))
                if now != before:
                    problems.append(f"a failed create changed the sandbox: {sorted(args)}")
            before = len(harness.sandbox.list(APP)) + len(harness.sandbox.list("app_456"))
        assert (await call(client, "appizer_list_audiences"))["app_id"] == APP
    assert problems == []
