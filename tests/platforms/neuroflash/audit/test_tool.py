"""audit_audiences through the real MCP client against a seeded in-memory sandbox."""

from __future__ import annotations

import math
from collections import defaultdict
from typing import Any

import pytest
from mcp import Client

from audience_mcp.platforms.neuroflash.audit import CHECKS
from audience_mcp.platforms.neuroflash.sandbox import SandboxConfig
from audience_mcp.platforms.neuroflash.sandbox.records import ImageData
from tests.support.harness import COLLEAGUE, PNG_BYTES, WS, Harness, ServerFactory, call, tool_error

pytestmark = pytest.mark.anyio

LIST = "GET /api/audience-service/v1/workspaces/{workspaceId}/target-audiences"
GET_ONE = "GET /api/audience-service/v1/workspaces/{workspaceId}/target-audiences/{targetAudienceId}"
LIMITS = "GET /api/audience-service/v1/workspaces/{workspaceId}/limits/target-audiences"
OLD = "2020-01-01T00:00:00.000Z"
REMOVE = object()


def clean_body(audience_id: str, **overrides: Any) -> dict[str, Any]:
    """A stored body that passes every check and shares its name and profile with no other."""
    body: dict[str, Any] = {
        "id": audience_id,
        "name": f"Audience {audience_id}",
        "minAge": 25,
        "maxAge": 45,
        "residence": f"Town {audience_id}",
        "genderDistribution": {"female": 0.5, "male": 0.4, "nonBinary": 0.07, "preferNotToSay": 0.03},
        "interests": ["AI", "content marketing"],
        "needs": ["scale content production"],
        "painPoints": ["manual workflows"],
        "country": "DE",
        "nativeLanguage": "de",
        "shared": True,
    }
    for key, value in overrides.items():
        if value is REMOVE:
            body.pop(key)
        else:
            body[key] = value
    return body


def seed(harness: Harness, audience_id: str, *, image: bool = True, times: Any = None, **overrides: Any) -> str:
    """Insert verbatim (what the API might refuse too) with an image and fresh dates unless told."""
    kwargs: dict[str, Any] = dict(times or {})
    if image:
        kwargs["image"] = ImageData(PNG_BYTES)
    return harness.sandbox.store.insert_raw(WS, clean_body(audience_id, **overrides), **kwargs)


def ids_by_check(report: dict[str, Any]) -> dict[str, set[str]]:
    found: dict[str, set[str]] = defaultdict(set)
    for finding in report["findings"]:
        found[finding["check"]] |= {a["id"] for a in finding["audiences"]}
    return found


async def test_every_check_fires_on_exactly_the_audiences_that_violate_it(harness: Harness, client: Client) -> None:
    for clean in ("clean-1", "clean-2", "clean-3"):
        seed(harness, clean)
    seed(
        harness,
        "shares-0.9",
        genderDistribution={"female": 0.5, "male": 0.3, "nonBinary": 0.07, "preferNotToSay": 0.03},
    )
    seed(harness, "shares-no-key", genderDistribution={"female": 0.5, "male": 0.4, "nonBinary": 0.1})
    seed(harness, "ages-inverted", minAge=50, maxAge=30)
    seed(harness, "ages-wide", minAge=18, maxAge=80)
    seed(harness, "no-residence", residence=REMOVE)
    seed(harness, "no-interests", interests=[])
    seed(harness, "no-country", country=REMOVE)
    seed(harness, "no-language", nativeLanguage=None)
    seed(harness, "dup-1", name="Berlin Founders")
    seed(harness, "dup-2", name="  berlin   founders ")
    seed(harness, "twin-1", residence="Hamburg", interests=["SEO", "AI"])
    seed(harness, "twin-2", residence="hamburg ", interests=["ai", "seo"], shared=False)
    seed(harness, "stale", times={"created_at": OLD, "updated_at": OLD, "viewed_at": "2020-06-01T00:00:00Z"})
    seed(harness, "stale-2", times={"created_at": OLD, "updated_at": OLD, "viewed_at": OLD})
    seed(harness, "no-image", image=False)
    harness.sandbox.store.insert_raw(
        WS, clean_body("colleague-shared"), created_by_user_id=COLLEAGUE.user_id, image=ImageData(PNG_BYTES)
    )
    harness.sandbox.store.insert_raw(
        WS, clean_body("colleague-private", shared=False, country=None), created_by_user_id=COLLEAGUE.user_id
    )

    report = await call(client, "audit_audiences", max_findings=500)

    assert ids_by_check(report) == {
        "gender_shares": {"shares-0.9", "shares-no-key"},
        "age_range_inverted": {"ages-inverted"},
        "age_range_wide": {"ages-wide"},
        "required_fields": {"no-residence"},
        "empty_lists": {"no-interests"},
        "missing_country": {"no-country"},
        "missing_native_language": {"no-language"},
        "duplicate_names": {"dup-1", "dup-2"},
        "near_identical": {"twin-1", "twin-2"},
        "stale": {"stale", "stale-2"},
        "no_image": {"no-image"},
    }
    summary = report["summary"]
    assert summary["audiences_scanned"] == 19  # the colleague's private audience is not visible
    assert summary["by_check"]["plan_usage"] == 0
    assert summary["platforms"] == [
        {
            "platform": "neuroflash",
            "audiences_scanned": 19,
            "complete": True,
            "plan_usage": 20,
            "plan_limit": 50,
            "note": None,
        }
    ]
    assert summary["by_severity"] == {"error": 4, "warning": 4, "info": 5}
    assert report["truncated"] is False


