"""Gender shares: example inputs a model sends and what the API gets."""

import json
from decimal import Decimal
from fractions import Fraction

import pytest

from audience_mcp.core.normalize import (
    NormalizationError,
)
from audience_mcp.platforms.neuroflash.gender import (
    DEFAULT_GENDER_SHARES,
    GENDER_KEYS,
    default_gender_shares,
    normalize_gender_shares,
)

CANONICAL = {"female": 0.5, "male": 0.4, "nonBinary": 0.07, "preferNotToSay": 0.03}


def shares(female: float, male: float, non_binary: float = 0.0, prefer: float = 0.0) -> dict[str, float]:
    return {"female": female, "male": male, "nonBinary": non_binary, "preferNotToSay": prefer}


def decimal_sum(value: dict[str, float]) -> Decimal:
    return sum((Decimal(repr(v)) for v in value.values()), Decimal(0))


def error_of(raw: object) -> NormalizationError:
    with pytest.raises(NormalizationError) as info:
        normalize_gender_shares(raw)
    assert info.value.field == "gender_distribution"
    return info.value


# --- constants ----------------------------------------------------------------------------------


def test_gender_keys_are_the_api_keys_in_order() -> None:
    assert GENDER_KEYS == ("female", "male", "nonBinary", "preferNotToSay")


def test_default_shares_are_the_guides_starting_point_and_sum_to_one() -> None:
    assert DEFAULT_GENDER_SHARES == CANONICAL
    assert decimal_sum(DEFAULT_GENDER_SHARES) == 1


def test_default_gender_shares_says_the_default_was_used_and_returns_a_copy() -> None:
    result = default_gender_shares()
    assert result.value == CANONICAL
    assert len(result.adjustments) == 1
    assert result.adjustments[0].startswith("gender_distribution:")
    assert "default" in result.adjustments[0]
    result.value["female"] = 0.0
    assert DEFAULT_GENDER_SHARES["female"] == 0.5


# --- accepted shapes ----------------------------------------------------------------------------


def test_canonical_input_comes_back_unchanged_without_adjustments() -> None:
    result = normalize_gender_shares(dict(CANONICAL))
    assert result.value == CANONICAL
    assert list(result.value) == list(GENDER_KEYS)
    assert result.adjustments == ()


def test_canonical_input_in_another_key_order_comes_back_in_api_order() -> None:
    result = normalize_gender_shares({"preferNotToSay": 0.03, "nonBinary": 0.07, "male": 0.4, "female": 0.5})
    assert list(result.value) == list(GENDER_KEYS)
    assert result.adjustments == ()


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ({"female": 55, "male": 43, "nonBinary": 2, "preferNotToSay": 0}, shares(0.55, 0.43, 0.02)),
        ({"female": "55%", "male": "45 %"}, shares(0.55, 0.45)),
        ({"female": "55,5 %", "male": "44,5%"}, shares(0.555, 0.445)),
        ({"female": 60, "male": 0.5, "nonBinary": 39.5}, shares(0.6, 0.005, 0.395)),
        ({"female": "50%", "male": 0.5}, shares(0.5, 0.5)),
        ({"female": "50 percent", "male": "50 Prozent"}, shares(0.5, 0.5)),
    ],
)
def test_percentages_are_converted_to_fractions(raw: object, expected: dict[str, float]) -> None:
    result = normalize_gender_shares(raw)
    assert result.value == expected
    assert "gender_distribution: read as percentages and converted to fractions." in result.adjustments


def test_numeric_strings_without_a_percent_sign_are_fractions_when_all_are_at_most_one() -> None:
    result = normalize_gender_shares({"female": "0.55", "male": " 0.45 "})
    assert result.value == shares(0.55, 0.45)
    assert not any("percent" in a for a in result.adjustments)


def test_bare_numbers_all_at_most_one_are_fractions() -> None:
    result = normalize_gender_shares({"female": 1, "male": 0})
    assert result.value == shares(1.0, 0.0)
    assert not any("percent" in a for a in result.adjustments)


def test_a_percent_sign_makes_a_small_value_a_percentage_even_when_others_are_fractions() -> None:
    result = normalize_gender_shares({"female": 0.995, "male": "0.5%"})
    assert result.value == shares(0.995, 0.005)


