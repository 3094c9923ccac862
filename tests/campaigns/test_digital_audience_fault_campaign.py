"""Faults on Digital Audience: seeded random writes through the MCP client while its sandbox faults 10%.

The in-process sandbox answers 10% of requests (the login included) with 429 (Retry-After 0.01 s)
or 503 in Digital Audience's wrapper. A seeded sequence of creates, updates of one field,
confirmed deletes and activations, and reads goes through `Client(server)`; a reference model
follows what the sandbox must hold. Every failure must be a ToolError that names Digital
Audience and says what to do; a write the tool calls uncertain is reconciled from the sandbox.
Afterwards (faults off) the sandbox holds exactly the model: no field the calls did not name
changed, nothing was deleted or activated that was not confirmed.
"""

from __future__ import annotations

import random
from collections import Counter
from typing import Any

import pytest
from mcp import Client

from audience_mcp.app import create_server
from audience_mcp.core.http.requester import RetryPolicy
from audience_mcp.platforms.digital_audience.connection import Backend
from audience_mcp.platforms.digital_audience.sandbox import create_sandbox_app
from audience_mcp.settings import Settings
from tests.support.campaigns import FIGURES, SEED, campaign_timeout, error_message, is_crash, scaled
from tests.support.digital_audience import SENTINEL_CONFIG, connect

pytestmark = pytest.mark.anyio

STEPS = scaled(150)
# Two attempts: some faults are absorbed by a retry, some reach the tools (both paths run).
FAST_RETRY = RetryPolicy(max_attempts=2, base_delay=0.01, max_delay=0.05)
UNCERTAIN = "may or may not have been applied"


@pytest.mark.timeout(campaign_timeout(120))
async def test_random_writes_under_faults_leave_exactly_the_model(tmp_path: Any) -> None:
    app = create_sandbox_app(SENTINEL_CONFIG)
    sandbox = app.state.sandbox
    campaign = int(sandbox.create_campaign(1, "Faulted campaign")["id"])
    model: dict[int, tuple[str, str | None]] = {}
    for n in range(3):
        created = sandbox.create_audience(1, f"Seed {n}", f"text {n}", campaign)
        model[int(created["id"])] = (created["name"], created["description"])

    def backend(_settings: Settings) -> Backend:
        return Backend(client=connect(app, retry=FAST_RETRY))

    settings = Settings(_env_file=None, state_db=str(tmp_path / "journal.db"), sandbox=False)  # type: ignore[call-arg]
    server = create_server(settings, backend_factories={"digital_audience": backend})
    rng = random.Random(SEED)
    outcomes: Counter[str] = Counter()
    problems: list[str] = []
    activations = 0
    app.state.faults.configure(rate=0.1, statuses=(429, 503), retry_after=0.01)

    async with Client(server) as client:

        async def call(tool: str, args: dict[str, Any]) -> dict[str, Any] | str:
            result = await client.call_tool(tool, args)
            if not result.is_error:
                outcomes["result"] += 1
                return result.structured_content or {}
            if is_crash(tool, result):
                problems.append(f"{tool}{args} crashed: {result.content}")
                return "crash"
            message = error_message(tool, result)
            outcomes["tool error"] += 1
            if "Digital Audience" not in message or not any(
                hint in message for hint in ("again", UNCERTAIN, "not found", "Check")
            ):
                problems.append(f"{tool}{args}: unhelpful error {message!r}")
            return message

        def reconcile(audience_id: int) -> None:
            stored = sandbox.audiences.get(audience_id)
            if stored is None:
                model.pop(audience_id, None)
            else:
                model[audience_id] = (stored["name"], stored["description"])

        for step in range(STEPS):
            ids = sorted(model)
            kind = rng.choice(
                [
                    *("get", "get", "update_name", "update_name", "update_description", "update_description"),
                    *("create", "create", "delete", "activate"),
                ]
            )
            if kind == "create" or not ids:
                name = f"Created {step}"
                answer = await call(
                    "digital_audience_create_audience", {"name": name, "campaign_id": campaign, "description": "new"}
                )
                if isinstance(answer, dict):
                    model[answer["audience"]["id"]] = (name, "new")
                elif UNCERTAIN in answer:
                    for audience_id, stored in sandbox.audiences.items():
                        if stored["name"] == name:
                            model[audience_id] = (name, "new")
                continue
            audience_id = rng.choice(ids)
            if kind == "get":
                await call("digital_audience_get_audience", {"audience_id": audience_id})
            elif kind in ("update_name", "update_description"):
                field = kind.removeprefix("update_")
                value = f"{field} {step}"
                answer = await call("digital_audience_update_audience", {"audience_id": audience_id, field: value})
                if isinstance(answer, dict):
                    name, description = model[audience_id]
                    model[audience_id] = (value, description) if field == "name" else (name, value)
                elif UNCERTAIN in answer:
                    reconcile(audience_id)
            elif kind == "delete":
                first = await call("digital_audience_delete_audience", {"audience_id": audience_id})
                if isinstance(first, dict) and first.get("confirm_token"):
                    args = {"audience_id": audience_id, "confirm_token": first["confirm_token"]}
                    answer = await call("digital_audience_delete_audience", args)
                    if isinstance(answer, dict):
                        model.pop(audience_id)
                    elif UNCERTAIN in answer:
                        reconcile(audience_id)
            else:
                args = {
                    "audience_id": audience_id,
                    "account_id": 501,
                    "start_date": "2099-01-01",
                    "end_date": "for 30 days",
                }
                first = await call("digital_audience_activate_audience", args)
                if isinstance(first, dict) and first.get("confirm_token"):
                    answer = await call(
                        "digital_audience_activate_audience", {**args, "confirm_token": first["confirm_token"]}
                    )
                    if isinstance(answer, dict):
                        activations += 1
                    elif UNCERTAIN in answer:
                        activations = len(sandbox.activations)

    app.state.faults.clear()
    held = {i: (a["name"], a["description"]) for i, a in sandbox.audiences.items()}
    FIGURES["digital audience faults"] = {
        "steps": STEPS,
        "results": outcomes["result"],
        "tool_errors": outcomes["tool error"],
        "audiences_after": len(held),
    }
    assert not problems, "\n".join(problems[:20])
    assert held == model
    assert len(sandbox.activations) == activations
    assert outcomes["tool error"] > 0, "the faults never reached a tool: the campaign proves nothing"
