"""HTTP mode as an OAuth 2.1 resource server (issue 14): real uvicorn, the SDK's client, a real
identity-provider stand-in on 127.0.0.1 (tests/support/identity.py), and the in-process sandbox.

Tokens are checked for signature, issuer, audience, expiry and not-before; the scopes decide which
tools a caller may run (all stay listed); the journal names who made each change; the caller's
token never reaches the platform's API.
"""

from __future__ import annotations

import secrets
import subprocess
import sys
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any

import httpx2
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import create_mcp_http_client
from pydantic import SecretStr

from audience_mcp.core.auth import keys as key_fetching
from audience_mcp.core.auth.keys import KeySet
from audience_mcp.core.auth.resource_server import OAuthResource, oauth_resource
from audience_mcp.core.auth.scopes import DELETE, READ, WRITE
from audience_mcp.http_server import startup_refusal
from tests.support import clean_env, free_port, wait_for_http
from tests.support import harness as tool_harness
from tests.support.harness import Answer, Harness, ServerFactory
from tests.support.http_serving import serve_http_app
from tests.support.identity import IdentityProvider, UpstreamRecorder, identity_provider, new_key

pytestmark = pytest.mark.anyio

# The tool tests' fixtures (tests/support/harness.py), registered in this module under their names.
make_server = tool_harness.make_server
_isolated_environment = tool_harness._isolated_environment

STATIC = secrets.token_urlsafe(32)
CREATE = "POST /api/audience-service/v1/workspaces/{workspaceId}/target-audiences"
DELETE_ROUTE = "DELETE /api/audience-service/v1/workspaces/{workspaceId}/target-audiences/{targetAudienceId}"
NEW_AUDIENCE = {"name": "OAuth leads", "min_age": 25, "max_age": 45, "residence": "Berlin"}


class Clock:
    def __init__(self) -> None:
        self.now = 10_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def idp() -> Iterator[IdentityProvider]:
    with identity_provider() as provider:
        yield provider


@pytest.fixture
def clock() -> Clock:
    return Clock()


def resource_for(idp: IdentityProvider, clock: Clock | None = None) -> Callable[[str], OAuthResource]:
    def build(base: str) -> OAuthResource:
        keys = KeySet(issuer=idp.issuer, clock=clock) if clock is not None else None
        return oauth_resource(issuer=idp.issuer, resource_url=f"{base}/mcp", keys=keys)

    return build


@asynccontextmanager
async def served(
    harness: Harness, idp: IdentityProvider, *, static: str | None = STATIC, clock: Clock | None = None
) -> AsyncIterator[str]:
    """The harness's server over Streamable HTTP, accepting the stand-in's tokens; yields the /mcp URL."""
    async with serve_http_app(harness.server, token=static, oauth=resource_for(idp, clock)) as base:
        yield f"{base}/mcp"


@asynccontextmanager
async def connected(url: str, token: str, **client: Any) -> AsyncIterator[Client]:
    async with (
        create_mcp_http_client(headers={"Authorization": f"Bearer {token}"}) as http,
        Client(streamable_http_client(url, http_client=http), **client) as session,
    ):
        yield session


def error_text(result: Any) -> str:
    assert result.is_error, result.structured_content
    return str(result.content[0].text)


async def post(url: str, token: str | None) -> httpx2.Response:
    headers = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream"}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    body = {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "initialize",
        "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}},
    }
    async with httpx2.AsyncClient() as http:
        return await http.post(url, json=body, headers=headers)


# -- scopes -----------------------------------------------------------------------------------------


async def test_a_read_only_token_sees_every_tool_reads_and_is_refused_writes_naming_the_scope(
    make_server: ServerFactory, idp: IdentityProvider
) -> None:
    harness = make_server()
    audience_id = harness.seed()
    async with served(harness, idp) as url:
        async with connected(url, idp.token(url, (READ,))) as reader:
            read_tools = {t.name for t in (await reader.list_tools()).tools}
            listed = await reader.call_tool("neuroflash_list_audiences", {})
            create = error_text(await reader.call_tool("neuroflash_create_audience", NEW_AUDIENCE))
            delete = error_text(await reader.call_tool("neuroflash_delete_audience", {"audience_id": audience_id}))
        async with connected(url, idp.token(url)) as admin:
            all_tools = {t.name for t in (await admin.list_tools()).tools}

    assert read_tools == all_tools and "neuroflash_delete_audience" in read_tools  # one tools/list for all
    assert not listed.is_error, listed.content
    assert "needs the OAuth scope audiences:write," in create and "it grants audiences:read" in create
    assert "audiences:write and audiences:delete" in delete
    assert harness.sandbox.stats.get(CREATE) == 0 and harness.sandbox.store.get_raw(audience_id) is not None


