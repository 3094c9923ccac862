"""Text lists, list edits, ages, names and residence."""

import math
from decimal import Decimal
from fractions import Fraction

import pytest

from audience_mcp.core.normalize import (
    NormalizationError,
    apply_list_edits,
    check_age_range,
    normalize_age,
    normalize_name,
    normalize_residence,
    normalize_text_list,
)


def list_error(raw: object, field: str = "interests") -> NormalizationError:
    with pytest.raises(NormalizationError) as info:
        normalize_text_list(raw, field)
    assert info.value.field == field
    assert info.value.message.startswith(f"{field}:")
    return info.value


# --- text lists ---------------------------------------------------------------------------------


def test_a_clean_list_comes_back_unchanged_without_adjustments() -> None:
    result = normalize_text_list(["SEO", "content marketing"], "interests")
    assert result.value == ["SEO", "content marketing"]
    assert result.adjustments == ()


def test_none_is_an_empty_list() -> None:
    assert normalize_text_list(None, "needs").value == []
    assert normalize_text_list(None, "needs").adjustments == ()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("SEO, content marketing", ["SEO", "content marketing"]),
        ("SEO; content marketing;", ["SEO", "content marketing"]),
        ("SEO\ncontent marketing\r\nads", ["SEO", "content marketing", "ads"]),
        ("  SEO  ,,  content   marketing ", ["SEO", "content marketing"]),
    ],
)
def test_a_single_string_is_split_on_commas_semicolons_and_newlines(text: str, expected: list[str]) -> None:
    result = normalize_text_list(text, "interests")
    assert result.value == expected
    assert result.adjustments == (f"interests: split the text into {len(expected)} items.",)


def test_a_single_string_without_separators_is_one_item_without_adjustment() -> None:
    assert normalize_text_list(" SEO ", "interests") == normalize_text_list(["SEO"], "interests")


def test_a_json_array_string_is_parsed() -> None:
    result = normalize_text_list('["SEO", "ads, paid"]', "interests")
    assert result.value == ["SEO", "ads, paid"]


def test_a_broken_json_array_string_falls_back_to_splitting() -> None:
    assert normalize_text_list('["SEO", "ads"', "interests").value == ['["SEO"', '"ads"']


def test_items_are_trimmed_and_inner_whitespace_collapsed() -> None:
    result = normalize_text_list(["  SEO ", "content \t\n marketing"], "interests")
    assert result.value == ["SEO", "content marketing"]
    assert result.adjustments == ("interests: trimmed whitespace in 2 items.",)


def test_empty_items_are_dropped() -> None:
    result = normalize_text_list(["SEO", "", "   "], "interests")
    assert result.value == ["SEO"]
    assert "interests: dropped 2 empty items." in result.adjustments


def test_duplicates_are_removed_case_insensitively_keeping_the_first_spelling_and_order() -> None:
    result = normalize_text_list(["SEO", "ads", "seo", "Ads", "SEO"], "interests")
    assert result.value == ["SEO", "ads"]
    assert result.adjustments == ("interests: removed 3 duplicates ('seo', 'Ads', 'SEO').",)


def test_one_duplicate_is_reported_in_the_singular() -> None:
    result = normalize_text_list(["SEO", "ads", "SEO"], "interests")
    assert result.adjustments == ("interests: removed 1 duplicate ('SEO').",)


def test_numbers_are_converted_to_text() -> None:
    result = normalize_text_list(["SEO", 42, 3.5], "interests")
    assert result.value == ["SEO", "42", "3.5"]
    assert result.adjustments == ("interests: converted 2 numbers to text.",)


@pytest.mark.parametrize(
    "item", [None, True, False, {"a": 1}, ["nested"], float("nan"), float("inf"), b"bytes", 10**300]
)
def test_other_items_are_rejected_naming_the_position(item: object) -> None:
    err = list_error(["SEO", item])
    assert "item 2" in err.message


@pytest.mark.parametrize("raw", [42, 1.5, True, {"a": "b"}, {"SEO"}, b"SEO", object()])
def test_a_value_that_is_not_a_list_or_text_is_rejected(raw: object) -> None:
    list_error(raw, "pain_points")


