"""Property tests: every accepted input gives an API-valid value, no input crashes, outputs are fixed points."""

import json
import math
from collections.abc import Callable
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pycountry
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from audience_mcp.core.normalize import (
    NormalizationError,
    apply_list_edits,
    check_age_range,
    normalize_age,
    normalize_country,
    normalize_language,
    normalize_name,
    normalize_residence,
    normalize_text_list,
)
from audience_mcp.platforms.neuroflash.gender import GENDER_KEYS, normalize_gender_shares

# Index building (first call) must not count against hypothesis' per-example deadline.
slow_ok = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])

ALIASES: dict[str, list[str]] = {
    "female": ["female", "Female", "women", "woman", "f", "W", "Frauen", "weiblich"],
    "male": ["male", "MALE", "men", "man", "m", "Männer", "maennlich"],
    "nonBinary": ["nonBinary", "non_binary", "non-binary", "Non Binary", "nb", "enby", "diverse", "other", "x"],
    "preferNotToSay": [
        "preferNotToSay",
        "prefer_not_to_say",
        "prefer-not-to-say",
        "unknown",
        "undisclosed",
        "n/a",
        "na",
        "none",
        "no_answer",
    ],
}


def check_api_valid(value: dict[str, float]) -> None:
    assert list(value) == list(GENDER_KEYS)
    for share in value.values():
        assert type(share) is float
        assert 0.0 <= share <= 1.0
        exponent = Decimal(repr(share)).as_tuple().exponent
        assert isinstance(exponent, int) and exponent >= -4
    assert sum(Decimal(repr(v)) for v in value.values()) == 1
    assert sum(Decimal(x) for x in json.loads(json.dumps(value), parse_float=str).values()) == 1


# --- generating accepted gender inputs -----------------------------------------------------------


@st.composite
def split_in_basis_points(draw: st.DrawFn) -> list[int]:
    """Four non-negative integers (1/10000 units) summing to 9500..10500 (within 5 points of 100%)."""
    total = draw(st.integers(9500, 10500))
    cuts = sorted(draw(st.lists(st.integers(0, total), min_size=3, max_size=3)))
    return [cuts[0], cuts[1] - cuts[0], cuts[2] - cuts[1], total - cuts[2]]


def percent_text(points: int, comma: bool, space: bool) -> str:
    text = str(Decimal(points) / 100)
    return (text.replace(".", ",") if comma else text) + (" %" if space else "%")


