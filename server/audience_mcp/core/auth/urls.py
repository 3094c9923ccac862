"""Where the server may take signing keys and issuer metadata from: https, or plain http to this
machine only (the rule of core/http/urls.py, for keys instead of credentials). Light on purpose:
settings validation imports it at start-up."""

from __future__ import annotations

from audience_mcp.core.http.urls import url_problem


def key_url_problem(url: str) -> str | None:
    """Why keys or metadata must not be trusted from `url`, or None when they may."""
    return url_problem(url, plain_http_risk="whoever sits in between could swap the signing keys and mint tokens")
