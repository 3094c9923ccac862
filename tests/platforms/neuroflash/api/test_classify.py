"""Classifiers: core's generic one knows no platform, neuroflash's adds its formats and codes."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import httpx2
import pytest

from audience_mcp.core.http import errors
from audience_mcp.core.http.errors import (
    APIStatusError,
    AuthenticationError,
    InvalidRequestError,
    NotFoundError,
    PermissionDeniedError,
    PlanLimitReachedError,
    RateLimitError,
    ServerError,
)
from audience_mcp.platforms.neuroflash import errors as neuroflash

CORE_HTTP = Path(errors.__file__).parent


def answer(status: int, body: Any = None, headers: dict[str, str] | None = None) -> httpx2.Response:
    request = httpx2.Request("PUT", "https://api.example/v1/things/7")
    if body is None:
        return httpx2.Response(status, headers=headers, request=request)
    return httpx2.Response(status, json=body, headers=headers, request=request)


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (400, InvalidRequestError),
        (422, InvalidRequestError),
        (401, AuthenticationError),
        (403, PermissionDeniedError),
        (404, NotFoundError),
        (429, RateLimitError),
        (500, ServerError),
        (503, ServerError),
        (409, APIStatusError),
    ],
)
def test_the_generic_classifier_maps_each_status_to_its_class(status: int, expected: type[APIStatusError]) -> None:
    error = errors.classify(answer(status, {"message": "nope", "code": "X"}))
    assert type(error) is expected
    assert (error.status, error.code, error.message) == (status, "X", "nope")
    assert (error.method, error.path) == ("PUT", "/v1/things/7")


def test_the_generic_classifier_reads_oauth_bodies_and_falls_back_to_the_reason() -> None:
    oauth = errors.classify(
        answer(401, {"error": "invalid_client", "error_description": "Client authentication failed"})
    )
    assert oauth.message == "Client authentication failed"
    assert errors.classify(answer(502)).message == "Bad Gateway"


def test_the_generic_classifier_knows_no_platform_code() -> None:
    error = errors.classify(
        answer(403, {"error": "Target audience limit reached (2 of 2)", "code": "TARGET_AUDIENCE_LIMIT_REACHED"})
    )
    assert type(error) is PermissionDeniedError


def test_a_429_takes_retry_after_from_the_header_or_the_body() -> None:
    from_header = errors.classify(answer(429, {}, {"Retry-After": "3"}))
    from_body = errors.classify(answer(429, {"details": {"retry_after": 7}}))
    assert isinstance(from_header, RateLimitError) and from_header.retry_after == 3.0
    assert isinstance(from_body, RateLimitError) and from_body.retry_after == 7.0


def test_neuroflash_tells_the_plan_limit_from_the_creator_rule() -> None:
    limit = neuroflash.classify(
        answer(403, {"error": "Target audience limit reached (2 of 2)", "code": "TARGET_AUDIENCE_LIMIT_REACHED"})
    )
    creator = neuroflash.classify(
        answer(
            403,
            {
                "error": "Only the creator of a target audience can update or delete it",
                "code": "INSUFFICIENT_PERMISSIONS",
            },
        )
    )
    assert isinstance(limit, PlanLimitReachedError) and (limit.usage, limit.limit) == (2, 2)
    assert type(creator) is PermissionDeniedError and creator.code == "INSUFFICIENT_PERMISSIONS"


def test_neuroflash_reads_its_validation_format() -> None:
    body = {"errors": [{"field": "minAge", "message": "must be at least 13", "type": "validation"}]}
    error = neuroflash.classify(answer(400, body))
    assert isinstance(error, InvalidRequestError)
    assert [(e.field, e.message) for e in error.field_errors] == [("minAge", "must be at least 13")]
    assert error.message == "minAge: must be at least 13"


def test_core_http_imports_no_platform() -> None:
    for module in CORE_HTTP.glob("*.py"):
        for node in ast.walk(ast.parse(module.read_text())):
            names = [alias.name for alias in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            assert not any(name.startswith("audience_mcp.platforms") for name in names), module.name
        assert "neuroflash" not in module.read_text().lower(), module.name