async def test_data_the_api_refused_is_reported_with_a_fix_the_update_tool_accepts(
    harness: Harness, client: Client
) -> None:
    seed(harness, "broken", genderDistribution={"female": 0.5, "male": 0.3, "nonBinary": 0.07, "preferNotToSay": 0.03})

    report = await call(client, "audit_audiences", checks=["gender_shares"])
    (finding,) = report["findings"]
    assert finding["severity"] == "error"
    assert finding["audiences"] == [{"id": "broken", "name": "Audience broken"}]
    assert finding["problem"] == "Gender shares sum to 0.9, not exactly 1, so every update will be refused."
    fixed = await call(
        client,
        "neuroflash_update_audience",
        audience_id="broken",
        gender_distribution={"female": 0.5556, "male": 0.3333, "nonBinary": 0.0778, "preferNotToSay": 0.0333},
    )
    after = await call(client, "audit_audiences", checks=["gender_shares"])

    assert finding["fix"] == (
        "neuroflash_update_audience(audience_id='broken', gender_distribution="
        '{"female": 0.5556, "male": 0.3333, "nonBinary": 0.0778, "preferNotToSay": 0.0333})'
    )
    assert fixed["updated"] is True
    assert after["findings"] == []


async def test_a_subset_of_checks_reports_only_those(harness: Harness, client: Client) -> None:
    seed(harness, "a", image=False, country=REMOVE, minAge=60, maxAge=20)
    seed(harness, "b", times={"created_at": OLD})

    report = await call(client, "audit_audiences", checks=["stale", "no_image"])

    assert report["summary"]["by_check"] == {"stale": 1, "no_image": 1}
    assert ids_by_check(report) == {"stale": {"b"}, "no_image": {"a"}}


async def test_an_unknown_check_name_is_a_tool_error_listing_the_valid_ones(client: Client) -> None:
    message = await tool_error(client, "audit_audiences", checks=["stale", "missing_image"])

    assert message.startswith("Unknown check: missing_image. Valid checks: ")
    assert all(name in message for name in CHECKS)


async def test_plan_usage_at_90_percent_of_the_limit_is_a_warning(make_server: ServerFactory) -> None:
    harness = make_server(config=SandboxConfig(db_path=":memory:", create_limit=10))
    for i in range(9):
        seed(harness, f"a{i}")

    async with Client(harness.server) as client:
        report = await call(client, "audit_audiences")

    assert [f["check"] for f in report["findings"]] == ["plan_usage"]
    assert report["findings"][0]["problem"] == "9 of the plan's 10 audiences are used (90%)."
    (platform,) = report["summary"]["platforms"]
    assert (platform["plan_usage"], platform["plan_limit"]) == (9, 10)


