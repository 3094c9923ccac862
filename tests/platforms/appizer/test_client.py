"""The Appizer client against the sandbox: both endpoints, every documented error code, pacing."""

from __future__ import annotations

import pytest

from audience_mcp.core.http.errors import (
    AuthenticationError,
    InvalidRequestError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
    UnsendableRequestError,
)
from audience_mcp.core.http.requester import RetryPolicy
from audience_mcp.platforms.appizer.errors import ConflictError
from audience_mcp.platforms.appizer.models import CreateAudienceRequest
from audience_mcp.platforms.appizer.sandbox.service import READ_ONLY_KEY, REVOKED_KEY
from tests.support.appizer import APP, OTHER_APP, REFERENCE_BODY, SharedTime, client_for, raw, sandbox_app

pytestmark = pytest.mark.anyio


def request(**changes: str) -> CreateAudienceRequest:
    return CreateAudienceRequest.model_validate({**REFERENCE_BODY, **changes})


async def test_create_then_list_pages_through_every_audience() -> None:
    app = sandbox_app()
    async with client_for(app) as client:
        created = [await client.create_audience(request(name=f"Segment {i}")) for i in range(5)]
        assert all(c.success and c.audience_id.startswith("aud_") for c in created)
        first = await client.list_audiences(APP, limit=2)
        assert [a.audience_id for a in first.audiences] == [c.audience_id for c in created[:2]]
        assert first.pagination.total == 5 and first.more_after(0)
        seen = [a.audience_id async for page, _ in client.audiences(APP, max_pages=10) for a in page.audiences]
        assert seen == [c.audience_id for c in created]
        assert (await client.list_audiences(OTHER_APP)).audiences == []


async def test_find_audience_pages_the_list_because_there_is_no_get_by_id() -> None:
    app = sandbox_app()
    async with client_for(app) as client:
        ids = [(await client.create_audience(request(name=f"S{i}"))).audience_id for i in range(3)]
        found = await client.find_audience(APP, ids[2])
        assert found is not None and found.name == "S2" and found.user_count == 160
        assert await client.find_audience(APP, "aud_missing") is None


async def test_the_list_limit_is_clamped_to_the_documented_maximum_of_100() -> None:
    app = sandbox_app()
    async with client_for(app) as client:
        page = await client.list_audiences(APP, limit=500)
    assert page.pagination.limit == 100


@pytest.mark.parametrize(
    ("key", "error", "code"),
    [
        ("wrong-key", AuthenticationError, "INVALID_API_KEY"),
        (REVOKED_KEY, AuthenticationError, "REVOKED_API_KEY"),
    ],
)
async def test_bad_keys_are_401_with_their_codes(key: str, error: type[Exception], code: str) -> None:
    async with client_for(sandbox_app(), key=key) as client:
        with pytest.raises(error) as caught:
            await client.list_audiences(APP)
    assert getattr(caught.value, "code", None) == code


async def test_a_missing_key_is_401_missing_auth() -> None:
    response = await raw(sandbox_app(), "GET", "/v1/audiences", key=None, params={"app_id": APP})
    assert response.status_code == 401 and response.json()["code"] == "MISSING_AUTH"


async def test_a_read_only_key_gets_403_insufficient_permissions_on_create() -> None:
    async with client_for(sandbox_app(), key=READ_ONLY_KEY) as client:
        await client.list_audiences(APP)
        with pytest.raises(PermissionDeniedError) as caught:
            await client.create_audience(request())
    assert caught.value.code == "INSUFFICIENT_PERMISSIONS"


async def test_an_unknown_app_is_404() -> None:
    async with client_for(sandbox_app()) as client:
        with pytest.raises(NotFoundError):
            await client.list_audiences("app_999")
        with pytest.raises(NotFoundError):
            await client.create_audience(request(app_id="app_999"))


async def test_a_duplicate_name_is_409_conflict() -> None:
    async with client_for(sandbox_app()) as client:
        await client.create_audience(request())
        with pytest.raises(ConflictError) as caught:
            await client.create_audience(request(name="active premium users"))
    assert caught.value.status == 409


