"""The URL import ("bootstrap a profile from a website"), emulated without any network access.

The real service reads the pages and asks a model; its response schema is unconfirmed. The
guide only says the result is a prepared profile, not a saved audience, whose fields can be
passed straight to the create endpoint. So the sandbox answers with exactly the create body's
fields (no ``id``, no server fields) and derives them deterministically from the URLs: the
normalized URLs are hashed (order-insensitive) and the hash picks from fixed word pools.

* ``name``: "Visitors of <host of the first URL>" (plus "and N more sites").
* ``country``/``nativeLanguage``/``residence``: from the first URL's top-level domain where
  it obviously names a country (``.de`` -> DE/de, ``.co.uk`` -> GB/en, ...), else US/en.
* ``genderDistribution``: whole percents summing to exactly 100, written as two-decimal
  fractions (``0.45``), so the profile passes the create endpoint's exact-sum check even
  after a client parses the numbers as floats and sends them back.
* ``shared`` is ``false``.
"""

from __future__ import annotations

import hashlib
from decimal import Decimal
from urllib.parse import urlsplit

from audience_mcp.core.sandboxkit.jsonio import JsonObject, JsonValue
from audience_mcp.platforms.neuroflash.sandbox.validation import GENDER_KEYS, NAME_MAX, truncate_utf16

_LOCALES: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "de": ("DE", "de", ("Berlin", "Hamburg", "Munich", "Cologne", "Frankfurt")),
    "at": ("AT", "de", ("Vienna", "Graz", "Salzburg", "Linz")),
    "ch": ("CH", "de", ("Zurich", "Basel", "Bern", "Lucerne")),
    "fr": ("FR", "fr", ("Paris", "Lyon", "Marseille", "Toulouse")),
    "es": ("ES", "es", ("Madrid", "Barcelona", "Valencia", "Seville")),
    "it": ("IT", "it", ("Rome", "Milan", "Turin", "Naples")),
    "nl": ("NL", "nl", ("Amsterdam", "Rotterdam", "Utrecht", "The Hague")),
    "uk": ("GB", "en", ("London", "Manchester", "Birmingham", "Leeds")),
    "pl": ("PL", "pl", ("Warsaw", "Krakow", "Wroclaw", "Gdansk")),
    "pt": ("PT", "pt", ("Lisbon", "Porto", "Braga")),
    "br": ("BR", "pt", ("Sao Paulo", "Rio de Janeiro", "Belo Horizonte")),
    "se": ("SE", "sv", ("Stockholm", "Gothenburg", "Malmo")),
    "dk": ("DK", "da", ("Copenhagen", "Aarhus", "Odense")),
}
_DEFAULT_LOCALE = ("US", "en", ("New York", "Los Angeles", "Chicago", "Austin", "Seattle"))

_INTERESTS = (
    "digital marketing",
    "e-commerce",
    "productivity tools",
    "sustainability",
    "travel",
    "fitness",
    "personal finance",
    "home improvement",
    "gaming",
    "fashion",
    "food and cooking",
    "technology news",
    "continuing education",
    "photography",
    "social media",
)
_NEEDS = (
    "save time on routine tasks",
    "trustworthy product information",
    "good value for money",
    "fast and reliable delivery",
    "personal advice",
    "easy comparison of options",
    "flexible payment options",
    "inspiration for new ideas",
    "a simple onboarding",
    "responsive customer support",
    "secure handling of data",
    "practical how-to guides",
)
_PAIN_POINTS = (
    "too many options to choose from",
    "hidden costs",
    "slow customer service",
    "complicated checkout",
    "unclear product descriptions",
    "lack of time",
    "information overload",
    "poor mobile experience",
    "limited budget",
    "distrust of advertising",
    "long delivery times",
    "fragmented tools",
)
_MIN_AGES = (18, 20, 25, 30, 35, 40)
_AGE_SPANS = (15, 20, 25, 30)


def normalize_url(url: str) -> str:
    """Lower-case scheme and host, drop ``www.``, default ports, fragment and trailing slash."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower().rstrip(".")
    host = host.removeprefix("www.")
    port = parts.port
    netloc = host if port is None or (scheme, port) in (("http", 80), ("https", 443)) else f"{host}:{port}"
    path = parts.path.rstrip("/")
    query = f"?{parts.query}" if parts.query else ""
    return f"{scheme}://{netloc}{path}{query}"


def _host(normalized: str) -> str:
    return urlsplit(normalized).hostname or normalized


class _Picker:
    """Deterministic choices from a seed: an endless SHA-256 stream."""

    def __init__(self, seed: bytes) -> None:
        self._seed = seed
        self._counter = 0

    def below(self, n: int) -> int:
        self._counter += 1
        block = hashlib.sha256(self._seed + self._counter.to_bytes(8, "big")).digest()
        return int.from_bytes(block[:8], "big") % n

    def choice(self, pool: tuple[str, ...] | tuple[int, ...]) -> str | int:
        return pool[self.below(len(pool))]

    def sample(self, pool: tuple[str, ...], k: int) -> list[str]:
        remaining = list(pool)
        picked: list[str] = []
        for _ in range(min(k, len(remaining))):
            picked.append(remaining.pop(self.below(len(remaining))))
        return picked


def _percent(value: int) -> Decimal:
    return Decimal(value).scaleb(-2)


def prepared_profile(urls: list[str]) -> JsonObject:
    """The profile for these (already validated) URLs; same URLs, same profile."""
    normalized = [normalize_url(url) for url in urls]
    distinct = sorted(set(normalized))
    picker = _Picker(hashlib.sha256("\n".join(distinct).encode("utf-8")).digest())

    first_host = _host(normalized[0])
    hosts = {_host(url) for url in normalized}
    name = f"Visitors of {first_host}"
    if len(hosts) > 1:
        name += f" and {len(hosts) - 1} more site{'s' if len(hosts) > 2 else ''}"
    name = truncate_utf16(name, NAME_MAX)

    tld = first_host.rsplit(".", 1)[-1]
    country, language, cities = _LOCALES.get(tld, _DEFAULT_LOCALE)

    min_age = int(picker.choice(_MIN_AGES))
    max_age = min_age + int(picker.choice(_AGE_SPANS))
    female = 35 + picker.below(26)
    non_binary = 1 + picker.below(4)
    prefer_not = 1 + picker.below(4)
    male = 100 - female - non_binary - prefer_not
    percents = (female, male, non_binary, prefer_not)
    gender: dict[str, JsonValue] = {key: _percent(p) for key, p in zip(GENDER_KEYS, percents, strict=True)}
    interests: list[JsonValue] = list(picker.sample(_INTERESTS, 3 + picker.below(3)))
    needs: list[JsonValue] = list(picker.sample(_NEEDS, 3))
    pain_points: list[JsonValue] = list(picker.sample(_PAIN_POINTS, 3))
    return {
        "name": name,
        "minAge": min_age,
        "maxAge": max_age,
        "residence": str(picker.choice(cities)),
        "genderDistribution": gender,
        "interests": interests,
        "needs": needs,
        "painPoints": pain_points,
        "country": country,
        "nativeLanguage": language,
        "shared": False,
    }
