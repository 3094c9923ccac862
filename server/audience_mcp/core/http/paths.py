"""Safe URL path segments: the one check every id passes before it becomes part of a path.

Ids come from a model's arguments. Percent-encoding keeps `/` and `?` out of a path, but not
`.` or `..`: URL layers (httpx2, proxies, the API's router) collapse them as dot segments, so
`audience_id=".."` turned `PUT .../workspaces/{ws}/target-audiences/../usage` into
`PUT .../workspaces/{ws}/usage`, and a delete of `..` into a delete of the workspace. Every
value is therefore refused here, before anything is sent, when it is empty, a dot segment,
holds a separator or a control character, or is longer than any real id.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

from audience_mcp.core.http.errors import UnsendableRequestError

# Real ids are UUIDs or 40-character hashes; a few hundred characters is far beyond any of them.
MAX_SEGMENT_LENGTH = 200
# What nearly every real id is made of: none of these characters is a dot, a separator or a control
# character, and percent-encoding leaves each as it is. Such a value skips the character-by-character
# checks below (run on every request of every tool call).
_PLAIN_ID = re.compile(rf"[A-Za-z0-9_-]{{1,{MAX_SEGMENT_LENGTH}}}")


class UnsafePathSegmentError(UnsendableRequestError):
    """A value cannot be a path segment (`..`, `/`, a control character, ...); nothing was sent."""


def _reason(value: str) -> str | None:
    if not value.strip():
        return "it is empty"
    if value in (".", "..") or not value.strip("."):
        return "it is made of dots only, which a URL reads as 'this' or 'the parent' path"
    if "/" in value or "\\" in value:
        return "it contains a slash"
    if len(value) > MAX_SEGMENT_LENGTH:
        return f"it is {len(value)} characters long (an id has at most {MAX_SEGMENT_LENGTH})"
    for char in value:
        if 0xD800 <= ord(char) <= 0xDFFF:
            return f"it has a lone surrogate (\\u{ord(char):04x}), which is not valid Unicode"
        if unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp"):
            return f"it contains the control character U+{ord(char):04X}"
    return None


def _shown(value: str) -> str:
    clipped = value if len(value) <= 40 else value[:40] + "..."
    return ascii(clipped)  # escapes control and invisible characters, so the text shows what was sent


def path_segment(value: str, *, what: str = "id") -> str:
    """`value` percent-encoded as one path segment, or UnsafePathSegmentError.

    `what` names the value in the message ("audience_id", "workspace_id").
    """
    if _PLAIN_ID.fullmatch(value):
        return value
    reason = _reason(value)
    if reason is not None:
        raise UnsafePathSegmentError(
            f"{what} {_shown(value)} is not a valid id: {reason}; nothing was sent. "
            "Use an id exactly as a list tool returned it."
        )
    return quote(value, safe="")


def check_path(path: str) -> None:
    """Refuse a built path that a URL layer would rewrite (a dot or empty segment).

    The requester's last line of defence: a client that forgot `path_segment` still cannot
    send `..` or `//`.
    """
    segments = path.split("?", 1)[0].split("/")[1:]
    for segment in segments:
        if segment in ("", ".", "..") or segment.lower() in ("%2e", "%2e%2e", ".%2e", "%2e."):
            raise UnsafePathSegmentError(
                f"The request path {_shown(path)} has an empty or dot segment; nothing was sent. "
                "Use ids exactly as a list tool returned them."
            )