async def test_without_the_delete_scope_nobody_is_asked_to_confirm_and_nothing_is_deleted(
    make_server: ServerFactory, idp: IdentityProvider
) -> None:
    harness = make_server()
    audience_id = harness.seed()
    answer = Answer("accept", {"confirm": True})
    async with (
        served(harness, idp) as url,
        connected(url, idp.token(url, (READ, WRITE)), elicitation_callback=answer) as w,
    ):
        created = await w.call_tool("neuroflash_create_audience", NEW_AUDIENCE)
        refused = error_text(await w.call_tool("neuroflash_delete_audience", {"audience_id": audience_id}))
        image = error_text(await w.call_tool("neuroflash_delete_audience_image", {"audience_id": audience_id}))

    assert not created.is_error, created.content  # audiences:write is enough to create
    assert "needs the OAuth scope audiences:delete," in refused and "audiences:delete" in image
    assert answer.questions == []  # the user was never asked about a delete that could not happen
    assert harness.sandbox.stats.get(DELETE_ROUTE) == 0 and harness.sandbox.store.get_raw(audience_id) is not None


async def test_a_token_with_every_scope_deletes_after_the_users_yes(
    make_server: ServerFactory, idp: IdentityProvider
) -> None:
    harness = make_server()
    audience_id = harness.seed()
    answer = Answer("accept", {"confirm": True})
    async with served(harness, idp) as url, connected(url, idp.token(url), elicitation_callback=answer) as admin:
        result = await admin.call_tool("neuroflash_delete_audience", {"audience_id": audience_id})

    assert not result.is_error, result.content
    assert len(answer.questions) == 1 and harness.sandbox.store.get_raw(audience_id) is None


# -- who did what -------------------------------------------------------------------------------------


async def test_the_journal_names_the_tokens_subject_and_client_and_the_static_token(
    make_server: ServerFactory, idp: IdentityProvider
) -> None:
    harness = make_server()
    async with served(harness, idp) as url:
        async with connected(url, idp.token(url)) as alice:
            await alice.call_tool("neuroflash_create_audience", NEW_AUDIENCE)
        bot_token = idp.token(url, sub="svc-audit-bot", azp="svc-audit-bot")
        async with connected(url, bot_token) as bot:
            await bot.call_tool("neuroflash_create_audience", {**NEW_AUDIENCE, "name": "Bot leads"})
        async with connected(url, STATIC) as shared:
            await shared.call_tool("neuroflash_create_audience", {**NEW_AUDIENCE, "name": "Shared leads"})
            everything = (await shared.call_tool("list_recent_changes", {})).structured_content
            by_alice = (
                await shared.call_tool("list_recent_changes", {"actor": "alice@example.com"})
            ).structured_content
            by_client = (await shared.call_tool("list_recent_changes", {"actor": "crm-assistant"})).structured_content

    assert everything is not None and by_alice is not None and by_client is not None
    assert [(c["audience_name"], c["actor"]) for c in everything["changes"]] == [
        ("Shared leads", "static-token"),
        ("Bot leads", "svc-audit-bot"),
        ("OAuth leads", "alice@example.com via crm-assistant"),
    ]
    assert [c["audience_name"] for c in by_alice["changes"]] == ["OAuth leads"]
    assert by_client["changes"] == by_alice["changes"]


async def test_over_stdio_every_scope_is_granted_and_changes_are_by_local(tmp_path: Path) -> None:
    from mcp import StdioServerParameters

    env = clean_env(
        XDG_DATA_HOME=str(tmp_path / "data"),
        AUDIENCE_MCP_SANDBOX_DB=str(tmp_path / "sandbox.db"),
        AUDIENCE_MCP_STATE_DB=str(tmp_path / "state.db"),
    )
    params = StdioServerParameters(command=sys.executable, args=["-m", "audience_mcp", "--sandbox"], env=env)
    async with Client(params) as client:
        created = await client.call_tool("neuroflash_create_audience", NEW_AUDIENCE)
        assert not created.is_error, created.content
        audience_id = created.structured_content["audience"]["id"]  # type: ignore[index]
        preview = await client.call_tool("neuroflash_delete_audience", {"audience_id": audience_id})
        token = preview.structured_content["confirm_token"]  # type: ignore[index]
        deleted = await client.call_tool(
            "neuroflash_delete_audience", {"audience_id": audience_id, "confirm_token": token}
        )
        changes = (await client.call_tool("list_recent_changes", {"actor": "local"})).structured_content

    assert not deleted.is_error, deleted.content
    assert changes is not None and [(c["action"], c["actor"]) for c in changes["changes"]] == [
        ("delete", "local"),
        ("create", "local"),
    ]


