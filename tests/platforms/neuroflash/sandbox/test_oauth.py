"""The token endpoint and bearer checks behave like id.neuroflash.com's client-credentials flow."""

from __future__ import annotations

from collections.abc import Callable

import httpx2
import pytest
from starlette.applications import Starlette

from audience_mcp.platforms.neuroflash.sandbox import SANDBOX_ACCOUNTS, SandboxConfig
from audience_mcp.platforms.neuroflash.sandbox.accounts import TOKEN_PREFIX
from tests.support.sandbox import TOKEN_PATH, WORKSPACES_PATH, Clock

pytestmark = pytest.mark.anyio

FORM = {
    "grant_type": "client_credentials",
    "client_id": "sandbox-client",
    "client_secret": "sandbox-secret",
    "scope": "openid",
}


async def test_the_guides_form_request_gets_a_bearer_token_valid_for_the_configured_lifetime(
    http: httpx2.AsyncClient,
) -> None:
    response = await http.post(TOKEN_PATH, data=FORM)

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"access_token", "token_type", "expires_in", "scope"}
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 14399
    assert body["scope"] == "openid"
    assert len(body["access_token"]) >= 32
    assert response.headers["cache-control"] == "no-store"


async def test_each_request_gets_a_fresh_token(http: httpx2.AsyncClient) -> None:
    first = (await http.post(TOKEN_PATH, data=FORM)).json()["access_token"]
    second = (await http.post(TOKEN_PATH, data=FORM)).json()["access_token"]

    assert first != second


async def test_http_basic_client_authentication_is_accepted(http: httpx2.AsyncClient) -> None:
    response = await http.post(
        TOKEN_PATH, data={"grant_type": "client_credentials"}, auth=("sandbox-client-2", "sandbox-secret-2")
    )

    assert response.status_code == 200
    token = response.json()["access_token"]
    workspaces = await http.get(WORKSPACES_PATH, headers={"Authorization": f"Bearer {token}"})
    assert workspaces.json()["_embedded"]["workspaces"][0]["role"] == "MEMBER"


async def test_a_grant_type_other_than_client_credentials_is_unsupported(http: httpx2.AsyncClient) -> None:
    response = await http.post(TOKEN_PATH, data={**FORM, "grant_type": "password"})

    assert response.status_code == 400
    assert response.json()["error"] == "unsupported_grant_type"
    assert response.json()["error_description"]


@pytest.mark.parametrize(
    "form",
    [
        {**FORM, "client_secret": "wrong"},
        {**FORM, "client_id": "nobody"},
        {"grant_type": "client_credentials", "scope": "openid"},
        {"grant_type": "client_credentials", "client_id": "sandbox-client"},
    ],
    ids=["wrong-secret", "unknown-client", "no-credentials", "no-secret"],
)
async def test_bad_or_missing_client_credentials_are_refused_as_invalid_client(
    http: httpx2.AsyncClient, form: dict[str, str]
) -> None:
    response = await http.post(TOKEN_PATH, data=form)

    assert response.status_code == 401
    assert response.json() == {"error": "invalid_client", "error_description": "Client authentication failed"}


async def test_a_token_works_until_its_lifetime_has_passed_on_the_injected_clock(
    http: httpx2.AsyncClient, clock: Clock
) -> None:
    token = (await http.post(TOKEN_PATH, data=FORM)).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}

    clock.advance(14398)
    assert (await http.get(WORKSPACES_PATH, headers=headers)).status_code == 200

    clock.advance(1)
    expired = await http.get(WORKSPACES_PATH, headers=headers)
    assert expired.status_code == 401
    assert expired.json()["code"] == "UNAUTHORIZED"
    assert expired.headers["www-authenticate"] == 'Bearer error="invalid_token"'


async def test_a_shorter_configured_lifetime_is_reported_and_enforced(
    make_app: Callable[..., Starlette], clock: Clock
) -> None:
    app = make_app(token_lifetime_seconds=60)
    async with httpx2.AsyncClient(transport=httpx2.ASGITransport(app=app), base_url="http://sandbox.test") as http:
        body = (await http.post(TOKEN_PATH, data=FORM)).json()
        assert body["expires_in"] == 60
        clock.advance(60)
        response = await http.get(WORKSPACES_PATH, headers={"Authorization": f"Bearer {body['access_token']}"})
        assert response.status_code == 401


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer not-a-token"}, {"Authorization": "Basic c2FuZGJveA=="}, {"Authorization": "Bearer"}],
    ids=["missing", "unknown", "wrong-scheme", "empty"],
)
async def test_api_requests_without_a_valid_bearer_token_get_401_unauthorized(
    http: httpx2.AsyncClient, headers: dict[str, str]
) -> None:
    response = await http.get(WORKSPACES_PATH, headers=headers)

    assert response.status_code == 401
    assert response.json()["code"] == "UNAUTHORIZED"
    assert isinstance(response.json()["error"], str)
    assert response.headers["www-authenticate"] == 'Bearer error="invalid_token"'


async def test_the_two_builtin_accounts_are_distinct_users_in_one_workspace() -> None:
    first, second = SANDBOX_ACCOUNTS

    assert (first.client_id, first.client_secret, first.customer_id) == ("sandbox-client", "sandbox-secret", 12345)
    assert (second.client_id, second.client_secret, second.customer_id) == (
        "sandbox-client-2",
        "sandbox-secret-2",
        12346,
    )
    assert first.user_id == "b0920767-2e30-48d3-80ce-268810bc433a"
    assert first.name == "Sandbox User"
    assert first.user_id != second.user_id


async def test_every_issued_token_starts_with_the_recognizable_prefix(http: httpx2.AsyncClient) -> None:
    tokens = [(await http.post(TOKEN_PATH, data=FORM)).json()["access_token"] for _ in range(3)]

    assert all(token.startswith(TOKEN_PREFIX) and len(token) > len(TOKEN_PREFIX) + 32 for token in tokens)


async def test_a_configured_client_secret_replaces_the_public_one_for_that_account_only(
    make_app: Callable[..., Starlette],
) -> None:
    app = make_app(client_secrets={"sandbox-client": "configured-secret-0b7e"})
    async with httpx2.AsyncClient(transport=httpx2.ASGITransport(app=app), base_url="http://sandbox.test") as http:
        public = await http.post(TOKEN_PATH, data=FORM)
        configured = await http.post(TOKEN_PATH, data={**FORM, "client_secret": "configured-secret-0b7e"})
        second = await http.post(
            TOKEN_PATH, data={**FORM, "client_id": "sandbox-client-2", "client_secret": "sandbox-secret-2"}
        )

    assert public.status_code == 401
    assert configured.status_code == 200
    assert second.status_code == 200
    assert SANDBOX_ACCOUNTS[0].client_secret == "sandbox-secret"  # the shared constant is untouched


@pytest.mark.parametrize("secrets", [{"nobody": "x-secret"}, {"sandbox-client": ""}])
def test_client_secrets_for_unknown_clients_or_empty_secrets_are_refused(secrets: dict[str, str]) -> None:
    with pytest.raises(ValueError):
        SandboxConfig(client_secrets=secrets)
