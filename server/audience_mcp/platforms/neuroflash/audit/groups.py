"""Group keys: audiences that share a key belong to one duplicate group.

Keys are 16-byte BLAKE2 digests, so grouping is one dict lookup per audience (no pairwise
comparison) and only the digest, not the profile, is kept per audience.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from audience_mcp.core.audit.values import folded, number, text
from audience_mcp.platforms.neuroflash.models import SERVER_OWNED_FIELDS

# Not part of what an audience describes: server bookkeeping, the name, and who may see it
# (a private copy of a shared audience is as much a duplicate as any other copy).
IGNORED_FOR_PROFILE = SERVER_OWNED_FIELDS | {"name", "shared"}


def _digest(canonical: str) -> bytes:
    return hashlib.blake2b(canonical.encode("utf-8", "surrogatepass"), digest_size=16).digest()


def name_key(audience: Mapping[str, Any]) -> bytes | None:
    """Equal for names that differ only in case and whitespace; None without a name."""
    name = text(audience.get("name"))
    return None if name is None else _digest(folded(name))


def _canonical(value: object) -> str:
    """One text per meaning: strings folded, numbers by value, lists in any order, nulls dropped."""
    if isinstance(value, str):
        return json.dumps(folded(value))
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    exact = number(value)
    if exact is not None:
        return f"#{exact.normalize()}"
    if isinstance(value, list):
        return "[" + ",".join(sorted(_canonical(item) for item in value)) + "]"
    if isinstance(value, dict):
        fields = sorted(f"{json.dumps(str(k))}:{_canonical(v)}" for k, v in value.items() if v is not None)
        return "{" + ",".join(fields) + "}"
    return repr(value)


def profile_key(audience: Mapping[str, Any]) -> bytes:
    """Equal for audiences alike in everything but the name, ignoring case, whitespace and list order."""
    profile = {k: v for k, v in audience.items() if k not in IGNORED_FOR_PROFILE}
    return _digest(_canonical(profile))