def test_an_item_longer_than_200_characters_is_rejected() -> None:
    normalize_text_list(["x" * 200], "needs")
    err = list_error(["x" * 201], "needs")
    assert "201 characters" in err.message


def test_more_than_100_items_are_rejected() -> None:
    assert len(normalize_text_list([f"item {i}" for i in range(100)], "interests").value) == 100
    err = list_error([f"item {i}" for i in range(101)])
    assert "101 items" in err.message


def test_duplicates_do_not_count_toward_the_limit() -> None:
    assert normalize_text_list(["SEO"] * 150, "interests").value == ["SEO"]


def test_a_tuple_is_accepted_like_a_list() -> None:
    assert normalize_text_list(("a1", "b2"), "needs").value == ["a1", "b2"]


# --- list edits ---------------------------------------------------------------------------------


def test_additions_are_appended_and_removals_are_case_insensitive() -> None:
    result = apply_list_edits(["SEO", "Ads", "Email"], add=["TikTok"], remove=["ads"], field="interests")
    assert result.value == ["SEO", "Email", "TikTok"]
    assert result.adjustments == ()


def test_adding_an_item_already_present_is_a_no_op_with_an_adjustment() -> None:
    result = apply_list_edits(["SEO"], add="seo", remove=None, field="interests")
    assert result.value == ["SEO"]
    assert result.adjustments == ("'seo' is already in interests (as 'SEO'); not added again.",)


def test_removing_an_absent_item_is_a_no_op_with_an_adjustment() -> None:
    result = apply_list_edits(["SEO"], add=None, remove=["x"], field="interests")
    assert result.value == ["SEO"]
    assert result.adjustments == ("'x' was not in interests; nothing removed.",)


def test_edits_accept_text_and_report_its_normalization() -> None:
    result = apply_list_edits(["SEO"], add="ads, email", remove="SEO", field="needs")
    assert result.value == ["ads", "email"]
    assert "needs: split the text into 2 items." in result.adjustments


def test_no_edits_return_the_current_list_unchanged() -> None:
    current = ["b", "a"]
    result = apply_list_edits(current, None, None, "interests")
    assert result.value == ["b", "a"]
    assert result.value is not current
    assert result.adjustments == ()


def test_an_edit_that_would_exceed_100_items_is_rejected() -> None:
    with pytest.raises(NormalizationError) as info:
        apply_list_edits([f"i{n}" for n in range(100)], add="one more", remove=None, field="interests")
    assert "101 items" in info.value.message


@pytest.mark.parametrize("add", [[{"x": 1}], 5, True])
def test_invalid_additions_are_rejected(add: object) -> None:
    with pytest.raises(NormalizationError):
        apply_list_edits([], add=add, remove=None, field="interests")


@pytest.mark.parametrize("current", ["SEO", None, 5, [1, 2]])
def test_a_current_value_that_is_not_a_list_of_text_is_rejected(current: object) -> None:
    with pytest.raises(NormalizationError):
        apply_list_edits(current, add=None, remove=None, field="interests")  # type: ignore[arg-type]


# --- ages ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (30, 30),
        (0, 0),
        (120, 120),
        (30.0, 30),
        ("30", 30),
        (" 30 ", 30),
        ("+30", 30),
        ("30.0", 30),
        ("030", 30),
        (Decimal("30"), 30),
        (Fraction(60, 2), 30),
    ],
)
def test_whole_numbers_of_years_are_accepted(raw: object, expected: int) -> None:
    result = normalize_age(raw, "min_age")
    assert result.value == expected
    assert type(result.value) is int
    assert result.adjustments == ()


@pytest.mark.parametrize(
    "raw",
    [
        True,
        False,
        None,
        30.5,
        "30.5",
        "thirty",
        "",
        "30 years",
        "1e2",
        math.nan,
        math.inf,
        -math.inf,
        Decimal("NaN"),
        Decimal("sNaN"),
        [30],
        {"age": 30},
    ],
)
def test_anything_but_a_whole_number_is_rejected(raw: object) -> None:
    with pytest.raises(NormalizationError) as info:
        normalize_age(raw, "max_age")
    assert info.value.field == "max_age"
    assert "0 to 120" in info.value.message


