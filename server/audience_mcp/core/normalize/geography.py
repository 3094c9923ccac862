"""Countries (ISO 3166-1 alpha-2, "DE") and languages (ISO 639-1, "de") from names in many languages.

The lookup tables come from pycountry (with its gettext translations) plus small hand-made alias
tables for what ISO does not cover ("UK", "Holland", "Farsi", autonyms such as "Deutsch"). They are
built on first use and cached, so server start-up does not pay for them.
"""

from __future__ import annotations

import difflib
import functools
import gettext
import re
from collections.abc import Callable, Iterable

from .adjusted import Adjusted, NormalizationError
from .geography_names import COUNTRY_ALIASES, LANGUAGE_ALIASES, LOCALES, REGIONS
from .text import collapse_whitespace, fold, shorten

COUNTRY_FIELD = "country"
LANGUAGE_FIELD = "native_language"


_LOCALE_TAG = re.compile(r"^([A-Za-z]{2,3})(?:[-_][A-Za-z0-9]{1,8})+(?:\.[\w-]+)?(?:@\w+)?$")
_PARENTHETICAL = re.compile(r"\s*\([^)]*\)")
_MAX_INPUT = 200  # nothing longer is a country or language name; also bounds difflib's work


class _Index:
    """Folded key -> code.

    Trusted sources (codes, the alias tables, English names) are added first and the first writer
    wins. Translations are weaker: they never override a trusted key, and a key two translations
    give to different countries (pycountry's catalogues have a few mistakes) is dropped entirely.
    """

    def __init__(self) -> None:
        self.codes: dict[str, str] = {}
        self.display: dict[str, str] = {}
        self._trusted: set[str] = set()
        self._ambiguous: set[str] = set()

    def add(self, code: str, name: object, *, trusted: bool = True) -> None:
        if not isinstance(name, str):
            return
        for variant in _variants(name):
            key = fold(variant)
            if key:
                for candidate in (key, key.replace(" ", "")):
                    self._put(candidate, code, trusted)

    def _put(self, key: str, code: str, trusted: bool) -> None:
        if key in self._trusted or key in self._ambiguous:
            return
        if trusted:
            self._trusted.add(key)
            self.codes.setdefault(key, code)
        elif self.codes.setdefault(key, code) != code:
            del self.codes[key]
            self._ambiguous.add(key)

    def lookup(self, text: str) -> str | None:
        key = fold(text)
        for candidate in (key, key.replace(" ", ""), key.removeprefix("the ")):
            code = self.codes.get(candidate)
            if code is not None:
                return code
        return None

    def suggestions(self, text: str) -> list[str]:
        key = fold(text)
        if not key or len(key) > 60:
            return []
        found: list[str] = []
        for match in difflib.get_close_matches(key, list(self.codes), n=20, cutoff=0.6):
            code = self.codes[match]
            label = f"{self.display.get(code, code)} ({code})"
            if label not in found:
                found.append(label)
            if len(found) == 3:
                break
        return found


def _variants(name: str) -> Iterable[str]:
    """A name, without parenthetical notes, and "Korea, Republic of" as "Republic of Korea"."""
    for part in name.split(";"):
        plain = collapse_whitespace(_PARENTHETICAL.sub("", part))
        for candidate in {part, plain}:
            yield candidate
            head, sep, tail = candidate.partition(", ")
            if sep and "," not in tail:
                yield f"{tail} {head}"


def _translators() -> list[Callable[[str], str]]:
    return [
        translation.gettext for translation in (_catalogue("iso3166-1", locale) for locale in LOCALES) if translation
    ]


def _catalogue(domain: str, locale: str) -> gettext.NullTranslations | None:
    import pycountry  # its tables load on first use, not at start-up

    try:
        return gettext.translation(domain, str(pycountry.LOCALES_DIR), languages=[locale])
    except OSError:  # a pycountry build without that catalogue: skip it, the others still work
        return None


def _attr(record: object, name: str) -> str | None:
    value = getattr(record, name, None)
    return str(value) if value is not None else None


