"""Countries -> ISO 3166-1 alpha-2 and languages -> ISO 639-1."""

import subprocess
import sys
import time

import pycountry
import pytest

from audience_mcp.core.normalize import NormalizationError, geography, normalize_country, normalize_language

# --- countries ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("de", "DE"),
        ("De", "DE"),
        ("DEU", "DE"),
        ("deu", "DE"),
        ("Germany", "DE"),
        ("GERMANY", "DE"),
        ("Federal Republic of Germany", "DE"),
        ("Deutschland", "DE"),
        ("Allemagne", "DE"),
        ("Alemania", "DE"),
        ("Germania", "DE"),
        ("Duitsland", "DE"),
        ("Alemanha", "DE"),
        ("Niemcy", "DE"),
        ("Österreich", "AT"),
        ("Oesterreich", "AT"),
        ("osterreich", "AT"),
        ("Schweiz", "CH"),
        ("Suisse", "CH"),
        ("Frankreich", "FR"),
        ("España", "ES"),
        ("espana", "ES"),
        ("Brasil", "BR"),
        ("Polska", "PL"),
        ("Côte d'Ivoire", "CI"),
        ("cote d ivoire", "CI"),
        ("South Korea", "KR"),
        ("Korea, Republic of", "KR"),
        ("Republic of Korea", "KR"),
        ("Bolivia", "BO"),
        ("Iran", "IR"),
        ("  united   states  ", "US"),
    ],
)
def test_codes_and_names_in_many_languages_become_alpha_2(raw: str, code: str) -> None:
    result = normalize_country(raw)
    assert result.value == code
    assert result.adjustments == (f"country: '{' '.join(raw.split())}' -> '{code}'.",)


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("uk", "GB"),
        ("UK", "GB"),
        ("U.K.", "GB"),
        ("Great Britain", "GB"),
        ("Britain", "GB"),
        ("England", "GB"),
        ("Scotland", "GB"),
        ("Wales", "GB"),
        ("Northern Ireland", "GB"),
        ("Großbritannien", "GB"),
        ("usa", "US"),
        ("USA", "US"),
        ("U.S.A.", "US"),
        ("us", "US"),
        ("America", "US"),
        ("United States of America", "US"),
        ("Holland", "NL"),
        ("the Netherlands", "NL"),
        ("Korea", "KR"),
        ("north korea", "KP"),
        ("Russia", "RU"),
        ("Russland", "RU"),
        ("Czechia", "CZ"),
        ("Czech Republic", "CZ"),
        ("Tschechien", "CZ"),
        ("Türkei", "TR"),
        ("Turkey", "TR"),
        ("Turkiye", "TR"),
        ("UAE", "AE"),
        ("Vietnam", "VN"),
        ("Viet Nam", "VN"),
        ("Ivory Coast", "CI"),
        ("Burma", "MM"),
    ],
)
def test_the_alias_table_covers_what_iso_does_not(raw: str, code: str) -> None:
    assert normalize_country(raw).value == code


def test_a_canonical_code_needs_no_adjustment() -> None:
    assert normalize_country("DE").adjustments == ()


def test_a_padded_code_is_only_trimmed() -> None:
    assert normalize_country(" DE ").adjustments == ("country: trimmed whitespace.",)
    assert normalize_language(" de\n").adjustments == ("native_language: trimmed whitespace.",)


@pytest.mark.parametrize("raw", [None, "", "   "])
def test_no_country_is_none_without_adjustment(raw: object) -> None:
    assert normalize_country(raw).value is None
    assert normalize_country(raw).adjustments == ()


def test_every_iso_country_resolves_from_its_code_and_english_names() -> None:
    for country in pycountry.countries:
        code = str(country.alpha_2)
        assert normalize_country(code).value == code
        assert normalize_country(str(country.alpha_3)).value == code
        for attr in ("name", "official_name", "common_name"):
            name = getattr(country, attr, None)
            if name is not None:
                assert normalize_country(str(name)).value == code, (attr, name)


def test_an_unknown_country_suggests_close_matches_and_asks_for_a_code() -> None:
    with pytest.raises(NormalizationError) as info:
        normalize_country("Germny")
    err = info.value
    assert err.field == "country"
    assert "Did you mean: Germany (DE)" in err.message
    assert err.message.count("(") <= 4  # at most 3 suggestions
    assert "ISO 3166-1 alpha-2" in err.message


@pytest.mark.parametrize("raw", ["Atlantis", "Europe", "xx", "x" * 250, "🙂"])
def test_unknown_countries_are_rejected(raw: str) -> None:
    with pytest.raises(NormalizationError) as info:
        normalize_country(raw)
    assert "ISO 3166-1 alpha-2" in info.value.message or "too long" in info.value.message


@pytest.mark.parametrize("raw", [276, 1.5, True, ["DE"], {"code": "DE"}, b"DE"])
def test_a_non_string_country_is_rejected(raw: object) -> None:
    with pytest.raises(NormalizationError) as info:
        normalize_country(raw)
    assert info.value.field == "country"