async def test_the_callers_token_never_reaches_the_platforms_api(
    make_server: ServerFactory, idp: IdentityProvider
) -> None:
    from audience_mcp.platforms.neuroflash.sandbox import SandboxConfig, create_sandbox_app

    upstream = UpstreamRecorder(create_sandbox_app(SandboxConfig(db_path=":memory:")))
    harness = make_server(app=upstream)
    async with served(harness, idp) as url:
        token = idp.token(url)
        async with connected(url, token) as client:
            created = await client.call_tool("neuroflash_create_audience", NEW_AUDIENCE)
            listed = await client.call_tool("neuroflash_list_audiences", {})
        async with connected(url, STATIC) as shared:
            await shared.call_tool("neuroflash_list_audiences", {})

    assert not created.is_error and not listed.is_error
    assert upstream.seen, "the API client sent nothing"
    seen = b"\n".join(upstream.seen)
    assert b"authorization: Bearer " in seen  # the server's own credentials
    assert token.encode() not in seen and STATIC.encode() not in seen
    assert token.split(".")[2].encode() not in seen  # not even the signature


# -- what the verifier refuses ------------------------------------------------------------------------


async def test_401_names_the_protected_resource_metadata_which_names_the_issuer_and_scopes(
    make_server: ServerFactory, idp: IdentityProvider
) -> None:
    async with served(make_server(), idp) as url:
        missing = await post(url, None)
        metadata_url = missing.headers["WWW-Authenticate"].split('resource_metadata="')[1].split('"')[0]
        async with httpx2.AsyncClient() as http:
            metadata = (await http.get(metadata_url)).json()

    assert missing.status_code == 401 and missing.headers["WWW-Authenticate"].startswith("Bearer ")
    assert metadata_url == url.replace("/mcp", "/.well-known/oauth-protected-resource/mcp")
    assert metadata["resource"] == url
    assert metadata["authorization_servers"] == [idp.issuer]
    assert metadata["scopes_supported"] == ["audiences:read", "audiences:write", "audiences:delete"]


BAD_TOKENS: dict[str, Callable[[IdentityProvider, str], str]] = {
    "expired": lambda idp, aud: idp.token(aud, exp=1_000_000_000, iat=999_999_000),
    "not-yet-valid": lambda idp, aud: idp.token(aud, nbf=2_000_000_000),
    "wrong-audience": lambda idp, aud: idp.token("https://another-service.example/mcp"),
    "wrong-issuer": lambda idp, aud: idp.token(aud, iss="https://evil.example/realms/team"),
    "no-expiry": lambda idp, aud: idp.token(aud, exp=None),
    "alg-none": lambda idp, aud: idp.unsigned_token(aud),
    "hs256-with-the-public-key": lambda idp, aud: idp.hmac_with_public_key(aud),
    "unknown-kid": lambda idp, aud: idp.token(aud, kid="not-published"),
    "foreign-key-with-a-known-kid": lambda idp, aud: idp.token(aud, key=new_key("key-1")),
    "tampered-scope": lambda idp, aud: _tampered(idp.token(aud, (READ,))),
    "not-a-jwt": lambda idp, aud: "not-a-jwt-at-all",
}


def _tampered(token: str) -> str:
    import base64
    import json

    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["scope"] = f"{READ} {WRITE} {DELETE}"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"{header}.{forged}.{signature}"


@pytest.mark.parametrize("kind", list(BAD_TOKENS))
async def test_a_bad_token_gets_401_invalid_token_and_reaches_no_tool(
    make_server: ServerFactory, idp: IdentityProvider, kind: str
) -> None:
    async with served(make_server(), idp) as url:
        refused = await post(url, BAD_TOKENS[kind](idp, url))
        accepted = await post(url, idp.token(url))  # the same server takes a good one

    assert refused.status_code == 401, refused.text
    assert refused.json()["error"] == "invalid_token"
    assert 'error="invalid_token"' in refused.headers["WWW-Authenticate"]
    assert "resource_metadata=" in refused.headers["WWW-Authenticate"]
    assert accepted.status_code == 200 and accepted.headers.get("mcp-session-id")