@functools.cache
def _country_index() -> _Index:
    import pycountry  # its tables load on first use, not at start-up

    index = _Index()
    countries = [
        (str(c.alpha_2), _attr(c, "alpha_3"), _attr(c, "name"), _attr(c, "official_name"), _attr(c, "common_name"))
        for c in pycountry.countries
    ]
    for alpha_2, alpha_3, name, _official, common in countries:
        index.display[alpha_2] = common or name or alpha_2
        index.add(alpha_2, alpha_2)
        if alpha_3:
            index.add(alpha_2, alpha_3)
    for code, aliases in COUNTRY_ALIASES.items():
        for alias in aliases:
            index.add(code, alias)
    for alpha_2, _alpha_3, name, official, common in countries:
        for english in (common, name, official):
            index.add(alpha_2, english)
    translators = _translators()
    for alpha_2, _alpha_3, name, official, common in countries:
        for translate in translators:
            for english in (common, name, official):
                if english:
                    index.add(alpha_2, translate(english), trusted=False)
    return index


@functools.cache
def _language_index() -> _Index:
    import pycountry  # its tables load on first use, not at start-up

    index = _Index()
    languages = [
        (
            str(lang.alpha_2),
            _attr(lang, "alpha_3"),
            _attr(lang, "bibliographic"),
            _attr(lang, "name"),
            _attr(lang, "common_name"),
            _attr(lang, "inverted_name"),
        )
        for lang in pycountry.languages
        if getattr(lang, "alpha_2", None)
    ]
    for alpha_2, alpha_3, bibliographic, name, common, _inverted in languages:
        index.display[alpha_2] = common or name or alpha_2
        for code in (alpha_2, alpha_3, bibliographic):
            index.add(alpha_2, code)
    for code, aliases in LANGUAGE_ALIASES.items():
        for alias in aliases:
            index.add(code, alias)
    for alpha_2, _a3, _b, name, common, inverted in languages:
        for english in (name, common, inverted):
            index.add(alpha_2, english)
    catalogues = [c for c in (_catalogue("iso639-3", locale) for locale in LOCALES) if c]
    for alpha_2, _a3, _b, name, common, _inverted in languages:
        for catalogue in catalogues:
            for english in (name, common):
                if english:
                    index.add(alpha_2, catalogue.gettext(english), trusted=False)
    # The first word of an inverted name ("Greek, Modern", "Frisian, Western") last of all.
    for alpha_2, _a3, _b, _name, _common, inverted in languages:
        if inverted:
            index.add(alpha_2, inverted.split(",")[0], trusted=False)
    return index


@functools.cache
def _languages_without_iso1() -> dict[str, tuple[str, str]]:
    import pycountry  # its tables load on first use, not at start-up

    """Folded code or name -> (ISO 639-3 code, name) for languages that have no two-letter code."""
    found: dict[str, tuple[str, str]] = {}
    for lang in pycountry.languages:
        if getattr(lang, "alpha_2", None):
            continue
        alpha_3, name = str(lang.alpha_3), str(lang.name)
        for label in (alpha_3, name, _attr(lang, "inverted_name")):
            if label:
                found.setdefault(fold(label), (alpha_3, name))
    return found


def _checked_text(raw: object, field: str, example: str) -> str | None:
    if raw is None:
        return None
    if not isinstance(raw, str):
        raise NormalizationError(field, f"{field}: expected a string such as '{example}', got {type(raw).__name__}.")
    text = collapse_whitespace(raw)
    if len(text) > _MAX_INPUT:
        raise NormalizationError(
            field, f"{field}: {len(text)} characters is too long for a name; send a code such as '{example}'."
        )
    return text or None


def _changed(field: str, raw: object, text: str, code: str) -> tuple[str, ...]:
    """The adjustment for reading ``raw`` (collapsed to ``text``) as ``code``; none if it was the code."""
    if raw == code:
        return ()
    if text == code:
        return (f"{field}: trimmed whitespace.",)
    return (f"{field}: '{shorten(text)}' -> '{code}'.",)


