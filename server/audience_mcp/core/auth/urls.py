"""Where the server may take signing keys and issuer metadata from: https, or plain http to this
machine only (the rule of core/http/urls.py, for keys instead of credentials). Light on purpose:
settings validation imports it at start-up."""

from __future__ import annotations

from urllib.parse import urlsplit

from audience_mcp.core.http.urls import is_loopback


def key_url_problem(url: str) -> str | None:
    """Why keys or metadata must not be trusted from `url`, or None when they may."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
    except ValueError:
        return f"{url!r} is not a URL"
    if parts.scheme not in ("https", "http") or not host:
        return f"{url!r} is not an https URL"
    if parts.scheme == "http" and not is_loopback(host):
        return (
            f"{url!r} is plain http to another machine: whoever sits in between could swap the signing keys "
            "and mint tokens. Use https (plain http only for 127.0.0.1, ::1, localhost)."
        )
    return None
