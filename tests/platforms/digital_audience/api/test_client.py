"""The Digital Audience client against the sandbox: every endpoint, the wrapper, the session."""

from __future__ import annotations

from typing import Any

import anyio
import httpx2
import pytest
from pydantic import SecretStr

from audience_mcp.core.http.errors import (
    AuthenticationError,
    InvalidRequestError,
    NotFoundError,
    ServerError,
    UnsendableRequestError,
)
from audience_mcp.core.secrets import redactor
from audience_mcp.platforms.digital_audience.client import DigitalAudienceClient, ResponseFormatError, path_id
from audience_mcp.platforms.digital_audience.models import ActivationRequest
from audience_mcp.platforms.digital_audience.sandbox import SandboxConfig, create_sandbox_app
from tests.support.digital_audience import GOOGLE_ACCOUNT, META_ACCOUNT, SENTINEL_CONFIG, connect

pytestmark = pytest.mark.anyio


def window() -> dict[str, str]:
    return {"start_date": "2030-01-01T00:00:00Z", "end_date": "2030-01-31T23:59:59Z"}


async def test_create_campaign_and_audience_then_load_it(api: DigitalAudienceClient, sandbox_app: Any) -> None:
    campaign = await api.create_campaign("Winter sale")
    created = await api.create_audience("CRM buyers", campaign.id, "Bought twice")

    loaded = await api.get_audience(created.id)

    assert loaded.name == "CRM buyers"
    assert loaded.description == "Bought twice"
    assert loaded.campaign_id == campaign.id
    assert loaded.campaign_name == "Winter sale"
    assert loaded.audience_state == "NODATA"
    assert sandbox_app.state.sandbox.audience(created.id)["campaignId"] == campaign.id


class Recording(httpx2.AsyncBaseTransport):
    """The ASGI transport, keeping every request it sends."""

    def __init__(self, app: Any) -> None:
        self.inner = httpx2.ASGITransport(app=app)
        self.requests: list[httpx2.Request] = []

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        await request.aread()
        self.requests.append(request)
        return await self.inner.handle_async_request(request)


def recording_client(app: Any) -> tuple[DigitalAudienceClient, Recording]:
    transport = Recording(app)
    client = DigitalAudienceClient.connect(
        api_url="http://s", username="sandbox-user", password=SecretStr("sandbox-password"), network=transport
    )
    return client, transport


async def test_create_audience_sends_the_campaign_id_as_a_number(sandbox_app: Any) -> None:
    api, sent = recording_client(sandbox_app)
    async with api:
        campaign = await api.create_campaign("C")
        await api.create_audience("A", campaign.id)

    create = [r for r in sent.requests if r.url.path == "/audience/createcrmaudience"]
    assert [r.content for r in create] == [f'{{"name":"A","campaignId":{campaign.id}}}'.encode()]


async def test_delete_sends_the_id_as_query_parameter_and_as_body(sandbox_app: Any) -> None:
    api, sent = recording_client(sandbox_app)
    async with api:
        campaign = await api.create_campaign("C")
        audience = await api.create_audience("A", campaign.id)
        await api.delete_audience(audience.id)

    delete = next(r for r in sent.requests if r.method == "DELETE")
    assert delete.url.path == "/audience/delete"
    assert delete.url.params["id"] == str(audience.id)
    assert delete.content == f'{{"id":{audience.id}}}'.encode()


async def test_requests_carry_the_session_cookie_and_the_login_sends_user_name_and_password(sandbox_app: Any) -> None:
    api, sent = recording_client(sandbox_app)
    async with api:
        await api.list_platform_accounts()
        cookie = await api.auth.session()

    login, accounts = sent.requests[0], sent.requests[-1]
    assert login.url.path == "/account/login"
    assert login.content == b'{"userName":"sandbox-user","password":"sandbox-password"}'
    assert accounts.headers["cookie"] == f"digitalAudience={cookie}"


async def test_update_sends_id_name_and_description(api: DigitalAudienceClient, sandbox_app: Any) -> None:
    campaign = await api.create_campaign("C")
    audience = await api.create_audience("Old", campaign.id, "keep me")

    updated = await api.update_audience(audience.id, "New", "keep me")

    assert updated is not None and updated.name == "New"
    assert sandbox_app.state.sandbox.audience(audience.id)["description"] == "keep me"