@pytest.mark.parametrize(
    ("key", "canonical"),
    [
        *[(k, "female") for k in ["women", "Woman", "FEMALE", "f", "W", "Frauen", "weiblich"]],
        *[(k, "male") for k in ["men", "Man", "m", "Männer", "maenner", "männlich", "maennlich"]],
        *[
            (k, "nonBinary")
            for k in ["non-binary", "non_binary", "Non Binary", "nonbinary", "nb", "enby", "diverse", "divers"]
        ],
        *[(k, "nonBinary") for k in ["other", "x", "X"]],
        *[
            (k, "preferNotToSay")
            for k in [
                "unknown",
                "undisclosed",
                "prefer_not_to_say",
                "prefer-not-to-say",
                "Prefer not to say",
                "not_specified",
                "n/a",
                "N/A",
                "na",
                "none",
                "no_answer",
            ]
        ],
    ],
)
def test_aliases_map_to_the_canonical_key(key: str, canonical: str) -> None:
    others = [k for k in GENDER_KEYS if k != canonical]
    raw = {key: 0.25, others[0]: 0.25, others[1]: 0.25, others[2]: 0.25}
    result = normalize_gender_shares(raw)
    assert result.value == dict.fromkeys(GENDER_KEYS, 0.25)


def test_a_real_alias_is_reported_but_a_spelling_variant_is_not() -> None:
    renamed = normalize_gender_shares({"women": 0.5, "men": 0.4, "nonBinary": 0.07, "preferNotToSay": 0.03})
    assert renamed.adjustments == ("gender_distribution: read 'women' as female, 'men' as male.",)
    variant = normalize_gender_shares({"Female": 0.5, "MALE": 0.4, "non_binary": 0.07, "prefer_not_to_say": 0.03})
    assert variant.adjustments == ()


def test_missing_keys_are_zero_and_reported() -> None:
    result = normalize_gender_shares({"female": 0.5, "male": 0.5})
    assert result.value == shares(0.5, 0.5)
    assert result.adjustments == ("gender_distribution: no share given for nonBinary, preferNotToSay; set to 0.",)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("60% women, 38% men, 2% non-binary", shares(0.6, 0.38, 0.02)),
        ("female 50, male 40, diverse 10", shares(0.5, 0.4, 0.1)),
        ("women: 60%, men: 40%", shares(0.6, 0.4)),
        ("60% women and 40% men", shares(0.6, 0.4)),
        ("Frauen 55 %; Männer 45 %", shares(0.55, 0.45)),
        ("female=0.5, male=0.4, nb=0.07, unknown=0.03", CANONICAL),
        ("female 55,5%, male 44,5%", shares(0.555, 0.445)),
        ("50% female\n40% male\n7% non-binary\n3% prefer not to say", CANONICAL),
        ("{'female': 0.5, 'male': 0.5}", shares(0.5, 0.5)),
        ("Split: 60% women, 40% men.", shares(0.6, 0.4)),
        ("Gender split: female 50%, male 50%.", shares(0.5, 0.5)),
        ("about 60% women and 40% men (estimated)", shares(0.6, 0.4)),
        ("prefer not to say 3%, female 97%", shares(0.97, 0.0, 0.0, 0.03)),
    ],
)
def test_free_text_is_read_as_shares(text: str, expected: dict[str, float]) -> None:
    result = normalize_gender_shares(text)
    assert result.value == expected
    assert result.adjustments[0].startswith("gender_distribution: read the text")


def test_a_json_object_string_is_parsed_like_an_object() -> None:
    result = normalize_gender_shares(json.dumps(CANONICAL))
    assert result.value == CANONICAL
    assert result.adjustments == ()


def test_decimal_and_fraction_values_are_accepted_exactly() -> None:
    result = normalize_gender_shares({"female": Decimal("0.5"), "male": Fraction(1, 2)})
    assert result.value == shares(0.5, 0.5)


# --- sums ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "sum_text"),
    [
        ({"female": 0.49, "male": 0.49}, "98"),
        ({"female": 50, "male": 55}, "105"),
        ({"female": 0.5, "male": 0.45}, "95"),
        ({"female": 50.5, "male": 48}, "98.5"),
    ],
)
def test_sums_within_five_points_are_scaled_to_exactly_one(raw: object, sum_text: str) -> None:
    result = normalize_gender_shares(raw)
    assert decimal_sum(result.value) == 1
    sentence = f"gender_distribution: shares summed to {sum_text}%; scaled proportionally to exactly 100%."
    assert sentence in result.adjustments


def test_scaling_keeps_the_proportions() -> None:
    result = normalize_gender_shares({"female": 0.49, "male": 0.49})
    assert result.value == shares(0.5, 0.5)


@pytest.mark.parametrize(
    ("raw", "percent"),
    [
        ({"female": 1, "male": 1}, "200%"),
        ({"female": 0.6}, "60%"),
        ({"female": 50, "male": 44.9}, "94.9%"),
        ({"female": 50, "male": 55.1}, "105.1%"),
        ({"female": 0.5, "male": 0.5, "nonBinary": 0.5}, "150%"),
    ],
)
def test_sums_further_from_one_hundred_percent_are_rejected_with_the_sum(raw: object, percent: str) -> None:
    err = error_of(raw)
    assert f"add up to {percent}" in err.message
    assert "give all four shares so they add up to 100%" in err.message
    assert '{"female": 0.5, "male": 0.4, "nonBinary": 0.07, "preferNotToSay": 0.03}' in err.message


