"""Faults: random writes through the real MCP client while the standalone sandbox faults 10%.

The sandbox (a `sandbox-api` subprocess on loopback) answers 10% of API requests with 429
(Retry-After 0.01 s) or 503, with a little latency. A seeded sequence of creates, partial
updates, duplicates, confirmed deletes and reads goes through `Client(server)`; a reference
model follows what the sandbox must hold. Afterwards the sandbox (read with faults off) holds
exactly the model, every failure was a ToolError that names the status or says to retry, and
the figures (faults hit, calls saved by retries, errors by kind) are reported.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp import Client
from mcp.shared.exceptions import MCPError

from tests.support.campaigns import (
    FIGURES,
    SEED,
    CountingBackends,
    StandaloneSandbox,
    campaign_timeout,
    error_message,
    is_crash,
    scaled,
    server_for,
    standalone_sandbox,
)

pytestmark = pytest.mark.anyio

OPERATIONS = scaled(1000)
PLAN_LIMIT = 25
FAULTS = {"rate": 0.1, "statuses": [429, 503], "retry_after": 0.01, "latency": [0.0, 0.002]}

INTERESTS = ["SEO", "AI", "Video", "Podcasts", "Travel", "Fitness", "Cooking", "Gaming", "Finance", "Design"]
NEEDS = ["save time", "grow reach", "cut costs", "learn fast", "stay safe", "find talent"]
PAIN_POINTS = ["manual work", "tight budget", "slow tools", "no data", "churn"]
RESIDENCES = ["Berlin", "Hamburg", "Munich", "Vienna", "Zurich", "Paris"]
GENDERS: list[dict[str, str]] = [
    {"female": "0.5", "male": "0.4", "nonBinary": "0.07", "preferNotToSay": "0.03"},
    {"female": "0.6", "male": "0.4"},
    {"female": "0.25", "male": "0.25", "nonBinary": "0.25", "preferNotToSay": "0.25"},
]
GENDER_KEYS = ("female", "male", "nonBinary", "preferNotToSay")
LISTS = {"interests": ("interests", INTERESTS), "needs": ("needs", NEEDS), "pain_points": ("painPoints", PAIN_POINTS)}

# A failure caused by an injected fault must say so: the status, the rate limit, or to retry.
FAULT_WORDS = ("HTTP 503", "HTTP 429", "rate-limiting")

Audience = dict[str, Any]


def shares(raw: dict[str, str]) -> dict[str, Decimal]:
    return {key: Decimal(raw.get(key, "0")) for key in GENDER_KEYS}


def edited(items: list[str], add: list[str], remove: list[str]) -> list[str]:
    """neuroflash_update_audience's list edit: remove, then append what is not there (case-insensitive)."""
    result = [item for item in items if item.casefold() not in {r.casefold() for r in remove}]
    for item in add:
        if item.casefold() not in {existing.casefold() for existing in result}:
            result.append(item)
    return result


def as_text_list(rng: random.Random, items: list[str]) -> list[str] | str:
    """A list, or comma-separated text as models often send it."""
    return ", ".join(items) if items and rng.random() < 0.3 else items


