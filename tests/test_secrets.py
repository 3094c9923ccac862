"""No secret appears in a repr, a log line or a tool result."""

from __future__ import annotations

import logging
from typing import Any

import httpx2
import pytest
from mcp import Client
from pydantic import SecretStr

from audience_mcp.app import create_server
from audience_mcp.core.http.auth import ClientCredentialsAuth, StaticBearer
from audience_mcp.core.logs import configure_logging, redactor
from audience_mcp.platforms.neuroflash.api import NeuroflashClient
from audience_mcp.platforms.neuroflash.connection import Backend
from audience_mcp.settings import Settings

pytestmark = pytest.mark.anyio

SENTINEL_SECRET = "sentinel-client-secret-8f3a2c"
SENTINEL_TOKEN = "sentinel-access-token-51d9e0"


def test_settings_mask_secrets_in_repr_str_and_dumps(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEUROFLASH_CLIENT_SECRET", SENTINEL_SECRET)
    monkeypatch.setenv("NEUROFLASH_ACCESS_TOKEN", SENTINEL_TOKEN)
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    texts = [repr(settings), str(settings)]
    for part in settings.parts().values():
        texts += [repr(part), str(part), part.model_dump_json(), str(part.model_dump())]
    for text in texts:
        assert SENTINEL_SECRET not in text and SENTINEL_TOKEN not in text
    assert settings.secret_values() == [SENTINEL_SECRET, SENTINEL_TOKEN]


def test_token_sources_mask_tokens_in_repr() -> None:
    static = StaticBearer(SecretStr(SENTINEL_TOKEN))
    credentials = ClientCredentialsAuth(
        token_url="https://id.example/token",
        client_id="id",
        client_secret=SecretStr(SENTINEL_SECRET),
        http=httpx2.AsyncClient(),
    )
    assert SENTINEL_TOKEN not in repr(static)
    assert SENTINEL_SECRET not in repr(credentials)


def test_the_redactor_masks_a_secret_that_slipped_into_a_message_or_a_traceback(
    caplog: pytest.LogCaptureFixture,
) -> None:
    configure_logging(secrets=[SENTINEL_SECRET])
    logger = logging.getLogger("tests.secrets")
    with caplog.at_level(logging.DEBUG):
        logger.warning("posting client_secret=%s", SENTINEL_SECRET)
        try:
            raise ValueError(f"bad secret {SENTINEL_SECRET}")
        except ValueError:
            logger.exception("failed")
    assert caplog.records
    assert SENTINEL_SECRET not in caplog.text
    assert redactor.redact(f"x {SENTINEL_SECRET} y") == "x *** y"


class TokenRecorder(httpx2.AsyncBaseTransport):
    """Passes requests to the sandbox and remembers every bearer token the client sent."""

    def __init__(self, app: Any) -> None:
        self.inner = httpx2.ASGITransport(app=app)
        self.tokens: set[str] = set()

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        authorization = request.headers.get("authorization", "")
        if authorization.startswith("Bearer "):
            self.tokens.add(authorization.removeprefix("Bearer "))
        return await self.inner.handle_async_request(request)


def _backend(transport: httpx2.AsyncBaseTransport, sandbox: Any, secret: str) -> Any:
    def factory(settings: Settings) -> Backend:
        client = NeuroflashClient.connect(
            api_url="http://sandbox.test/api",
            token_url="http://sandbox.test/oauth/v2/token",
            client_id="sandbox-client",
            client_secret=SecretStr(secret),
            network=transport,
        )
        return Backend(client=client)

    return factory


async def test_a_whole_session_logs_no_secret_and_no_token(sandbox_app: Any, caplog: pytest.LogCaptureFixture) -> None:
    settings = Settings(_env_file=None, client_id="sandbox-client", client_secret=SecretStr("sandbox-secret"))  # type: ignore[call-arg]
    recorder = TokenRecorder(sandbox_app)
    server = create_server(
        settings, backend_factories={"neuroflash": _backend(recorder, sandbox_app.state.sandbox, "sandbox-secret")}
    )
    results: list[str] = []
    with caplog.at_level(logging.DEBUG):
        async with Client(server) as client:
            created = await client.call_tool(
                "neuroflash_create_audience",
                {"name": "Secret test", "min_age": 20, "max_age": 30, "residence": "Berlin"},
            )
            audience_id = created.structured_content["audience"]["id"]  # type: ignore[index]
            for tool, args in [
                ("neuroflash_get_audience", {"audience_id": audience_id, "response_format": "detailed"}),
                ("neuroflash_update_audience", {"audience_id": audience_id, "max_age": 35}),
                ("neuroflash_get_audience", {"audience_id": "missing"}),
                ("neuroflash_delete_audience", {"audience_id": audience_id}),
            ]:
                result = await client.call_tool(tool, args)
                results.append(str(result.model_dump()))
    everything = caplog.text + "".join(results)
    assert recorder.tokens, "the session sent no bearer token"
    assert "sandbox-secret" not in everything
    for token in recorder.tokens:
        assert token not in everything


async def test_wrong_credentials_give_a_tool_error_without_the_secret(
    sandbox_app: Any, caplog: pytest.LogCaptureFixture
) -> None:
    settings = Settings(_env_file=None, client_id="sandbox-client", client_secret=SecretStr(SENTINEL_SECRET))  # type: ignore[call-arg]
    transport = httpx2.ASGITransport(app=sandbox_app)
    server = create_server(
        settings, backend_factories={"neuroflash": _backend(transport, sandbox_app.state.sandbox, SENTINEL_SECRET)}
    )
    with caplog.at_level(logging.DEBUG):
        async with Client(server) as client:
            result = await client.call_tool("neuroflash_list_audiences", {})
    assert result.is_error
    text = result.content[0].text  # type: ignore[union-attr]
    assert "NEUROFLASH_CLIENT_SECRET" in text
    assert SENTINEL_SECRET not in text and SENTINEL_SECRET not in caplog.text