def test_the_rejection_explains_that_small_numbers_were_read_as_fractions() -> None:
    assert "read as fractions" in error_of({"female": 1, "male": 1}).message


def test_float_noise_in_the_sum_is_not_reported() -> None:
    result = normalize_gender_shares({"female": 0.1 + 0.2, "male": 0.7})
    assert result.value == shares(0.3, 0.7)
    assert not any("summed" in a or "rounded" in a for a in result.adjustments)


def test_equal_thirds_go_to_the_first_key_on_a_tie() -> None:
    result = normalize_gender_shares({"female": Fraction(1, 3), "male": Fraction(1, 3), "nonBinary": Fraction(1, 3)})
    assert result.value == shares(0.3334, 0.3333, 0.3333)
    assert "gender_distribution: rounded to 4 decimals so the shares add up to exactly 1." in result.adjustments


def test_a_tie_in_remainders_goes_to_the_earlier_key() -> None:
    result = normalize_gender_shares({"female": 0.33335, "male": 0.33335, "nonBinary": 0.3333})
    assert result.value == shares(0.3334, 0.3333, 0.3333)


def test_the_missing_unit_goes_to_the_largest_remainder() -> None:
    result = normalize_gender_shares({"female": 0.33334, "male": 0.33336, "nonBinary": 0.3333})
    assert result.value == shares(0.3333, 0.3334, 0.3333)
    assert decimal_sum(result.value) == 1


def test_every_unit_value_has_an_exact_short_repr() -> None:
    for units in range(10_001):
        value = units / 10_000
        assert Decimal(repr(value)) == Decimal(units) / 10_000
        assert Decimal(repr(value)).as_tuple().exponent >= -4  # type: ignore[operator]


def test_output_json_literals_sum_to_exactly_one() -> None:
    result = normalize_gender_shares({"female": 1, "male": 1, "nonBinary": 1, "preferNotToSay": 0.0001 + 96.9999})
    decoded = json.loads(json.dumps(result.value), parse_float=Decimal)
    assert sum(decoded.values()) == 1


# --- rejected inputs ----------------------------------------------------------------------------


def test_two_keys_for_the_same_share_are_rejected() -> None:
    err = error_of({"women": 0.5, "female": 0.5})
    assert "'women' and 'female' both give the female share" in err.message


def test_unknown_keys_are_named_and_the_accepted_names_listed() -> None:
    err = error_of({"female": 0.5, "kids": 0.3, "teens": 0.2})
    assert "'kids'" in err.message and "'teens'" in err.message
    for key in GENDER_KEYS:
        assert key in err.message


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        (True, "true"),
        (None, "null"),
        (float("nan"), "not a finite number"),
        (float("inf"), "not a finite number"),
        (Decimal("NaN"), "not a finite number"),
        ("fifty", "not a number"),
        ("", "not a number"),
        ([0.5], "not a number"),
        ({"x": 1}, "not a number"),
        ("1e5", "not a number"),
    ],
)
def test_non_numeric_values_are_rejected(value: object, fragment: str) -> None:
    err = error_of({"female": value, "male": 0.5})
    assert fragment in err.message
    assert "female" in err.message


def test_negative_values_are_rejected_even_when_the_sum_is_fine() -> None:
    err = error_of({"female": -0.1, "male": 1.1})
    assert "negative" in err.message


@pytest.mark.parametrize("raw", [{}, {"female": 0, "male": 0, "nonBinary": 0, "preferNotToSay": 0}])
def test_no_shares_or_all_zero_shares_are_rejected(raw: object) -> None:
    error_of(raw)


@pytest.mark.parametrize(
    "raw",
    [
        None,
        0.5,
        ["female", 0.5],
        "",
        "   ",
        "half women, half men",
        "0.5, 0.5",
        "kids 50%, adults 50%",
        "female 50, male 30, kids 20",
        b"x",
    ],
)
def test_shapes_that_are_not_a_split_are_rejected_with_an_example(raw: object) -> None:
    err = error_of(raw)
    assert '"female": 0.5' in err.message


def test_free_text_errors_name_the_word_that_is_not_a_gender() -> None:
    assert "no gender named by 'kids'" in error_of("50% female, 50% kids").message


def test_non_string_keys_are_rejected() -> None:
    assert "keys must be strings" in error_of({1: 0.5, "male": 0.5}).message


def test_huge_values_end_in_an_error_not_a_crash() -> None:
    assert "more than 1000000%" in error_of({"female": 10**400}).message
    error_of({"female": Decimal("1e999999")})
    error_of({"female": "9" * 5000})
    error_of('{"female": ' + "9" * 5000 + "}")