@dataclass
class Campaign:
    client: Client
    sandbox: StandaloneSandbox
    rng: random.Random
    model: dict[str, Audience] = field(default_factory=dict)
    deleted: list[str] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)
    calls: int = 0
    succeeded: int = 0
    hit_by_faults: int = 0
    saved_by_retries: int = 0
    faults_seen: int = 0
    writes_succeeded: Counter[str] = field(default_factory=Counter)

    async def call(self, tool: str, args: dict[str, Any], expected: tuple[str, ...] = ()) -> dict[str, Any] | None:
        """Call a tool; its structured content on success, None after an acceptable ToolError."""
        self.calls += 1
        try:
            with anyio.fail_after(60):
                result = await self.client.call_tool(tool, args)
        except MCPError as exc:
            self.problems.append(f"{tool}: protocol error {exc!r}")
            self.errors["protocol error"] += 1
            return None
        faults = self.sandbox.faults_injected()
        hit, self.faults_seen = faults - self.faults_seen, faults
        self.hit_by_faults += hit > 0
        if not result.is_error:
            self.succeeded += 1
            self.saved_by_retries += hit > 0
            assert isinstance(result.structured_content, dict), result
            return result.structured_content
        if is_crash(tool, result):
            self.errors["crash"] += 1
            self.problems.append(f"{tool}({args}) crashed: {result.content}")
            return None
        message = error_message(tool, result)
        if any(word in message for word in FAULT_WORDS) and hit > 0:
            kind = "rate limit (429)" if "429" in message else "unavailable (503)"
        else:
            kind = next((k for k in expected if k in message), "unexpected")
        self.errors[kind] += 1
        if kind == "unexpected":
            self.problems.append(f"{tool}({args}) failed unexpectedly ({hit} faults): {message}")
        return None

    # -- operations -------------------------------------------------------------------------

    def new_profile(self, number: int) -> tuple[dict[str, Any], Audience]:
        rng = self.rng
        low = rng.randint(16, 50)
        high = rng.randint(low, 90)
        gender = rng.choice(GENDERS)
        lists = {param: rng.sample(vocabulary, rng.randint(0, 3)) for param, (_, vocabulary) in LISTS.items()}
        country = rng.choice(["DE", "US", "FR", None])
        language = rng.choice(["de", "en", "fr", None])
        args: dict[str, Any] = {
            "name": f"Campaign audience {number}",
            "min_age": low,
            "max_age": high,
            "residence": rng.choice(RESIDENCES),
            "gender_distribution": {k: float(v) for k, v in gender.items()},
            "shared": rng.random() < 0.5,
            **{param: as_text_list(rng, items) for param, items in lists.items()},
        }
        if country is not None:
            args["country"] = country
        if language is not None:
            args["native_language"] = language
        expected: Audience = {
            "name": args["name"],
            "minAge": low,
            "maxAge": high,
            "residence": args["residence"],
            "genderDistribution": shares(gender),
            "country": country,
            "nativeLanguage": language,
            "shared": args["shared"],
            **{LISTS[param][0]: items for param, items in lists.items()},
        }
        return args, expected

    async def create(self, number: int) -> None:
        args, expected = self.new_profile(number)
        full = len(self.model) >= PLAN_LIMIT
        result = await self.call("neuroflash_create_audience", args, expected=("Plan limit reached",) if full else ())
        if result is not None:
            assert not full, f"a create past the plan limit succeeded: {result}"
            self.model[result["audience"]["id"]] = expected
            self.writes_succeeded["create"] += 1

    async def duplicate(self, number: int) -> None:
        original_id = self.rng.choice(list(self.model))
        new_name = self.rng.choice([None, f"Duplicate {number}"])
        args: dict[str, Any] = {"audience_id": original_id}
        if new_name is not None:
            args["new_name"] = new_name
        full = len(self.model) >= PLAN_LIMIT
        result = await self.call(
            "neuroflash_duplicate_audience", args, expected=("Plan limit reached",) if full else ()
        )
        if result is not None:
            assert not full, f"a duplicate past the plan limit succeeded: {result}"
            copy = dict(self.model[original_id])
            copy["name"] = new_name if new_name is not None else copy["name"][:93] + " (Copy)"
            self.model[result["duplicate"]["id"]] = copy
            self.writes_succeeded["duplicate"] += 1

    async def update(self, number: int) -> None:
        audience_id = self.rng.choice(list(self.model))
        args, apply = self.update_args(self.model[audience_id], number)
        result = await self.call("neuroflash_update_audience", {"audience_id": audience_id, **args})
        if result is not None:
            self.model[audience_id] = apply(self.model[audience_id])
            self.writes_succeeded["update"] += result["updated"]

    def update_args(self, current: Audience, number: int) -> tuple[dict[str, Any], Callable[[Audience], Audience]]:
        """Arguments changing one to three fields or list items, and the change they must make."""
        rng = self.rng
        kinds = rng.sample(
            ["name", "ages", "residence", "gender", "country", "language", "shared", *LISTS, "edit", "edit", "edit"],
            rng.randint(1, 3),
        )
        args: dict[str, Any] = {}
        changes: dict[str, Any] = {}
        edits: dict[str, tuple[list[str], list[str]]] = {}  # list param -> (add, remove); the last draw wins
        for kind in kinds:
            if kind == "name":
                args["name"] = changes["name"] = f"Renamed audience {number}"
            elif kind == "ages":
                low = rng.choice([rng.randint(16, 50), None])
                high = rng.randint(low if low is not None else current["minAge"], 120)
                if low is not None and rng.random() < 0.5:
                    high = None
                    low = min(low, current["maxAge"])
                changes["minAge"] = current["minAge"] if low is None else low
                changes["maxAge"] = current["maxAge"] if high is None else high
                args |= {k: v for k, v in (("min_age", low), ("max_age", high)) if v is not None}
            elif kind == "residence":
                args["residence"] = changes["residence"] = rng.choice(RESIDENCES)
            elif kind == "gender":
                gender = rng.choice(GENDERS)
                args["gender_distribution"] = {k: float(v) for k, v in gender.items()}
                changes["genderDistribution"] = shares(gender)
            elif kind == "country":
                args["country"] = rng.choice(["DE", "US", "FR", ""])
                changes["country"] = args["country"] or None
            elif kind == "language":
                args["native_language"] = rng.choice(["de", "en", "fr", ""])
                changes["nativeLanguage"] = args["native_language"] or None
            elif kind == "shared":
                args["shared"] = changes["shared"] = rng.random() < 0.5
            elif kind in LISTS:
                items = rng.sample(LISTS[kind][1], rng.randint(0, 3))
                args[kind] = as_text_list(rng, items)
                changes[LISTS[kind][0]] = items
            else:
                param = rng.choice(sorted(LISTS))
                vocabulary = LISTS[param][1]
                add, remove = rng.sample(vocabulary, rng.randint(0, 2)), rng.sample(vocabulary, rng.randint(0, 2))
                edits[param] = (add or [rng.choice(vocabulary)], remove) if not (add or remove) else (add, remove)
        for param, (add, remove) in edits.items():
            if add:
                args[f"add_{param}"] = as_text_list(rng, add)
            if remove:
                args[f"remove_{param}"] = as_text_list(rng, remove)

        def apply(audience: Audience) -> Audience:
            # As merge_update does it: fields and whole lists first, then each list's edits.
            result = {**audience, **changes}
            for param, (add, remove) in edits.items():
                api_field = LISTS[param][0]
                result[api_field] = edited(result[api_field], add, remove)
            return result

        return args, apply

    async def delete(self) -> None:
        audience_id = self.rng.choice(list(self.model))
        preview = await self.call("neuroflash_delete_audience", {"audience_id": audience_id})
        if preview is None:
            return
        assert preview["status"] == "confirmation_required", preview
        assert audience_id in self.model, "the preview must not delete"
        confirmed = {"audience_id": audience_id, "confirm_token": preview["confirm_token"]}
        done = await self.call("neuroflash_delete_audience", confirmed)
        if done is not None:
            assert done["status"] == "deleted", done
            del self.model[audience_id]
            self.deleted.append(audience_id)
            self.writes_succeeded["delete"] += 1

    async def read(self) -> None:
        audience_id = self.rng.choice(list(self.model))
        result = await self.call("neuroflash_get_audience", {"audience_id": audience_id, "response_format": "detailed"})
        if result is not None:
            view, expected = result["audience"], self.model[audience_id]
            assert (view["name"], view["min_age"], view["interests"]) == (
                expected["name"],
                expected["minAge"],
                expected["interests"],
            ), f"neuroflash_get_audience disagrees with the model for {audience_id}"

    async def count(self) -> None:
        result = await self.call("neuroflash_list_audiences", {"page_size": 200})
        if result is not None:
            assert result["total"] == len(self.model), "neuroflash_list_audiences disagrees with the model"

    async def missing(self) -> None:
        audience_id = self.rng.choice(self.deleted)
        tool = self.rng.choice(["neuroflash_get_audience", "neuroflash_update_audience"])
        args = {"audience_id": audience_id} | ({"add_needs": ["ghost"]} if tool == "neuroflash_update_audience" else {})
        result = await self.call(tool, args, expected=("was not found",))
        assert result is None, f"{tool} of the deleted audience {audience_id} succeeded"

    async def step(self, number: int) -> None:
        weights = {"create": 16, "duplicate": 6, "update": 44, "delete": 14, "read": 10, "count": 4, "missing": 6}
        if not self.model:
            weights = {"create": 1}
        elif not self.deleted:
            weights.pop("missing")
        operation = self.rng.choices(list(weights), list(weights.values()))[0]
        if operation in ("create", "duplicate", "update"):
            await getattr(self, operation)(number)
        else:
            await getattr(self, operation)()