async def test_plan_usage_below_90_percent_is_fine(make_server: ServerFactory) -> None:
    harness = make_server(config=SandboxConfig(db_path=":memory:", create_limit=10))
    for i in range(8):
        seed(harness, f"a{i}")

    async with Client(harness.server) as client:
        report = await call(client, "audit_audiences")

    assert report["findings"] == [] and report["summary"]["findings"] == 0


async def test_pages_of_200_are_listed_once_each_with_no_per_audience_get_and_progress_per_page(
    harness: Harness, client: Client
) -> None:
    count = 450
    for i in range(count):
        seed(harness, f"a{i:03d}", image=False)
    harness.sandbox.stats.reset()
    progress: list[tuple[float, float | None, str | None]] = []

    async def on_progress(done: float, total: float | None, message: str | None) -> None:
        progress.append((done, total, message))

    result = await client.call_tool("audit_audiences", {"workspace_id": WS}, progress_callback=on_progress)

    assert not result.is_error and isinstance(result.structured_content, dict)
    summary = result.structured_content["summary"]
    assert summary["audiences_scanned"] == count
    assert summary["by_check"]["no_image"] == count
    counts = harness.sandbox.stats.counts
    assert counts[LIST] == math.ceil(count / 200) == 3
    assert counts[LIMITS] == 1
    assert GET_ONE not in counts
    assert [(done, total) for done, total, _ in progress] == [(1, 3), (2, 3), (3, 3)]
    assert progress[-1][2] == "neuroflash: Read page 3 of 3"


async def test_findings_are_capped_with_counts_and_a_truncated_flag(harness: Harness, client: Client) -> None:
    for i in range(60):
        seed(harness, f"a{i:02d}", image=False)
    seed(harness, "inverted", minAge=70, maxAge=20)

    report = await call(client, "audit_audiences", max_findings=5)

    checks = [f["check"] for f in report["findings"]]
    assert checks == ["age_range_inverted", "plan_usage", "no_image", "no_image", "no_image"]  # 61 of 50 used
    assert report["truncated"] is True
    assert report["summary"]["by_check"]["no_image"] == 60
    assert report["summary"]["findings"] == 62


async def test_an_empty_workspace_is_a_clean_report(client: Client) -> None:
    progress: list[float] = []

    async def on_progress(done: float, total: float | None, message: str | None) -> None:
        progress.append(done)

    result = await client.call_tool("audit_audiences", {}, progress_callback=on_progress)

    assert not result.is_error and isinstance(result.structured_content, dict)
    assert result.structured_content["summary"]["audiences_scanned"] == 0
    assert result.structured_content["findings"] == []
    assert progress == [1]


async def test_a_failing_page_is_a_tool_error_that_says_what_to_do(harness: Harness, client: Client) -> None:
    for i in range(450):
        seed(harness, f"a{i:03d}")
    harness.sandbox.faults.script([None, None, 500, 500, 500, 500])  # first page and limits pass

    message = await tool_error(client, "audit_audiences", workspace_id=WS)

    assert message == "neuroflash is not answering properly (HTTP 500); nothing was changed. Try again in a minute."


async def test_the_tool_is_read_only_and_present_in_read_only_mode(make_server: ServerFactory) -> None:
    harness = make_server(read_only=True)

    async with Client(harness.server) as client:
        tools = {tool.name: tool for tool in (await client.list_tools()).tools}

    tool = tools["audit_audiences"]
    assert tool.annotations is not None and tool.annotations.read_only_hint is True
    assert tool.description is not None and tool.description.count(". ") <= 1
    assert set(tool.input_schema["properties"]) == {
        "platforms",
        "workspace_id",
        "stale_after_days",
        "checks",
        "max_findings",
        "page",
    }


async def test_in_read_only_mode_no_fix_names_a_tool_the_server_does_not_offer(make_server: ServerFactory) -> None:
    harness = make_server(read_only=True)
    seed(harness, "no-interests", interests=[])
    seed(harness, "dup-1", name="Twins")
    seed(harness, "dup-2", name="twins")

    async with Client(harness.server) as client:
        offered = {tool.name for tool in (await client.list_tools()).tools}
        report = await call(client, "audit_audiences")

    writers = {"neuroflash_update_audience", "neuroflash_delete_audience", "neuroflash_duplicate_audience"}
    assert not writers & offered
    assert report["findings"]
    assert all(
        f["fix"] == "None here: this server is read-only. Make the change in the platform's own app."
        for f in report["findings"]
    )
    assert not any(name in str(report) for name in writers)