# --- languages ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("DE", "de"),
        ("En", "en"),
        ("deu", "de"),
        ("ger", "de"),
        ("eng", "en"),
        ("fra", "fr"),
        ("fre", "fr"),
        ("German", "de"),
        ("english", "en"),
        ("Deutsch", "de"),
        ("Allemand", "de"),
        ("Alemán", "de"),
        ("aleman", "de"),
        ("Tedesco", "de"),
        ("Duits", "de"),
        ("Alemão", "de"),
        ("niemiecki", "de"),
        ("Englisch", "en"),
        ("Französisch", "fr"),
        ("Spanisch", "es"),
        ("Español", "es"),
        ("Français", "fr"),
        ("Italiano", "it"),
        ("Português", "pt"),
        ("Nederlands", "nl"),
        ("Polski", "pl"),
        ("Türkçe", "tr"),
        ("日本語", "ja"),
        ("中文", "zh"),
        ("한국어", "ko"),
        ("Русский", "ru"),
        ("Svenska", "sv"),
        ("Dansk", "da"),
        ("Suomi", "fi"),
        ("Čeština", "cs"),
        ("Ελληνικά", "el"),
        ("Greek", "el"),
        ("Farsi", "fa"),
        ("Mandarin", "zh"),
        ("Norwegian", "no"),
        ("Hindi", "hi"),
    ],
)
def test_codes_names_and_autonyms_become_iso_639_1(raw: str, code: str) -> None:
    result = normalize_language(raw)
    assert result.value == code
    assert result.adjustments == (f"native_language: '{raw}' -> '{code}'.",)


@pytest.mark.parametrize(
    ("raw", "code"),
    [("de-DE", "de"), ("en_US", "en"), ("pt-BR", "pt"), ("zh-Hans-CN", "zh"), ("de_AT.UTF-8", "de")],
)
def test_locale_tags_use_their_language_part(raw: str, code: str) -> None:
    result = normalize_language(raw)
    assert result.value == code
    assert result.adjustments == (f"native_language: '{raw}' is a locale; used its language part '{code}'.",)


def test_a_canonical_language_code_needs_no_adjustment() -> None:
    assert normalize_language("de").adjustments == ()


@pytest.mark.parametrize("raw", [None, "", "  "])
def test_no_language_is_none_without_adjustment(raw: object) -> None:
    assert normalize_language(raw) == normalize_language(None)
    assert normalize_language(raw).value is None


def test_every_language_with_a_two_letter_code_resolves_from_its_codes_and_english_names() -> None:
    for language in pycountry.languages:
        code = getattr(language, "alpha_2", None)
        if code is None:
            continue
        assert normalize_language(str(code)).value == code
        assert normalize_language(str(language.alpha_3)).value == code
        bibliographic = getattr(language, "bibliographic", None)
        if bibliographic is not None:
            assert normalize_language(str(bibliographic)).value == code
        for attr in ("name", "common_name", "inverted_name"):
            name = getattr(language, attr, None)
            if name is not None:
                assert normalize_language(str(name)).value == code, (attr, name)


@pytest.mark.parametrize("raw", ["yue", "Klingon", "tlh", "Yue Chinese"])
def test_languages_without_a_two_letter_code_are_rejected_with_that_reason(raw: str) -> None:
    with pytest.raises(NormalizationError) as info:
        normalize_language(raw)
    assert info.value.field == "native_language"
    assert "no two-letter ISO 639-1 code" in info.value.message


def test_an_unknown_language_suggests_close_matches() -> None:
    with pytest.raises(NormalizationError) as info:
        normalize_language("Germn")
    assert "Did you mean: German (de)" in info.value.message
    assert "ISO 639-1" in info.value.message


@pytest.mark.parametrize("raw", [49, ["de"], False, {"lang": "de"}])
def test_a_non_string_language_is_rejected(raw: object) -> None:
    with pytest.raises(NormalizationError) as info:
        normalize_language(raw)
    assert info.value.field == "native_language"


# --- start-up cost ------------------------------------------------------------------------------


def test_importing_the_package_builds_no_lookup_index() -> None:
    code = (
        "import audience_mcp.core.normalize as n\n"
        "from audience_mcp.core.normalize import geography as g\n"
        "print(g._country_index.cache_info().currsize, g._language_index.cache_info().currsize)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=30)
    assert out.stdout.split() == ["0", "0"]


def test_the_first_lookup_builds_the_indexes_quickly() -> None:
    geography._country_index.cache_clear()
    geography._language_index.cache_clear()
    started = time.perf_counter()
    normalize_country("Deutschland")
    normalize_language("Deutsch")
    elapsed = time.perf_counter() - started
    print(f"first country + language lookup: {elapsed * 1000:.0f} ms")  # about 0.2 s on a laptop
    assert elapsed < 10  # generous: only catches a pathological regression, never flakes


def test_a_region_names_its_countries_and_asks_for_one() -> None:
    with pytest.raises(NormalizationError) as info:
        normalize_country("DACH")
    assert info.value.message == (
        "country: 'DACH' is a region (Germany (DE), Austria (AT), Switzerland (CH)), and an audience has one "
        "country. Ask the user which one (e.g. 'DE'); the region can go into residence."
    )


@pytest.mark.parametrize(("tag", "code"), [("de-DE", "DE"), ("en_US", "US"), ("de-AT", "AT")])
def test_a_locale_as_a_country_gives_its_region_part(tag: str, code: str) -> None:
    result = normalize_country(tag)
    assert result.value == code
    assert result.adjustments == (f"country: '{tag}' is a locale; used its region part '{code}'.",)


@pytest.mark.parametrize(
    ("name", "code"), [("Deutsch (Österreich)", "de"), ("German (Switzerland)", "de"), ("English (UK)", "en")]
)
def test_a_language_with_a_region_in_parentheses_is_the_language(name: str, code: str) -> None:
    result = normalize_language(name)
    assert result.value == code
    assert result.adjustments == (f"native_language: '{name}' -> '{code}' (the part in parentheses is not kept).",)