def assert_sandbox_holds(model: dict[str, Audience], stored: dict[str, dict[str, Any]]) -> None:
    missing = sorted(set(model) - set(stored))
    extra = sorted(set(stored) - set(model))
    assert not missing, f"lost writes: {len(missing)} audiences the model has are not stored: {missing[:5]}"
    assert not extra, f"{len(extra)} stored audiences the model does not know (duplicated creates?): {extra[:5]}"
    for audience_id, expected in model.items():
        body = stored[audience_id]
        actual = {key: body.get(key) for key in expected}
        actual["genderDistribution"] = {k: Decimal(str(v)) for k, v in body["genderDistribution"].items()}
        assert actual == expected, f"audience {audience_id} differs from the model"


@pytest.mark.timeout(campaign_timeout(120))
async def test_random_writes_under_ten_percent_faults_leave_exactly_the_model_and_fail_only_with_tool_errors(
    tmp_path: Path, state_location: str
) -> None:
    """Run once with each state store: a SQLite file, and PostgreSQL as replicas share it."""
    started = time.perf_counter()
    rng = random.Random(SEED)  # a reproducible campaign
    backends = CountingBackends()
    with standalone_sandbox(tmp_path / "sandbox", create_limit=PLAN_LIMIT) as sandbox:
        server = server_for(sandbox, state_location, backends)
        async with Client(server) as client:
            # Faults are answered by the sandbox before any route handler runs, so a call that
            # ended in a ToolError changed nothing there: the model applies only successes.
            sandbox.configure_faults(**FAULTS)
            campaign = Campaign(client=client, sandbox=sandbox, rng=rng, faults_seen=sandbox.faults_injected())
            for number in range(OPERATIONS):
                await campaign.step(number)
            sandbox.clear_faults()
            after = await client.call_tool("neuroflash_list_audiences", {"page_size": 200})
            assert not after.is_error and after.structured_content is not None
            assert after.structured_content["total"] == len(campaign.model)
        stored = sandbox.audiences()
        stats = sandbox.stats()

    from audience_mcp.core.store.journal import Journal

    journal = Journal(state_location)
    try:
        statuses = Counter(change.status for change in journal.recent(limit=10**6))
    finally:
        journal.close()

    FIGURES["faults" if state_location.endswith(".db") else "faults on postgresql"] = {
        "operations": OPERATIONS,
        "tool_calls": campaign.calls,
        "succeeded": campaign.succeeded,
        "tool_errors": dict(campaign.errors),
        "faults_injected": stats["faults"],
        "calls_hit_by_faults": campaign.hit_by_faults,
        "saved_by_retries": campaign.saved_by_retries,
        "client_retries": backends.retries(),
        "api_requests": stats["total"],
        "writes": dict(campaign.writes_succeeded),
        "audiences": len(campaign.model),
        "journal": dict(statuses),
        "seconds": round(time.perf_counter() - started, 1),
    }
    assert not campaign.problems, "\n".join(campaign.problems[:20])
    assert_sandbox_holds(campaign.model, stored)
    assert statuses["pending"] == 0, "a finished write left its journal row pending"
    # The campaign must have exercised what it is about.
    assert campaign.saved_by_retries > 0 and campaign.errors["unavailable (503)"] > 0
    assert campaign.writes_succeeded["delete"] > 0 and campaign.writes_succeeded["duplicate"] > 0
