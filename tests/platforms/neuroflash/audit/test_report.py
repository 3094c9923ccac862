"""The Auditor: duplicate groups by hashing, the findings cap, ordering and check selection."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from audience_mcp.core.audit.findings import PlatformAudit
from audience_mcp.core.audit.report import AuditReport
from audience_mcp.platforms.neuroflash.audit import CHECKS, Auditor, AuditParams, PlanUsage, UnknownChecksError
from audience_mcp.platforms.neuroflash.audit.groups import name_key, profile_key
from tests.support.audit import NOW, audience, audit

GROUP_CHECKS = ["duplicate_names", "near_identical"]


def unique(audience_id: str, **overrides: Any) -> dict[str, Any]:
    """A clean audience whose name and profile no other audience shares."""
    return audience(audience_id, **{"residence": f"Town {audience_id}", **overrides})


def groups(report: AuditReport, check: str) -> list[set[str]]:
    return [{a.id for a in f.audiences} for f in report.findings if f.check == check]


def test_names_differing_only_in_case_and_whitespace_form_one_duplicate_group() -> None:
    items = [
        unique("a", name="Marketing Leaders"),
        unique("b", name="  marketing   leaders"),
        unique("c", name="MARKETING\tLEADERS "),
        unique("d", name="Marketing Leader"),
        unique("e", name="Sales leads"),
        unique("f", name="sales  Leads"),
        unique("g", name=None),
        unique("h", name=None),
    ]

    report = audit(items, now=NOW, checks=["duplicate_names"])

    assert groups(report, "duplicate_names") == [{"a", "b", "c"}, {"e", "f"}]
    assert report.summary.by_check == {"duplicate_names": 2}
    first = report.findings[0]
    assert (first.severity, first.audience_count) == ("warning", 3)
    assert first.problem == "3 audiences share the name 'Marketing Leaders' (ignoring case and spaces)."


def test_profiles_equal_but_for_name_case_whitespace_and_list_order_are_near_identical() -> None:
    base = unique("a", name="One")
    twin = unique(
        "b",
        name="Two",
        residence="  TOWN a ",
        interests=["content   marketing", "ai"],
        genderDistribution={
            "female": Decimal("0.50"),
            "male": 0.4,
            "nonBinary": Decimal("0.07"),
            "preferNotToSay": 0.03,
        },
        shared=False,
        createdAt="2020-01-01T00:00:00Z",
        updatedAt="2021-01-01T00:00:00Z",
        _embedded={},
    )
    other_interest = unique("c", name="Three", residence="Town a", interests=["AI", "SEO"])
    extra_field = unique("d", name="Four", residence="Town a", additionalInformation="B2B only")

    report = audit([base, twin, other_interest, extra_field], now=NOW, checks=["near_identical"])

    assert groups(report, "near_identical") == [{"a", "b"}]
    assert report.findings[0].severity == "info"
    assert report.findings[0].problem == "2 audiences have the same profile apart from their names."


def test_group_keys_ignore_name_and_server_fields_but_not_content() -> None:
    one = audience("x", name="A", id="x", viewedAt=None)
    assert profile_key(one) == profile_key(audience("y", name="B"))
    assert profile_key(one) != profile_key(audience("x", needs=["other"]))
    assert name_key(audience("x", name=" A  b ")) == name_key(audience("y", name="a B"))
    assert name_key(audience("x", name=" ")) is None


def test_the_group_fix_keeps_the_most_recently_updated_copy() -> None:
    items = [
        unique("old", name="Twins", updatedAt="2026-01-01T00:00:00Z"),
        unique("new", name="twins", updatedAt="2026-05-01T00:00:00Z"),
        unique("mid", name="TWINS", updatedAt="2026-03-01T00:00:00Z"),
    ]

    report = audit(items, now=NOW, checks=["duplicate_names"])

    (finding,) = report.findings
    # Every copy the fix speaks of is listed, so the model can act on each one.
    assert {a.id for a in finding.audiences} == {"old", "new", "mid"}
    assert finding.fix == (
        "neuroflash_delete_audience(audience_id=...) once for each listed audience except 'new'; "
        "keeps the most recently updated 'new', or give each a distinct name with neuroflash_update_audience"
    )


def test_a_pair_names_the_one_copy_to_delete() -> None:
    items = [unique("old", updatedAt="2026-01-01T00:00:00Z"), unique("new", updatedAt="2026-05-01T00:00:00Z")]
    for item in items:
        item["name"] = "Twins"

    (finding,) = audit(items, now=NOW, checks=["duplicate_names"]).findings

    assert finding.fix is not None
    assert finding.fix.startswith(
        "neuroflash_delete_audience(audience_id='old'); keeps the most recently updated 'new'"
    )


def test_a_large_group_lists_100_audiences_and_counts_all() -> None:
    items = [unique(f"id{i:03d}", name="Same name") for i in range(120)]

    report = audit(items, now=NOW, checks=["duplicate_names"])

    (finding,) = report.findings
    assert finding.audience_count == 120
    assert [a.id for a in finding.audiences] == [f"id{i:03d}" for i in range(100)]


def test_findings_are_capped_most_severe_first_with_full_counts_in_the_summary() -> None:
    items = [unique(f"n{i}", _embedded={}) for i in range(30)]  # 30 info findings
    items += [unique(f"w{i}", country=None) for i in range(5)]  # 5 warnings
    items += [unique(f"e{i}", minAge=60, maxAge=20) for i in range(3)]  # 3 errors

    report = audit(items, now=NOW, max_findings=10)

    assert [f.severity for f in report.findings] == ["error"] * 3 + ["warning"] * 5 + ["info"] * 2
    assert [f.audiences[0].id for f in report.findings[-2:]] == ["n0", "n1"]
    assert report.truncated is True
    assert report.left_out == (
        "28 more findings after these (no_image): call audit_audiences(page=2) for the next 10, "
        "or pass checks=[...] to see one check's findings."
    )
    assert report.summary.findings == 38
    assert report.summary.by_severity == {"error": 3, "warning": 5, "info": 30}
    assert report.summary.by_check["no_image"] == 30
    assert report.summary.by_check["age_range_inverted"] == 3


def test_a_report_within_the_cap_is_not_truncated_and_every_check_is_counted() -> None:
    report = audit([unique("a"), unique("b", country=None)], now=NOW)

    assert report.truncated is False
    assert list(report.summary.by_check) == list(CHECKS)
    assert report.summary.by_check["missing_country"] == 1
    assert sum(report.summary.by_check.values()) == 1 == len(report.findings)
    assert report.summary.audiences_scanned == 2


def test_the_report_does_not_depend_on_the_order_pages_arrive_in() -> None:
    pages = [[unique(f"p{p}i{i}", name=f"N{i}", _embedded={}) for i in range(5)] for p in range(4)]

    def run(order: list[int]) -> PlatformAudit:
        auditor = Auditor(AuditParams(now=NOW), keep_per_check=7)
        for p in order:
            for i, item in enumerate(pages[p]):
                auditor.add(item, p * 5 + i)
        return auditor.report()

    assert run([0, 1, 2, 3]) == run([3, 1, 0, 2])


def test_an_audience_seen_twice_is_audited_once_and_one_without_id_is_skipped() -> None:
    report = audit([unique("a", country=None), unique("a", country=None), {"name": "no id"}], now=NOW)

    assert report.summary.audiences_scanned == 1
    assert report.summary.by_check["missing_country"] == 1
    assert report.summary.by_check["duplicate_names"] == 0


def test_plan_usage_is_a_warning_without_audiences_and_fills_the_summary() -> None:
    report = audit([unique("a")], now=NOW, plan=PlanUsage(usage=9, limit=10, available=True))

    (finding,) = report.findings
    assert (finding.check, finding.severity, finding.audiences, finding.audience_count) == (
        "plan_usage",
        "warning",
        [],
        0,
    )
    (platform,) = report.summary.platforms
    assert (platform.plan_usage, platform.plan_limit) == (9, 10)


def test_an_unlimited_plan_reports_usage_without_a_limit() -> None:
    report = audit([], now=NOW, plan=PlanUsage(usage=3, limit=0, unlimited=True, available=True))

    (platform,) = report.summary.platforms
    assert (platform.plan_usage, platform.plan_limit, report.findings) == (3, None, [])


def test_a_subset_of_checks_runs_only_those() -> None:
    items = [unique("a", country=None, _embedded={}), unique("b", name="Audience a", minAge=9, maxAge=1)]

    report = audit(items, now=NOW, checks=["No_Image ", "age_range_inverted"])

    assert report.summary.by_check == {"age_range_inverted": 1, "no_image": 1}
    assert [f.check for f in report.findings] == ["age_range_inverted", "no_image"]


@pytest.mark.parametrize("checks", [None, []])
def test_no_selection_runs_every_check(checks: list[str] | None) -> None:
    assert list(audit([], now=NOW, checks=checks).summary.by_check) == list(CHECKS)


def test_an_unknown_check_name_lists_the_valid_ones() -> None:
    with pytest.raises(UnknownChecksError) as raised:
        audit([], now=NOW, checks=["stale", "duplicates", "images"])

    message = str(raised.value)
    assert message.startswith("Unknown checks: duplicates, images. Valid checks: required_fields, gender_shares,")
    assert all(name in message for name in CHECKS)


def test_check_names_are_stable_snake_case_with_fixed_severities() -> None:
    assert CHECKS == {
        "required_fields": "error",
        "gender_shares": "error",
        "age_range_inverted": "error",
        "age_range_wide": "warning",
        "empty_lists": "warning",
        "missing_country": "warning",
        "duplicate_names": "warning",
        "plan_usage": "warning",
        "missing_native_language": "info",
        "near_identical": "info",
        "stale": "info",
        "no_image": "info",
    }


def test_the_plan_limit_and_a_wide_group_come_before_single_audience_warnings() -> None:
    # 50 audiences of 50 allowed: 49 identical copies with empty lists, and one more.
    items = [unique(f"c{i:02d}", name=f"Copy {i}", residence="Same", interests=[]) for i in range(49)]
    items.append(unique("x", interests=[]))

    report = audit(items, now=NOW, plan=PlanUsage(usage=50, limit=50, available=False), max_findings=5)

    # The plan (every audience) and the group of 49 outrank 50 warnings that reach one audience each.
    assert [f.check for f in report.findings] == ["plan_usage", "near_identical"] + ["empty_lists"] * 3
    assert report.findings[1].audience_count == 49
    assert report.truncated is True
    assert report.left_out is not None
    assert report.left_out.startswith("47 more findings after these (empty_lists): call audit_audiences(page=2)")
    assert "audit_audiences(page=2)" in report.left_out


def test_the_next_page_lists_what_the_first_left_out_and_says_what_came_before() -> None:
    items = [unique(f"n{i:02d}", _embedded={}) for i in range(12)]

    first = audit(items, now=NOW, max_findings=5)
    second = audit(items, now=NOW, max_findings=5, page=2)
    third = audit(items, now=NOW, max_findings=5, page=3)

    ids = [f.audiences[0].id for page in (first, second, third) for f in page.findings]
    assert ids == [f"n{i:02d}" for i in range(12)]
    assert third.truncated is True  # nothing after it, but 10 findings are on earlier pages
    assert third.left_out == "10 more severe findings are on earlier pages."
    assert second.left_out is not None and "audit_audiences(page=3) for the next 2" in second.left_out