@pytest.mark.parametrize("where", ["query", "body"])
async def test_the_sandbox_deletes_with_the_id_in_query_or_body(sandbox_app: Any, where: str) -> None:
    async with connect(sandbox_app) as api:
        campaign = await api.create_campaign("C")
        audience = await api.create_audience("A", campaign.id)
        cookie = await api.auth.session()
    kwargs: dict[str, Any] = {"params": {"id": audience.id}} if where == "query" else {"json": {"id": audience.id}}
    async with httpx2.AsyncClient(transport=httpx2.ASGITransport(app=sandbox_app), base_url="http://s") as http:
        headers = {"Cookie": f"digitalAudience={cookie}"}
        response = await http.request("DELETE", "/audience/delete", headers=headers, **kwargs)

    assert response.json() == {"data": True, "status": {"statusCode": 0, "message": None}, "success": True}
    assert audience.id not in sandbox_app.state.sandbox.audiences


async def test_delete_sends_the_id_both_ways_and_the_audience_is_gone(api: DigitalAudienceClient) -> None:
    campaign = await api.create_campaign("C")
    audience = await api.create_audience("A", campaign.id)

    await api.delete_audience(audience.id)

    with pytest.raises(NotFoundError):
        await api.get_audience(audience.id)


async def test_a_wrapped_failure_with_http_200_is_an_error_with_the_status_message(api: DigitalAudienceClient) -> None:
    with pytest.raises(NotFoundError) as caught:
        await api.get_audience(999_999)

    assert caught.value.status == 200
    assert "Audience 999999 not found" in caught.value.message


async def test_a_wrapped_failure_with_http_400_is_an_invalid_request(api: DigitalAudienceClient) -> None:
    with pytest.raises(InvalidRequestError) as caught:
        await api.create_campaign("   ")

    assert "'name' is required" in caught.value.message


async def test_a_failing_login_service_is_a_server_error_not_a_credentials_error(sandbox_app: Any) -> None:
    sandbox_app.state.faults.script([503])
    async with connect(sandbox_app) as api:
        with pytest.raises(ServerError) as caught:
            await api.list_platform_accounts()

    assert not isinstance(caught.value, AuthenticationError)


async def test_an_injected_fault_is_classified_from_the_wrapper(sandbox_app: Any) -> None:
    sandbox_app.state.faults.script([None, 503, 503])
    async with connect(sandbox_app) as api:
        with pytest.raises(ServerError) as caught:
            await api.list_platform_accounts()

    assert caught.value.status == 503
    assert "Service unavailable" in caught.value.message


async def test_activation_returns_flow_and_segment(api: DigitalAudienceClient, sandbox_app: Any) -> None:
    campaign = await api.create_campaign("C")
    audience = await api.create_audience("A", campaign.id)
    request = ActivationRequest(
        audience_id=audience.id, account_id=META_ACCOUNT, name="Seg", description="d", **window()
    )

    activation = await api.activate_audience(request)

    assert activation.flow_id is not None and len(activation.flow_id) == 36
    assert activation.segment_id is not None
    assert (await api.get_audience(audience.id)).activation_status == "Active"
    assert sandbox_app.state.sandbox.activations[0]["startDate"] == "2030-01-01T00:00:00Z"


async def test_platform_accounts_lose_every_token_field_in_the_client(api: DigitalAudienceClient) -> None:
    accounts = await api.list_platform_accounts()

    assert [a.id for a in accounts] == [META_ACCOUNT, GOOGLE_ACCOUNT]
    dumped = repr([a.model_dump() for a in accounts])
    assert "nfsentinel" not in dumped
    assert "accessToken" not in dumped and "access_token" not in dumped
    assert "refreshToken" not in dumped
    assert accounts[0].advertiser_id == "act_1029384756"
    # The stripped values are known to the redactor, so no log line can carry them.
    assert redactor.redact("x nfsentinel-datoken-meta y") == "x *** y"


@pytest.mark.parametrize("bad", [0, -1, "1/2", "..", "", "12a", True, 2**64])
def test_ids_are_checked_before_any_path_is_built(bad: Any) -> None:
    with pytest.raises(UnsendableRequestError):
        path_id(bad)


async def test_a_bad_id_sends_nothing(api: DigitalAudienceClient, sandbox_app: Any) -> None:
    with pytest.raises(UnsendableRequestError):
        await api.get_audience("1/../2")

    assert sandbox_app.state.stats.total() == 0