@pytest.mark.parametrize("raw", [-1, 121, 10**100, "-5", 1e308, Decimal("1e999999"), "999"])
def test_ages_outside_0_to_120_are_rejected(raw: object) -> None:
    with pytest.raises(NormalizationError) as info:
        normalize_age(raw, "min_age")
    assert "0 to 120" in info.value.message


def test_min_age_above_max_age_is_rejected_with_both_values() -> None:
    with pytest.raises(NormalizationError) as info:
        check_age_range(40, 30)
    err = info.value
    assert err.field == "min_age"
    assert "40" in err.message and "30" in err.message
    assert "min_age <= max_age" in err.message


@pytest.mark.parametrize(("low", "high"), [(18, 65), (30, 30), (0, 120)])
def test_a_valid_age_range_passes(low: int, high: int) -> None:
    check_age_range(low, high)


# --- name and residence -------------------------------------------------------------------------


def test_a_clean_name_comes_back_without_adjustments() -> None:
    assert normalize_name("Young urban professionals") == normalize_name("Young urban professionals")
    assert normalize_name("Young urban professionals").adjustments == ()


def test_a_name_is_trimmed_and_the_change_reported() -> None:
    result = normalize_name("  Young   urban\tprofessionals ")
    assert result.value == "Young urban professionals"
    assert result.adjustments == ("name: trimmed whitespace.",)


@pytest.mark.parametrize(("raw", "length"), [("ab", 2), ("  ab  ", 2), ("", 0), ("x" * 101, 101)])
def test_names_outside_3_to_100_characters_are_rejected_with_the_length(raw: str, length: int) -> None:
    with pytest.raises(NormalizationError) as info:
        normalize_name(raw)
    assert info.value.field == "name"
    assert f"{length} characters" in info.value.message


def test_name_length_bounds_are_inclusive_and_counted_in_characters() -> None:
    assert normalize_name("abc").value == "abc"
    assert normalize_name("ü" * 100).value == "ü" * 100


def test_the_name_field_can_be_renamed_for_messages() -> None:
    with pytest.raises(NormalizationError) as info:
        normalize_name("x", "new_name")
    assert info.value.field == "new_name"
    assert info.value.message.startswith("new_name:")


@pytest.mark.parametrize("raw", [None, 123, ["name"], {"name": "x"}])
def test_a_non_string_name_is_rejected(raw: object) -> None:
    with pytest.raises(NormalizationError):
        normalize_name(raw)


def test_residence_is_trimmed() -> None:
    assert normalize_residence("Berlin").adjustments == ()
    result = normalize_residence("  Berlin ")
    assert result.value == "Berlin"
    assert result.adjustments == ("residence: trimmed whitespace.",)


@pytest.mark.parametrize("raw", ["", "   ", "x" * 201, None, 5, ["Berlin"]])
def test_empty_long_or_non_text_residence_is_rejected(raw: object) -> None:
    with pytest.raises(NormalizationError) as info:
        normalize_residence(raw)
    assert info.value.field == "residence"


def test_residence_of_200_characters_is_accepted() -> None:
    assert normalize_residence("x" * 200).value == "x" * 200


def test_a_trailing_separator_alone_is_not_reported_as_a_split() -> None:
    assert normalize_text_list("SEO,", "interests") == normalize_text_list(["SEO"], "interests")
    assert normalize_text_list(",;\n", "interests").value == []


@pytest.mark.parametrize(
    "raw",
    ["- LinkedIn\n- content marketing", "• LinkedIn\n• content marketing", "1. LinkedIn\n2) content marketing"],
)
def test_bullets_and_numbering_are_removed_from_text_lists(raw: str) -> None:
    result = normalize_text_list(raw, "interests")
    assert result.value == ["LinkedIn", "content marketing"]
    assert "interests: removed list markers (bullets or numbers) from 2 items." in result.adjustments


def test_a_leading_minus_or_number_that_is_part_of_the_text_stays() -> None:
    assert normalize_text_list(["-5% churn", "3D printing", "2.5x growth"], "needs").value == [
        "-5% churn",
        "3D printing",
        "2.5x growth",
    ]
