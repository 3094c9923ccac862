"""Request validation, as strict as the documentation says the real API is.

Choices where the documents are silent, modelled on a Spring/Jackson/Bean-Validation backend:

* Every failing field is reported at once, with dotted or indexed names
  (``genderDistribution.nonBinary``, ``interests[2]``). A missing and a ``null`` required
  field both read "must not be null".
* Integers must be JSON integers: ``25.0``, ``true`` and ``"25"`` are refused for ages.
  Gender shares must be JSON numbers in [0, 1] and their literals must sum to exactly 1 as
  decimals (see :mod:`.jsonio`), so ``0.3333 * 3 + 0`` fails and ``0.33 * 3 + 0.01`` passes.
* Lengths are counted in UTF-16 code units, like ``String.length()`` in Java.
* Unknown keys inside ``genderDistribution`` are refused: the sum rule is defined over the
  four documented keys, and silently dropping a share would hide a client bug.
* Server-owned fields (:data:`SERVER_OWNED_FIELDS`) in a create or update body are ignored.
  Any other unknown top-level field is kept, stored and echoed back verbatim. This is the
  emulator's stand-in for a newer schema version (the published "version B" adds
  ``additionalInformation``): it lets client code prove that a fetch-then-PUT round-trips
  fields it does not know.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import urlsplit

from audience_mcp.core.http.wire import decimal_of
from audience_mcp.core.sandboxkit.jsonio import JsonObject, JsonValue, loads
from audience_mcp.platforms.neuroflash.sandbox.errors import FieldError, ValidationFailed

NAME_MIN = 3
NAME_MAX = 100
AGE_MIN = 0
# neuroflash's public API docs give minAge/maxAge as plain integers with no documented bound;
# 150 is the sandbox's stand-in for the server's limit, looser than the tools' 120 on purpose.
AGE_MAX = 150
MAX_PAGE_SIZE = 200
DEFAULT_PAGE_SIZE = 20
MAX_IMAGE_BYTES = 5 * 1024 * 1024
MAX_IMPORT_URLS = 10
IMAGE_CONTENT_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})
# The sandbox stands in for the real API and must not import the client or the tools, so it
# keeps its own copies of these two; tests/platforms/neuroflash/sandbox/test_shared_rules.py proves they are equal.
GENDER_KEYS = ("female", "male", "nonBinary", "preferNotToSay")
STRING_LIST_FIELDS = ("interests", "needs", "painPoints")
OPTIONAL_STRING_FIELDS = ("country", "nativeLanguage")
SERVER_OWNED_FIELDS = frozenset(
    {
        "id",
        "createdAt",
        "updatedAt",
        "viewedAt",
        "createdByUserId",
        "ownerCustomerId",
        "workspaceId",
        "_embedded",
        "permissions",
        "newPermissions",
    }
)
NOT_NULL = "must not be null"


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def truncate_utf16(text: str, limit: int) -> str:
    """Cut ``text`` to at most ``limit`` UTF-16 code units without splitting a character."""
    out: list[str] = []
    used = 0
    for char in text:
        width = 2 if ord(char) > 0xFFFF else 1
        if used + width > limit:
            break
        out.append(char)
        used += width
    return "".join(out)


def parse_json_object(raw: bytes, *, allow_empty: bool = False) -> JsonObject:
    """The request body as a JSON object, or a 400 on field ``body``."""
    if not raw.strip():
        if allow_empty:
            return {}
        raise ValidationFailed([FieldError("body", "request body is required")])
    try:
        value = loads(raw)
    except (ValueError, RecursionError):
        raise ValidationFailed([FieldError("body", "malformed JSON")]) from None
    if not isinstance(value, dict):
        raise ValidationFailed([FieldError("body", "must be a JSON object")])
    return value


def check_name(value: JsonValue, field: str, errors: list[FieldError]) -> None:
    if value is None:
        errors.append(FieldError(field, NOT_NULL))
    elif not isinstance(value, str):
        errors.append(FieldError(field, "must be a string"))
    elif not NAME_MIN <= utf16_length(value) <= NAME_MAX:
        errors.append(FieldError(field, f"must be between {NAME_MIN} and {NAME_MAX} characters"))
    elif not value.strip():
        errors.append(FieldError(field, "must not be blank"))


def _check_age(body: JsonObject, field: str, errors: list[FieldError]) -> int | None:
    value = body.get(field)
    if value is None:
        errors.append(FieldError(field, NOT_NULL))
    elif not isinstance(value, int) or isinstance(value, bool):
        errors.append(FieldError(field, "must be an integer"))
    elif not AGE_MIN <= value <= AGE_MAX:
        errors.append(FieldError(field, f"must be between {AGE_MIN} and {AGE_MAX}"))
    else:
        return value
    return None


def _check_gender(value: JsonValue, errors: list[FieldError]) -> None:
    if value is None:
        errors.append(FieldError("genderDistribution", NOT_NULL))
        return
    if not isinstance(value, dict):
        errors.append(FieldError("genderDistribution", "must be an object"))
        return
    shares: list[Decimal] = []
    for key in GENDER_KEYS:
        field = f"genderDistribution.{key}"
        share = value.get(key)
        if share is None:
            errors.append(FieldError(field, NOT_NULL))
        elif not isinstance(share, int | Decimal | float) or isinstance(share, bool):
            errors.append(FieldError(field, "must be a number"))
        else:
            # A float only arrives here from Python callers; decimal_of keeps its shortest literal.
            decimal = share if isinstance(share, Decimal) else decimal_of(share)
            if not Decimal(0) <= decimal <= Decimal(1):
                errors.append(FieldError(field, "must be between 0 and 1"))
            else:
                shares.append(decimal)
    for key in value:
        if key not in GENDER_KEYS:
            errors.append(FieldError(f"genderDistribution.{key}", "is not a known gender key"))
    if len(shares) == len(GENDER_KEYS):
        total = sum(shares, Decimal(0))
        if total != 1:
            errors.append(FieldError("genderDistribution", f"values must sum to exactly 1.0 (sum is {total})"))


def _check_string_list(body: JsonObject, field: str, errors: list[FieldError]) -> None:
    value = body.get(field)
    if value is None:
        errors.append(FieldError(field, NOT_NULL))
    elif not isinstance(value, list):
        errors.append(FieldError(field, "must be an array of strings"))
    else:
        for index, item in enumerate(value):
            if not isinstance(item, str):
                errors.append(FieldError(f"{field}[{index}]", "must be a string"))


def validate_profile(body: JsonObject) -> JsonObject:
    """Validate a create/PUT body; return what is stored (server-owned fields removed)."""
    errors: list[FieldError] = []
    check_name(body.get("name"), "name", errors)
    min_age = _check_age(body, "minAge", errors)
    max_age = _check_age(body, "maxAge", errors)
    if min_age is not None and max_age is not None and min_age > max_age:
        errors.append(FieldError("minAge", "must be less than or equal to maxAge"))
    residence = body.get("residence")
    if residence is None:
        errors.append(FieldError("residence", NOT_NULL))
    elif not isinstance(residence, str):
        errors.append(FieldError("residence", "must be a string"))
    elif not residence.strip():
        errors.append(FieldError("residence", "must not be blank"))
    _check_gender(body.get("genderDistribution"), errors)
    for field in STRING_LIST_FIELDS:
        _check_string_list(body, field, errors)
    shared = body.get("shared")
    if shared is None:
        errors.append(FieldError("shared", NOT_NULL))
    elif not isinstance(shared, bool):
        errors.append(FieldError("shared", "must be a boolean"))
    for field in OPTIONAL_STRING_FIELDS:
        value = body.get(field)
        if value is not None and not isinstance(value, str):
            errors.append(FieldError(field, "must be a string or null"))
    if errors:
        raise ValidationFailed(errors)
    stored = {key: value for key, value in body.items() if key not in SERVER_OWNED_FIELDS}
    for field in OPTIONAL_STRING_FIELDS:
        stored.setdefault(field, None)
    return stored


def validate_new_name(body: JsonObject) -> str | None:
    """The optional ``newName`` of a duplication request."""
    value = body.get("newName")
    if value is None:
        return None
    errors: list[FieldError] = []
    check_name(value, "newName", errors)
    if errors:
        raise ValidationFailed(errors)
    assert isinstance(value, str)
    return value


@dataclass(frozen=True)
class ImageUpload:
    data: bytes
    content_type: str
    file_name: str


def validate_image(body: JsonObject) -> ImageUpload:
    errors: list[FieldError] = []
    fields: dict[str, str] = {}
    for field in ("base64", "contentType", "fileName"):
        value = body.get(field)
        if value is None:
            errors.append(FieldError(field, NOT_NULL))
        elif not isinstance(value, str):
            errors.append(FieldError(field, "must be a string"))
        elif not value.strip():
            errors.append(FieldError(field, "must not be blank"))
        else:
            fields[field] = value
    data = b""
    if "base64" in fields:
        try:
            data = base64.b64decode(fields["base64"], validate=True)
        except (binascii.Error, ValueError):
            errors.append(FieldError("base64", "is not valid base64"))
        else:
            if len(data) > MAX_IMAGE_BYTES:
                errors.append(FieldError("base64", "decoded image must not exceed 5 MB"))
    if "contentType" in fields and fields["contentType"] not in IMAGE_CONTENT_TYPES:
        allowed = ", ".join(sorted(IMAGE_CONTENT_TYPES))
        errors.append(FieldError("contentType", f"must be one of {allowed}"))
    file_name = fields.get("fileName")
    if file_name is not None and (
        "/" in file_name or "\\" in file_name or file_name in (".", "..") or len(file_name) > 255
    ):
        errors.append(FieldError("fileName", "must be a plain file name of at most 255 characters"))
    if errors:
        raise ValidationFailed(errors)
    return ImageUpload(data, fields["contentType"], fields["fileName"])


@dataclass(frozen=True)
class ListParams:
    page: int
    size: int
    search: str | None
    country: str | None
    native_language: str | None


_INT_RE = re.compile(r"^[+-]?\d{1,18}$")


def validate_list_params(query: Mapping[str, str]) -> ListParams:
    """1-based ``page`` (default 1); ``size`` default 20, clamped to 200; both must be >= 1."""
    errors: list[FieldError] = []
    numbers: dict[str, int] = {}
    for field, default in (("page", 1), ("size", DEFAULT_PAGE_SIZE)):
        raw = query.get(field)
        if raw is None:
            numbers[field] = default
        elif not _INT_RE.match(raw.strip()):
            errors.append(FieldError(field, "must be an integer"))
        elif int(raw) < 1:
            errors.append(FieldError(field, "must be greater than or equal to 1"))
        else:
            numbers[field] = int(raw)
    if errors:
        raise ValidationFailed(errors)

    def text(name: str) -> str | None:
        value = query.get(name)
        return value if value else None

    return ListParams(
        page=numbers["page"],
        size=min(numbers["size"], MAX_PAGE_SIZE),
        search=text("search"),
        country=text("country"),
        native_language=text("nativeLanguage"),
    )


def validate_url_import(body: JsonObject) -> tuple[str, list[str]]:
    """``audienceModelId`` (non-empty string) and ``urls`` (1..10 http(s) URLs with a host)."""
    errors: list[FieldError] = []
    model_id = body.get("audienceModelId")
    if model_id is None:
        errors.append(FieldError("audienceModelId", NOT_NULL))
    elif not isinstance(model_id, str):
        errors.append(FieldError("audienceModelId", "must be a string"))
    elif not model_id.strip():
        errors.append(FieldError("audienceModelId", "must not be blank"))
    urls = body.get("urls")
    clean: list[str] = []
    if urls is None:
        errors.append(FieldError("urls", NOT_NULL))
    elif not isinstance(urls, list):
        errors.append(FieldError("urls", "must be an array of URLs"))
    elif not urls:
        errors.append(FieldError("urls", "must not be empty"))
    elif len(urls) > MAX_IMPORT_URLS:
        errors.append(FieldError("urls", f"must contain at most {MAX_IMPORT_URLS} URLs"))
    else:
        for index, url in enumerate(urls):
            if not isinstance(url, str) or not _is_web_url(url):
                errors.append(FieldError(f"urls[{index}]", "must be an http(s) URL with a host"))
            else:
                clean.append(url)
    if errors:
        raise ValidationFailed(errors)
    assert isinstance(model_id, str)
    return model_id, clean


def _is_web_url(url: str) -> bool:
    try:
        parts = urlsplit(url.strip())
        _ = parts.port  # raises ValueError on a malformed port
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)
