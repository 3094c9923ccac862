"""The auth flows on their own: the header they add, the 401 re-send, secrets kept out of repr."""

from __future__ import annotations

import httpx2
import pytest
from pydantic import SecretStr

from audience_mcp.core.http.auth import ClientCredentialsAuth, StaticBearer
from audience_mcp.core.http.errors import AuthenticationError

pytestmark = pytest.mark.anyio


class FakeApi:
    """A token endpoint handing out numbered tokens and an API that accepts only the newest."""

    def __init__(self) -> None:
        self.issued = 0
        self.seen: list[str] = []

    def __call__(self, request: httpx2.Request) -> httpx2.Response:
        if request.url.path == "/token":
            self.issued += 1
            return httpx2.Response(200, json={"access_token": f"t{self.issued}", "expires_in": 3600})
        authorization = request.headers.get("authorization", "")
        self.seen.append(authorization)
        if authorization == f"Bearer t{self.issued}" and self.issued >= 2:
            return httpx2.Response(200, json={})
        return httpx2.Response(401, json={"error": "invalid_token"})


def credentials(http: httpx2.AsyncClient) -> ClientCredentialsAuth:
    return ClientCredentialsAuth(
        token_url="https://id.example/token", client_id="id", client_secret=SecretStr("s3cret"), http=http
    )


async def test_a_static_bearer_sets_the_header_and_a_401_is_final() -> None:
    api = FakeApi()
    async with httpx2.AsyncClient(transport=httpx2.MockTransport(api)) as http:
        response = await http.get("https://api.example/x", auth=StaticBearer(SecretStr("fixed")))
    assert response.status_code == 401 and api.seen == ["Bearer fixed"]


async def test_a_401_invalidates_the_token_and_sends_once_more_with_a_fresh_one() -> None:
    api = FakeApi()
    async with httpx2.AsyncClient(transport=httpx2.MockTransport(api)) as http:
        auth = credentials(http)
        response = await http.get("https://api.example/x", auth=auth)
    assert response.status_code == 200
    assert api.seen == ["Bearer t1", "Bearer t2"] and auth.token_requests == 2
    assert len(response.history) == 1


async def test_a_second_401_is_returned_not_looped() -> None:
    def always_401(request: httpx2.Request) -> httpx2.Response:
        if request.url.path == "/token":
            return httpx2.Response(200, json={"access_token": "t", "expires_in": 3600})
        return httpx2.Response(401)

    async with httpx2.AsyncClient(transport=httpx2.MockTransport(always_401)) as http:
        auth = credentials(http)
        response = await http.get("https://api.example/x", auth=auth)
    assert response.status_code == 401 and auth.token_requests == 2


async def test_refused_credentials_are_an_authentication_error_without_the_secret() -> None:
    def refuse(request: httpx2.Request) -> httpx2.Response:
        return httpx2.Response(
            401, json={"error": "invalid_client", "error_description": "Client authentication failed"}
        )

    async with httpx2.AsyncClient(transport=httpx2.MockTransport(refuse)) as http:
        auth = credentials(http)
        with pytest.raises(AuthenticationError) as caught:
            await auth.token()
    assert "Client authentication failed" in caught.value.message and "s3cret" not in str(caught.value)
    assert "s3cret" not in repr(auth)


def test_client_credentials_refuse_a_sync_client() -> None:
    auth = credentials(httpx2.AsyncClient())
    with pytest.raises(RuntimeError), httpx2.Client(transport=httpx2.MockTransport(FakeApi())) as http:
        http.get("https://api.example/x", auth=auth)