async def test_a_rotated_key_is_fetched_once_and_unknown_kids_refresh_at_most_once_a_minute(
    make_server: ServerFactory, idp: IdentityProvider, clock: Clock
) -> None:
    async with served(make_server(), idp, clock=clock) as url:
        assert (await post(url, idp.token(url))).status_code == 200
        assert idp.jwks_fetches() == 1
        clock.now += 61
        rotated = idp.rotate("key-2")
        assert (await post(url, idp.token(url, key=rotated))).status_code == 200  # found after one refresh
        assert idp.jwks_fetches() == 2
        statuses = [(await post(url, idp.token(url, kid=f"made-up-{n}"))).status_code for n in range(5)]
        assert statuses == [401] * 5
        assert idp.jwks_fetches() == 2  # within the minute: no fetch however many kids are made up
        clock.now += 61
        assert (await post(url, idp.token(url, kid="made-up-again"))).status_code == 401
        assert idp.jwks_fetches() == 3


async def test_static_token_keeps_working_beside_oauth_and_oauth_works_without_it(
    make_server: ServerFactory, idp: IdentityProvider
) -> None:
    harness = make_server()
    async with served(harness, idp) as url:
        assert (await post(url, STATIC)).status_code == 200
    async with served(harness, idp, static=None) as url:
        assert (await post(url, STATIC)).status_code == 401
        assert (await post(url, idp.token(url))).status_code == 200


# -- where the keys come from ---------------------------------------------------------------------------


@pytest.mark.parametrize("style", ["oauth", "openid", "oauth-appended"])
async def test_the_jwks_url_is_discovered_from_rfc_8414_or_openid_metadata(
    make_server: ServerFactory, idp: IdentityProvider, style: str
) -> None:
    idp.metadata = style  # type: ignore[assignment]
    async with served(make_server(), idp) as url:
        assert (await post(url, idp.token(url))).status_code == 200
    assert idp.jwks_fetches() == 1


async def test_metadata_of_another_issuer_is_not_trusted_and_the_client_is_told_to_retry(
    make_server: ServerFactory, idp: IdentityProvider
) -> None:
    idp.metadata_issuer = "https://evil.example/realms/team"
    async with served(make_server(), idp) as url:
        response = await post(url, idp.token(url))
    assert response.status_code == 503 and response.headers["Retry-After"] == "60"
    assert idp.jwks_fetches() == 0


async def test_an_oversized_or_slow_jwks_is_abandoned(
    make_server: ServerFactory, idp: IdentityProvider, monkeypatch: pytest.MonkeyPatch
) -> None:
    idp.jwks_body = b'{"keys": [' + b" " * (key_fetching.MAX_DOCUMENT_BYTES + 10) + b"]}"
    async with served(make_server(), idp) as url:
        too_big = await post(url, idp.token(url))
    idp.jwks_body, idp.jwks_delay = None, 1.5
    monkeypatch.setattr(key_fetching, "FETCH_TIMEOUT_SECONDS", 0.3)
    async with served(make_server(), idp) as url:
        too_slow = await post(url, idp.token(url))
    assert too_big.status_code == 503 and too_slow.status_code == 503


async def test_a_jwks_uri_over_plain_http_to_another_host_is_refused() -> None:
    async def metadata(url: str) -> Any:
        return {"issuer": "https://idp.example/realms/team", "jwks_uri": "http://idp.example/certs"}

    keys = KeySet(issuer="https://idp.example/realms/team", fetch=metadata)
    with pytest.raises(key_fetching.KeysUnavailable):
        await keys.key("key-1")


def test_issuer_and_jwks_settings_must_be_https_unless_loopback() -> None:
    from audience_mcp.settings import Settings

    assert Settings(_env_file=None, oauth_issuer="http://127.0.0.1:8080/realms/team").server.oauth_issuer  # type: ignore[call-arg]
    for name in ("oauth_issuer", "oauth_jwks_url"):
        with pytest.raises(ValueError, match="plain http to another machine"):
            Settings(_env_file=None, **{name: "http://idp.example/realms/team"})  # type: ignore[arg-type]