@st.composite
def accepted_gender_input(draw: st.DrawFn) -> tuple[object, list[int]]:
    points = draw(split_in_basis_points())
    keys = [draw(st.sampled_from(ALIASES[k])) for k in GENDER_KEYS]
    mode = draw(st.sampled_from(["fraction", "percent", "percent-text", "mixed"]))
    if mode in ("fraction", "mixed"):  # a bare 1.03 means 1.03% by the "any value above 1" rule
        assume(max(points) <= 10_000)
    values: list[object] = []
    for p in points:
        kind = mode
        if mode == "mixed":  # fractions and %-strings may mix; bare percents may not
            kind = draw(st.sampled_from(["fraction", "percent-text"]))
        if kind == "fraction":
            as_float = p / 10_000
            values.append(draw(st.sampled_from([as_float, str(as_float), Decimal(p) / 10_000, Fraction(p, 10_000)])))
        elif kind == "percent":
            as_float = p / 100
            values.append(draw(st.sampled_from([as_float, str(as_float)])) if p % 100 else p // 100)
        else:
            values.append(percent_text(p, draw(st.booleans()), draw(st.booleans())))
    if mode == "percent" and all(
        float(v) <= 1 for v in values if not isinstance(v, str) or not v.endswith("%")
    ):  # every bare number <= 1 would read as fractions
        assume(False)
    pairs = [(k, v) for k, v, p in zip(keys, values, points, strict=True) if p or not draw(st.booleans())]
    assume(pairs)
    shape = draw(st.sampled_from(["dict", "json", "text-before", "text-after"]))
    if shape == "dict":
        return dict(pairs), points
    if shape == "json":
        return json.dumps({k: v if isinstance(v, str | int) else float(v) for k, v in pairs}), points
    if mode not in ("percent", "percent-text"):  # free text only for percentages (see the docs)
        return dict(pairs), points
    texts = [v if isinstance(v, str) else str(v) for _, v in pairs]
    if shape == "text-before":
        return ", ".join(f"{k}: {t}" for (k, _), t in zip(pairs, texts, strict=True)), points
    return "; ".join(f"{t} {k}" for (k, _), t in zip(pairs, texts, strict=True)), points


@slow_ok
@given(accepted_gender_input())
def test_every_accepted_gender_input_gives_four_exact_shares_summing_to_one(case: tuple[object, list[int]]) -> None:
    raw, points = case
    result = normalize_gender_shares(raw)
    check_api_valid(result.value)
    total = sum(points)
    for key, p in zip(GENDER_KEYS, points, strict=True):
        assert abs(Fraction(repr(result.value[key])) - Fraction(p, total)) <= Fraction(1, 10_000)


@given(st.lists(st.floats(0, 1e6, allow_nan=False), min_size=1, max_size=4))
def test_any_split_of_non_negative_floats_ends_valid_or_in_an_error(values: list[float]) -> None:
    raw = dict(zip(GENDER_KEYS, values, strict=False))
    try:
        result = normalize_gender_shares(raw)
    except NormalizationError as err:
        assert err.field == "gender_distribution"
        return
    check_api_valid(result.value)


@given(accepted_gender_input())
def test_normalizing_gender_output_again_changes_nothing(case: tuple[object, list[int]]) -> None:
    first = normalize_gender_shares(case[0])
    again = normalize_gender_shares(first.value)
    assert again.value == first.value
    assert again.adjustments == ()


# --- arbitrary junk ------------------------------------------------------------------------------


def as_json_text(value: object) -> str:
    try:
        return json.dumps(value, default=repr)
    except ValueError:  # NaN is fine for json.dumps; ints past the int->str limit are not
        return "[]"


scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.sampled_from([10**400, 2**63, -1, 0]),
    st.just(5000).map(lambda digits: -(10**digits)),  # past int->str limits
    st.floats(allow_nan=True, allow_infinity=True),
    st.decimals(allow_nan=True, allow_infinity=True),
    st.fractions(),
    st.text(),
    st.text(alphabet="0123456789.,%- ", max_size=12),
    st.sampled_from(
        ["female", "women", "male", "nonBinary", "n/a", "55%", "50,5 %", "DE", "Germany", "de-DE", "[", "{", "nan"]
    ),
    st.binary(max_size=8),
    st.just(object()),
    st.complex_numbers(allow_nan=True),
)
junk = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=5),
        st.tuples(children, children),
        st.dictionaries(st.text(max_size=10), children, max_size=5),
        st.dictionaries(st.sampled_from([a for v in ALIASES.values() for a in v]), children, max_size=5),
        st.sets(st.integers(), max_size=3),
        children.map(as_json_text),
    ),
    max_leaves=12,
)


def ends_in_value_or_normalization_error(fn: Callable[[], Any]) -> Any:
    try:
        return fn()
    except NormalizationError as err:
        assert err.field
        assert str(err) == err.message
        assert err.message.strip()
        return None


@slow_ok
@given(junk)
def test_any_input_ends_in_a_value_or_a_normalization_error(raw: object) -> None:
    gender = ends_in_value_or_normalization_error(lambda: normalize_gender_shares(raw))
    if gender is not None:
        check_api_valid(gender.value)
    for field in ("interests", "needs", "pain_points"):
        ends_in_value_or_normalization_error(lambda f=field: normalize_text_list(raw, f))
    ends_in_value_or_normalization_error(lambda: apply_list_edits(["SEO"], raw, raw, "interests"))
    ends_in_value_or_normalization_error(lambda: apply_list_edits(raw, ["x1"], None, "needs"))  # type: ignore[arg-type]
    country = ends_in_value_or_normalization_error(lambda: normalize_country(raw))
    if country is not None and country.value is not None:
        assert len(country.value) == 2 and country.value.isupper()
    language = ends_in_value_or_normalization_error(lambda: normalize_language(raw))
    if language is not None and language.value is not None:
        assert len(language.value) == 2 and language.value.islower()
    age = ends_in_value_or_normalization_error(lambda: normalize_age(raw, "min_age"))
    if age is not None:
        assert type(age.value) is int and 0 <= age.value <= 120
    ends_in_value_or_normalization_error(lambda: normalize_name(raw))
    ends_in_value_or_normalization_error(lambda: normalize_residence(raw))