async def test_one_login_serves_many_requests(api: DigitalAudienceClient, sandbox_app: Any) -> None:
    await api.create_campaign("C")
    await api.list_platform_accounts()

    assert api.auth.logins == 1
    assert sandbox_app.state.sandbox.logins == 1


async def test_concurrent_first_requests_log_in_once(api: DigitalAudienceClient, sandbox_app: Any) -> None:
    async with anyio.create_task_group() as group:
        for _ in range(8):
            group.start_soon(api.list_platform_accounts)

    assert sandbox_app.state.sandbox.logins == 1


@pytest.mark.parametrize("status", [401, 200])
async def test_an_expired_session_logs_in_again_once(status: int) -> None:
    app = create_sandbox_app(SandboxConfig(cookie_prefix="nfsentinel-c-", not_logged_in_status=status))
    async with connect(app) as api:
        campaign = await api.create_campaign("C")
        app.state.sandbox.expire_sessions()

        audience = await api.create_audience("After expiry", campaign.id)

    assert audience.name == "After expiry"
    assert app.state.sandbox.logins == 2


async def test_sessions_expire_by_the_sandbox_clock() -> None:
    now = [1_000.0]
    app = create_sandbox_app(SandboxConfig(session_lifetime_seconds=60, clock=lambda: now[0]))
    async with connect(app) as api:
        await api.list_platform_accounts()
        now[0] += 61
        await api.list_platform_accounts()

    assert app.state.sandbox.logins == 2


async def test_a_wrong_password_is_an_authentication_error() -> None:
    app = create_sandbox_app(SENTINEL_CONFIG)
    async with connect(app, username="second-user", password="nfsentinel-wrong-password") as api:
        with pytest.raises(AuthenticationError) as caught:
            await api.list_platform_accounts()

    assert "Invalid user name or password" in caught.value.message
    assert "nfsentinel" not in str(caught.value)


async def test_the_second_user_logs_in() -> None:
    app = create_sandbox_app(SENTINEL_CONFIG)
    async with connect(app, username="second-user", password="second-password") as api:
        campaign = await api.create_campaign("Theirs")

    assert app.state.sandbox.campaigns[campaign.id]["userId"] == 2


async def test_a_success_answer_without_readable_data_is_a_format_error(sandbox_app: Any) -> None:
    async with connect(sandbox_app) as api:
        with pytest.raises(ResponseFormatError):
            api._parse(ActivationRequest, {"nope": 1}, "activation")


async def test_unknown_fields_are_kept_by_the_models(api: DigitalAudienceClient, sandbox_app: Any) -> None:
    campaign = await api.create_campaign("C")
    created = await api.create_audience("A", campaign.id)
    sandbox_app.state.sandbox.audiences[created.id]["lookalikeSeed"] = {"size": 3}

    loaded = await api.get_audience(created.id)

    assert loaded.to_body()["lookalikeSeed"] == {"size": 3}
    assert loaded.to_body()["audienceStateId"] == 5


@pytest.mark.parametrize(
    ("status", "body", "kind"),
    [
        (200, {"data": None, "status": {"statusCode": 7, "message": "Session expired"}, "success": False}, "auth"),
        (200, {"data": None, "status": {"statusCode": 0, "message": "Account 9 not found"}, "success": False}, "404"),
        (200, {"data": None, "status": {"statusCode": 3, "message": "Not allowed"}, "success": True}, "403"),
        (200, {"data": None, "status": {"statusCode": 5, "message": None}, "success": False}, "400"),
        (500, {"data": None, "status": {"statusCode": 500, "message": "boom"}, "success": False}, "500"),
        (502, "<html>bad gateway</html>", "500"),
    ],
)
def test_the_classifier_reads_the_wrapper_whatever_the_http_status(status: int, body: Any, kind: str) -> None:
    from audience_mcp.core.http.errors import PermissionDeniedError
    from audience_mcp.platforms.digital_audience.errors import classify

    request = httpx2.Request("GET", "http://s/audience/loadaudiencebyid/1")
    if isinstance(body, str):
        response = httpx2.Response(status, text=body, request=request)
    else:
        response = httpx2.Response(status, json=body, request=request)

    error = classify(response)

    expected = {
        "auth": AuthenticationError,
        "404": NotFoundError,
        "403": PermissionDeniedError,
        "400": InvalidRequestError,
        "500": ServerError,
    }[kind]
    assert isinstance(error, expected), error
    if isinstance(body, dict) and body["status"]["message"]:
        assert body["status"]["message"] in error.message