async def test_unreadable_criteria_are_400_invalid_request() -> None:
    async with client_for(sandbox_app()) as client:
        with pytest.raises(InvalidRequestError) as caught:
            await client.create_audience(request(criteria="people who might like our app"))
    assert caught.value.code == "INVALID_REQUEST" and "criteria" in caught.value.message.lower()


@pytest.mark.parametrize(
    ("body", "code", "field"),
    [
        ({"app_id": APP, "criteria": "Users with email"}, "MISSING_FIELD", "name"),
        ({"app_id": APP, "name": "x", "criteria": 5}, "INVALID_TYPE", "criteria"),
    ],
)
async def test_missing_and_mistyped_fields_name_the_field(body: dict[str, object], code: str, field: str) -> None:
    response = await raw(sandbox_app(), "POST", "/v1/audiences", json=body)
    error = response.json()
    assert response.status_code == 400
    assert (error["code"], error["details"]["field"]) == (code, field)
    assert set(error) == {"error", "message", "code", "details"}


async def test_the_classifier_reads_field_errors_from_details() -> None:
    async with client_for(sandbox_app()) as client:
        with pytest.raises(InvalidRequestError) as caught:
            await client.create_audience(request(name="  "))
    assert caught.value.code == "MISSING_FIELD"
    assert [e.field for e in caught.value.field_errors] == ["name"]


async def test_an_id_that_no_real_id_holds_is_refused_before_sending() -> None:
    app = sandbox_app()
    async with client_for(app) as client:
        for bad in ("", "../x", "a/b", "a\\b", "a\nb", "x" * 300):
            with pytest.raises(UnsendableRequestError):
                await client.list_audiences(bad)
    assert app.state.sandbox.stats.total() == 0


async def test_a_429_waits_retry_after_from_the_body_then_succeeds() -> None:
    """Another client on the same key spent the budget, so this one meets the 429 itself."""
    time = SharedTime()
    app = sandbox_app(time, rate_limit=1)
    async with client_for(app, time=time) as other, client_for(app, time=time, retry=RetryPolicy(3)) as client:
        await other.list_audiences(APP)
        time.advance(50)  # the window resets in 10 s: within the transport's Retry-After cap
        page = await client.list_audiences(APP)
    assert page.success is True
    assert time.waits == [pytest.approx(10, abs=0.01)]
    assert app.state.sandbox.stats.get("GET /v1/audiences") == 3


async def test_remaining_zero_waits_for_the_reset_instead_of_spending_a_request_on_a_429() -> None:
    time = SharedTime()
    app = sandbox_app(time, rate_limit=2)
    async with client_for(app, time=time, timeout_seconds=90) as client:  # the 60 s window fits the deadline
        for _ in range(3):
            await client.list_audiences(APP)
    stats = app.state.sandbox.stats
    assert stats.get("GET /v1/audiences") == 3  # no request was spent on a 429
    assert len(time.waits) == 1 and 0 < time.waits[0] <= 60


async def test_a_reset_beyond_the_call_deadline_fails_at_once_without_sending() -> None:
    time = SharedTime()
    app = sandbox_app(time, rate_limit=1)
    async with client_for(app, time=time, timeout_seconds=5) as client:
        await client.list_audiences(APP)
        with pytest.raises(RateLimitError) as caught:
            await client.list_audiences(APP)
    assert caught.value.retry_after is not None and caught.value.retry_after > 5
    assert app.state.sandbox.stats.get("GET /v1/audiences") == 1


async def test_a_failed_create_is_not_retried_blindly() -> None:
    app = sandbox_app()
    app.state.sandbox.faults.script([503])
    async with client_for(app, retry=RetryPolicy(max_attempts=4)) as client:
        with pytest.raises(ServerError):
            await client.create_audience(request())
        assert (await client.list_audiences(APP)).audiences == []
    assert app.state.sandbox.stats.get("POST /v1/audiences") == 1


async def test_a_list_is_retried_after_a_503() -> None:
    app = sandbox_app()
    app.state.sandbox.faults.script([503])
    async with client_for(app, retry=RetryPolicy(max_attempts=2)) as client:
        await client.list_audiences(APP)
    assert app.state.sandbox.stats.get("GET /v1/audiences") == 2