def _without_parenthetical(index: _Index, text: str) -> str | None:
    """The code of the name before a note in parentheses ("Deutschland (DE)"), if that name is known."""
    plain = collapse_whitespace(_PARENTHETICAL.sub("", text))
    return index.lookup(plain) if plain and plain != text else None


def normalize_country(raw: object) -> Adjusted[str | None]:
    """A country name or code in many languages -> ISO 3166-1 alpha-2 ("DE"); None/"" -> None."""
    text = _checked_text(raw, COUNTRY_FIELD, "DE")
    if text is None:
        return Adjusted(None)
    index = _country_index()
    code = index.lookup(text)
    if code is not None:
        return Adjusted(code, _changed(COUNTRY_FIELD, raw, text, code))
    region = REGIONS.get(fold(text))
    if region is not None:
        names = ", ".join(f"{index.display.get(code, code)} ({code})" for code in region)
        raise NormalizationError(
            COUNTRY_FIELD,
            f"{COUNTRY_FIELD}: '{shorten(text)}' is a region ({names}), and an audience has one country. "
            f"Ask the user which one (e.g. '{region[0]}'); the region can go into residence.",
        )
    tag = _LOCALE_TAG.match(text)
    parts = re.split(r"[-_]", text.split(".")[0].split("@")[0]) if tag is not None else []
    if len(parts) >= 2 and len(parts[-1]) == 2 and parts[-1].isalpha():
        code = index.codes.get(parts[-1].lower())
        if code is not None:
            return Adjusted(code, (f"{COUNTRY_FIELD}: '{shorten(text)}' is a locale; used its region part '{code}'.",))
    code = _without_parenthetical(index, text)
    if code is not None:
        return Adjusted(code, _changed(COUNTRY_FIELD, raw, text, code))
    suggestions = index.suggestions(text)
    did_you_mean = f" Did you mean: {', '.join(suggestions)}?" if suggestions else ""
    raise NormalizationError(
        COUNTRY_FIELD,
        f"{COUNTRY_FIELD}: '{shorten(text)}' is not a country I know.{did_you_mean} "
        "Send an ISO 3166-1 alpha-2 code such as 'DE', 'US' or 'GB'.",
    )


def normalize_language(raw: object) -> Adjusted[str | None]:
    """A language name, autonym, code or locale tag -> ISO 639-1 ("de"); None/"" -> None."""
    text = _checked_text(raw, LANGUAGE_FIELD, "de")
    if text is None:
        return Adjusted(None)
    index = _language_index()
    code = index.lookup(text)
    if code is not None:
        return Adjusted(code, _changed(LANGUAGE_FIELD, raw, text, code))
    tag = _LOCALE_TAG.match(text)
    if tag is not None:
        code = index.codes.get(tag.group(1).lower())
        if code is not None:
            return Adjusted(
                code,
                (f"{LANGUAGE_FIELD}: '{shorten(text)}' is a locale; used its language part '{code}'.",),
            )
    code = _without_parenthetical(index, text)
    if code is not None:
        # "Deutsch (Österreich)": a language with a region note; the API keeps only the language.
        return Adjusted(
            code, (f"{LANGUAGE_FIELD}: '{shorten(text)}' -> '{code}' (the part in parentheses is not kept).",)
        )
    other = _languages_without_iso1().get(fold(text))
    if other is not None:
        alpha_3, name = other
        raise NormalizationError(
            LANGUAGE_FIELD,
            f"{LANGUAGE_FIELD}: {name} ({alpha_3}) has no two-letter ISO 639-1 code, which the API "
            "requires; send the ISO 639-1 code of the closest language, e.g. 'zh' for Chinese "
            "or 'de' for German.",
        )
    suggestions = index.suggestions(text)
    did_you_mean = f" Did you mean: {', '.join(suggestions)}?" if suggestions else ""
    raise NormalizationError(
        LANGUAGE_FIELD,
        f"{LANGUAGE_FIELD}: '{shorten(text)}' is not a language I know.{did_you_mean} "
        "Send an ISO 639-1 code such as 'de', 'en' or 'fr'.",
    )