async def test_the_audit_reads_at_most_the_configured_number_of_audiences_and_says_so(
    make_server: ServerFactory,
) -> None:
    harness = make_server(audit_max_audiences=250)  # two pages of 200
    for i in range(450):
        seed(harness, f"a{i:03d}", image=False)
    harness.sandbox.stats.reset()

    async with Client(harness.server) as client:
        report = await call(client, "audit_audiences")

    assert harness.sandbox.stats.counts[LIST] == 2
    assert report["summary"]["audiences_scanned"] == 400
    assert report["summary"]["platforms"][0]["complete"] is False


async def test_a_huge_staleness_finds_nothing_stale_instead_of_crashing_the_audit(
    harness: Harness, client: Client
) -> None:
    seed(harness, "old", times={"created_at": OLD, "updated_at": OLD, "viewed_at": OLD})

    report = await call(client, "audit_audiences", stale_after_days=10**12)

    assert report["summary"]["audiences_scanned"] == 1
    assert report["summary"]["by_check"]["stale"] == 0


async def test_an_unknown_platform_is_named_with_the_ones_this_server_audits(client: Client) -> None:
    message = await tool_error(client, "audit_audiences", platforms=["hubspot"])

    assert message == "Unknown or disabled platform: hubspot. This server audits: neuroflash."


async def test_the_next_page_is_reachable_with_the_call_left_out_names(harness: Harness, client: Client) -> None:
    for i in range(8):
        seed(harness, f"a{i}", image=False)

    first = await call(client, "audit_audiences", checks=["no_image"], max_findings=5)
    assert first["left_out"] == (
        "3 more findings after these (no_image): call audit_audiences(checks=['no_image'], max_findings=5, page=2) "
        "for the next 3, or pass checks=[...] to see one check's findings."
    )
    second = await call(client, "audit_audiences", checks=["no_image"], max_findings=5, page=2)

    seen = [f["audiences"][0]["id"] for report in (first, second) for f in report["findings"]]
    assert sorted(seen) == [f"a{i}" for i in range(8)]


async def test_a_fix_for_someone_elses_audience_is_one_the_caller_can_run(harness: Harness, client: Client) -> None:
    theirs = harness.sandbox.store.insert_raw(
        WS,
        clean_body("theirs", interests=[]),
        created_by_user_id=COLLEAGUE.user_id,
        image=ImageData(PNG_BYTES),
        created_at=OLD,
        updated_at=OLD,
        viewed_at=OLD,
    )

    report = await call(client, "audit_audiences", checks=["empty_lists", "stale"])
    fixes = {f["check"]: f["fix"] for f in report["findings"]}

    assert fixes["empty_lists"] == (
        f"Not yours: only user {COLLEAGUE.user_id!r} can change it. Ask them to fix it, or fix your own copy: "
        f"neuroflash_duplicate_audience(audience_id={theirs!r}), then update the copy."
    )
    assert fixes["stale"] == f"Not yours: only user {COLLEAGUE.user_id!r} can delete it; ask them to."
    copy = await call(client, "neuroflash_duplicate_audience", audience_id=theirs)  # the suggested call works
    assert copy["duplicate"]["id"] != theirs


async def test_a_duplicate_group_never_asks_to_delete_a_copy_the_caller_cannot_delete(
    harness: Harness, client: Client
) -> None:
    mine = seed(harness, "mine", name="Twins", times={"updated_at": OLD})
    theirs = harness.sandbox.store.insert_raw(
        WS, clean_body("theirs", name="twins"), created_by_user_id=COLLEAGUE.user_id, image=ImageData(PNG_BYTES)
    )

    report = await call(client, "audit_audiences", checks=["duplicate_names"])

    (finding,) = report["findings"]
    assert finding["fix"].startswith(f"neuroflash_delete_audience(audience_id={mine!r}); keeps {theirs!r}")