async def test_a_stale_key_cache_is_refreshed_after_an_hour(idp: IdentityProvider, clock: Clock) -> None:
    keys = KeySet(issuer=idp.issuer, clock=clock)
    assert await keys.key("key-1") is not None
    clock.now += 3601
    assert await keys.key("key-1") is not None
    assert idp.jwks_fetches() == 2


# -- the console script ------------------------------------------------------------------------------


@contextmanager
def console_script(idp: IdentityProvider, tmp_path: Path) -> Iterator[str]:
    """`audience-mcp --sandbox --transport http` with only AUDIENCE_MCP_OAUTH_ISSUER set; yields the /mcp URL."""
    port = free_port()
    env = clean_env(
        XDG_DATA_HOME=str(tmp_path / "data"),
        AUDIENCE_MCP_SANDBOX_DB=str(tmp_path / "sandbox.db"),
        AUDIENCE_MCP_STATE_DB=str(tmp_path / "state.db"),
        AUDIENCE_MCP_OAUTH_ISSUER=idp.issuer,
    )
    log = tmp_path / "server.log"
    command = [sys.executable, "-m", "audience_mcp", "--sandbox", "--transport", "http", "--port", str(port)]
    with log.open("wb") as output:
        process = subprocess.Popen(
            command, env=env, cwd=tmp_path, stdin=subprocess.DEVNULL, stdout=output, stderr=output
        )
    try:
        wait_for_http(f"http://127.0.0.1:{port}/healthz", process, log)
        yield f"http://127.0.0.1:{port}/mcp"
    finally:
        process.terminate()
        process.wait(timeout=10)


async def test_the_console_script_serves_oauth_callers_without_a_static_token(
    idp: IdentityProvider, tmp_path: Path
) -> None:
    with console_script(idp, tmp_path) as url:
        token = idp.token(url, (READ, WRITE))
        assert (await post(url, None)).status_code == 401
        async with connected(url, token) as client:
            created = await client.call_tool("neuroflash_create_audience", NEW_AUDIENCE)
            changes = (await client.call_tool("list_recent_changes", {})).structured_content

    assert not created.is_error, created.content
    assert changes is not None and changes["changes"][0]["actor"] == "alice@example.com via crm-assistant"
    text = (tmp_path / "server.log").read_text(errors="replace")
    assert f"OAuth access tokens of {idp.issuer}" in text
    assert token not in text and token.split(".")[2] not in text


def test_oauth_on_a_public_address_needs_the_resource_url() -> None:
    refusal = startup_refusal(
        host="0.0.0.0", allow_remote=True, no_auth=False, token=None, oauth_issuer="https://idp.example/realms/x"
    )
    assert refusal is not None and "AUDIENCE_MCP_OAUTH_RESOURCE_URL" in refusal
    assert (
        startup_refusal(
            host="0.0.0.0",
            allow_remote=True,
            no_auth=False,
            token=None,
            oauth_issuer="https://idp.example/realms/x",
            oauth_resource_url="https://mcp.example.com/mcp",
        )
        is None
    )


async def test_check_fetches_the_issuers_keys_or_says_what_to_fix(idp: IdentityProvider, sandbox_app: Any) -> None:
    from audience_mcp.check import run_check
    from audience_mcp.platforms.neuroflash.api import NeuroflashClient
    from audience_mcp.platforms.neuroflash.connection import Backend
    from audience_mcp.settings import Settings

    def backend(_settings: Settings) -> Backend:
        client = NeuroflashClient.connect(
            api_url="http://sandbox.check.test/api",
            token_url="http://sandbox.check.test/oauth/v2/token",
            client_id="sandbox-client",
            client_secret=SecretStr("sandbox-secret"),
            network=httpx2.ASGITransport(app=sandbox_app),
        )
        return Backend(client=client)

    good = Settings(_env_file=None, client_id="c", client_secret="s", oauth_issuer=idp.issuer)  # type: ignore[call-arg]
    wrong = Settings(_env_file=None, client_id="c", client_secret="s", oauth_issuer=f"{idp.issuer}-typo")  # type: ignore[call-arg]

    ok = await run_check(good, overrides={}, backend_factory=backend)
    problem = await run_check(wrong, overrides={}, backend_factory=backend)

    assert ok.ok and ("oauth", f"ok: 1 signing keys of {idp.issuer} from {idp.jwks_url}") in ok.steps
    assert not problem.ok and "AUDIENCE_MCP_OAUTH_ISSUER exactly as the tokens' iss" in problem.render()