@given(st.integers(-5, 130), st.integers(-5, 130))
def test_age_range_check_rejects_exactly_the_reversed_ranges(low: int, high: int) -> None:
    try:
        check_age_range(low, high)
    except NormalizationError as err:
        assert low > high and err.field == "min_age"
    else:
        assert low <= high


# --- idempotence ---------------------------------------------------------------------------------

list_items = st.one_of(
    st.text(max_size=30),
    st.text(alphabet=" \t\nabcABC,;é", max_size=15),
    st.integers(-1000, 1000),
    st.floats(allow_nan=False, allow_infinity=False),
)


@given(st.one_of(st.lists(list_items, max_size=20), st.text(max_size=80)))
def test_normalizing_a_list_output_again_changes_nothing(raw: object) -> None:
    try:
        first = normalize_text_list(raw, "interests")
    except NormalizationError:
        return
    assert all(item and item == " ".join(item.split()) and len(item) <= 200 for item in first.value)
    assert len({item.casefold() for item in first.value}) == len(first.value)
    again = normalize_text_list(first.value, "interests")
    assert again.value == first.value
    assert again.adjustments == ()


@given(st.lists(st.text(min_size=1, max_size=10), max_size=10), st.lists(list_items, max_size=5))
def test_list_edits_keep_current_order_and_never_duplicate(current: list[str], add: list[object]) -> None:
    base = normalize_text_list(current, "needs").value
    try:
        result = apply_list_edits(base, add, None, "needs")
    except NormalizationError:
        return
    assert result.value[: len(base)] == base
    assert len({item.casefold() for item in result.value}) == len(result.value)


COUNTRY_NAMES = sorted(
    {str(getattr(c, a)) for c in pycountry.countries for a in ("name", "alpha_3", "alpha_2") if hasattr(c, a)}
)
LANGUAGE_NAMES = sorted(
    {
        str(getattr(lang, a))
        for lang in pycountry.languages
        if hasattr(lang, "alpha_2")
        for a in ("name", "alpha_3", "alpha_2")
    }
)


def messy(names: list[str]) -> st.SearchStrategy[str]:
    return st.builds(
        lambda name, upper, pad: (f" {name}  " if pad else name).upper() if upper else (f" {name} " if pad else name),
        st.sampled_from(names),
        st.booleans(),
        st.booleans(),
    )


@slow_ok
@given(st.one_of(messy(COUNTRY_NAMES), st.text(max_size=20)))
def test_normalizing_a_country_output_again_changes_nothing(raw: str) -> None:
    try:
        first = normalize_country(raw)
    except NormalizationError:
        return
    again = normalize_country(first.value)
    assert again.value == first.value
    assert again.adjustments == ()


@slow_ok
@given(st.one_of(messy(LANGUAGE_NAMES), st.text(max_size=20)))
def test_normalizing_a_language_output_again_changes_nothing(raw: str) -> None:
    try:
        first = normalize_language(raw)
    except NormalizationError:
        return
    again = normalize_language(first.value)
    assert again.value == first.value
    assert again.adjustments == ()


@given(st.text(max_size=120))
def test_name_output_is_a_fixed_point(raw: str) -> None:
    try:
        first = normalize_name(raw)
    except NormalizationError:
        return
    assert 3 <= len(first.value) <= 100
    assert normalize_name(first.value) == type(first)(first.value)


def test_unit_floats_are_what_json_writes() -> None:
    for units in (1, 7, 30, 333, 3333, 9999, 10_000):
        assert json.dumps(units / 10_000) == repr(units / 10_000)
        assert math.isclose(float(json.dumps(units / 10_000)), units / 10_000)
