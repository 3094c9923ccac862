"""Bad input: hypothesis sends nonsense arguments to every tool of tools/list.

Strategies are built from each tool's input schema (its property names and types) mixed with
junk: wrong types, 100 KB strings, RTL/emoji/NUL/lone surrogates, ints of 10**100, NaN and
infinities, nested junk, unknown keys and missing required keys; some values are real
(seeded audience ids, the workspace, a real PNG) so the junk reaches deep code paths. One
server and one client serve every example: the client lives on an event loop in a blocking
portal, and each example is a call through it under a deadline.

Every call must end in a result or a ToolError (never a crash, a protocol error or a hang), a
failed call must change nothing in the sandbox, the sandbox never loses an audience (junk
never carries a valid confirm_token), and the server still answers normal calls afterwards.
Problems are collected rather than raised, so one run reports all of them unshrunk.
"""

from __future__ import annotations

import base64
import math
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import anyio
import anyio.from_thread
import httpx2
import mcp_types
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from mcp import Client
from mcp.shared.exceptions import MCPError
from pydantic import SecretStr

from audience_mcp.app import create_server
from audience_mcp.platforms.digital_audience.client import DigitalAudienceClient
from audience_mcp.platforms.digital_audience.connection import Backend as DABackend
from audience_mcp.platforms.digital_audience.sandbox import SandboxConfig as DASandboxConfig
from audience_mcp.platforms.digital_audience.sandbox import create_sandbox_app as create_da_sandbox_app
from audience_mcp.platforms.neuroflash.api import NeuroflashClient, RetryPolicy
from audience_mcp.platforms.neuroflash.connection import Backend
from audience_mcp.platforms.neuroflash.sandbox import SANDBOX_ACCOUNTS, Sandbox, SandboxConfig, create_sandbox_app
from audience_mcp.settings import Settings
from tests.support import GUIDE_BODY
from tests.support.campaigns import FIGURES, WS, campaign_timeout, error_message, is_crash, scaled

CALLS = scaled(2000)
BASE = "https://sandbox.bad-input.test"  # https: settings refuse plain http to a non-loopback host
# This campaign's sandbox accepts only sentinel secrets, so the secret guard would find them
# in any output, result or journal row they leaked into.
CLIENT_SECRET = "nfsentinel-bad-input-client-secret-3e8a"
COLLEAGUE_SECRET = "nfsentinel-bad-input-colleague-secret-91f0"
OWNER, COLLEAGUE = SANDBOX_ACCOUNTS
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)
PNG_BASE64 = base64.b64encode(PNG).decode("ascii")
STORED = {**GUIDE_BODY, "name": "Fuzzed leaders"}

# -- strategies -----------------------------------------------------------------------------------

NASTY_TEXT = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "\u202eevil\u202c",  # RTL override
    "مرحبا بالعالم",
    "שלום",
    "🙂👩‍👩‍👧‍👦🏳️‍🌈",
    "\ud800",  # a lone surrogate, as a JSON "\ud800" escape decodes
    "../../etc/passwd",
    "~no-such-user-xyz/image.png",
    "%00%2e%2e/",
    "' OR 1=1 --",
    "<script>alert(1)</script>",
    "${jndi:ldap://x}",
    "NaN",
    "1e309",
    "-0",
    "   60% women, 40%   men  ",
    "null",
]
HUGE_TEXT = st.sampled_from(["a", "é", "🙂", "\u202e", "\x00", ",", "9"]).map(lambda c: c * 100_000)
NASTY_NUMBERS = [0, -1, -(10**100), 10**100, 2**63, -(2**63) - 1, math.nan, math.inf, -math.inf, -0.0, 1e308, 5e-324]

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.sampled_from(NASTY_NUMBERS),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=40),
    st.sampled_from(NASTY_TEXT),
    HUGE_TEXT,
)
junk = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=8,
)


def plausible(name: str, schema: dict[str, Any], known: Known) -> st.SearchStrategy[Any]:
    """Values of roughly the right shape, real where it matters, so junk gets past the first check."""
    by_name: dict[str, st.SearchStrategy[Any]] = {
        "audience_id": st.sampled_from(
            [*known.audience_ids, *known.da_audience_ids, "missing-id", "a/b?c=d#e", "..", "%2F", 0, 2**63]
        ),
        "campaign_id": st.sampled_from([*known.da_campaign_ids, 0, -1, 2**64, 999_999]),
        "account_id": st.sampled_from([501, 502, 0, 999, 2**63]),
        "start_date": st.sampled_from(["2099-01-01", "next Monday", "1. Januar 2099", "2020-01-01", "gestern", ""]),
        "end_date": st.sampled_from(["for 30 days", "2099-02-01", "2098-01-01", "0 days", "for 99999 days", "x"]),
        "workspace_id": st.sampled_from([WS, "ws-unknown", " ", WS + "/../x"]),
        "change_id": st.integers(-2, 60),
        "confirm_token": st.sampled_from(["", "x" * 16, "nfs-not-a-token"]),
        "file_path": st.sampled_from(known.paths),
        "image_base64": st.sampled_from([PNG_BASE64, f"data:image/png;base64,{PNG_BASE64}", "bm90IGFuIGltYWdl", "@@"]),
        "content_type": st.sampled_from(["image/png", "image/gif", "text/html", "application/pdf"]),
        "gender_distribution": st.one_of(
            st.dictionaries(
                st.sampled_from(["female", "male", "women", "m", "diverse", "nonBinary", "preferNotToSay", "x"]),
                st.one_of(st.floats(-1, 101), st.integers(-5, 120), st.sampled_from(["55%", "0.5", "half", ""])),
                max_size=5,
            ),
            st.sampled_from(["60% women, 38% men, 2% non-binary", "women", "100", "50/50"]),
        ),
        "country": st.sampled_from(["Germany", "DE", "Deutschland", "deu", "uk", "Atlantis", ""]),
        "native_language": st.sampled_from(["German", "de", "Deutsch", "de-DE", "Klingon", ""]),
        "min_age": st.one_of(st.integers(-5, 130), st.sampled_from(["30", " 30 ", "30.0", "thirty"])),
        "max_age": st.one_of(st.integers(-5, 130), st.sampled_from(["60", "60.5", "sixty"])),
        "urls": st.lists(
            st.sampled_from(["https://example.com", "https://shop.example.de/", "ftp://x", "not a url", ""]),
            max_size=4,
        ),
        "response_format": st.sampled_from(["concise", "detailed", "full"]),
    }
    if name in by_name:
        return by_name[name]
    types = schema.get("type") or [option.get("type") for option in schema.get("anyOf", [])]
    options: list[st.SearchStrategy[Any]] = []
    for kind in [types] if isinstance(types, str) else types:
        if kind == "string":
            options.append(st.text(max_size=30))
        elif kind == "integer":
            options.append(st.integers(-5, 300))
        elif kind == "boolean":
            options.append(st.booleans())
        elif kind == "array":
            options.append(st.lists(st.text(max_size=20), max_size=5))
        elif kind == "object":
            options.append(st.dictionaries(st.text(max_size=12), scalars, max_size=4))
    return st.one_of(options) if options else junk


def arguments(tool: mcp_types.Tool, known: Known) -> st.SearchStrategy[dict[str, Any]]:
    """A third each: plausible arguments, plausible ones with one junk value, and chaos (junk
    anywhere, required keys missing, unknown keys)."""
    properties: dict[str, Any] = tool.input_schema.get("properties", {})
    # Lists, not sets: a set's order changes with the hash seed, and with it every draw.
    required = [name for name in properties if name in tool.input_schema.get("required", [])]
    good = {name: plausible(name, schema, known) for name, schema in properties.items()}
    optional = [name for name in properties if name not in required]

    def merged(*parts: dict[str, Any]) -> dict[str, Any]:
        return {key: value for part in parts for key, value in part.items()}

    clean = st.builds(
        merged,
        st.fixed_dictionaries({name: good[name] for name in required}),
        st.fixed_dictionaries({}, optional={name: good[name] for name in optional}),
    )
    if not properties:
        return st.one_of(clean, st.dictionaries(st.text(min_size=1, max_size=12), junk, max_size=3))
    one_junk = st.builds(lambda args, key, bad: {**args, key: bad}, clean, st.sampled_from(sorted(properties)), junk)
    chaos = st.builds(
        merged,
        st.dictionaries(st.text(min_size=1, max_size=12).filter(lambda k: k not in properties), junk, max_size=2),
        st.fixed_dictionaries({}, optional={name: st.one_of(good[name], junk) for name in properties}),
    )
    return st.one_of(clean, one_junk, chaos)


# -- the server under test ------------------------------------------------------------------------


@dataclass
class Known:
    audience_ids: list[str]
    paths: list[str]
    da_audience_ids: list[int] = field(default_factory=list)
    da_campaign_ids: list[int] = field(default_factory=list)


@dataclass
class Target:
    portal: anyio.from_thread.BlockingPortal
    client: Client
    sandbox: Sandbox
    da_sandbox: Any
    tools: list[mcp_types.Tool]
    strategies: dict[str, st.SearchStrategy[dict[str, Any]]]
    outcomes: Counter[str] = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)

    def call(self, tool: str, args: dict[str, Any]) -> mcp_types.CallToolResult:
        async def guarded() -> mcp_types.CallToolResult:
            with anyio.fail_after(20):
                return await self.client.call_tool(tool, args)

        return self.portal.call(guarded)

    def snapshot(self) -> dict[str, Any]:
        """Every stored audience's update and view times (Digital Audience's too, and its activations):
        a failed call must change none."""
        _, records = self.sandbox.store.list_visible(
            WS, OWNER.user_id, search=None, country=None, native_language=None, offset=0, limit=100_000
        )
        found: dict[str, Any] = {r.id: (r.updated_at, None if r.image is None else r.image.updated_at) for r in records}
        found.update({f"da:{i}": a["updated"] for i, a in self.da_sandbox.audiences.items()})
        found["da:activations"] = len(self.da_sandbox.activations)
        return found


def _backend_factory(app: Any, sandbox: Sandbox) -> Any:
    def factory(settings: Settings) -> Backend:
        assert settings.neuroflash.client_id and settings.neuroflash.client_secret
        client = NeuroflashClient.connect(
            api_url=settings.neuroflash.api_url,
            token_url=settings.neuroflash.token_url,
            client_id=settings.neuroflash.client_id,
            client_secret=settings.neuroflash.client_secret,
            network=httpx2.ASGITransport(app=app),
            retry=RetryPolicy(max_attempts=2),
        )
        return Backend(client=client)

    return factory


@pytest.fixture(scope="module")
def target(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Target]:
    directory = tmp_path_factory.mktemp("bad-input")
    secrets = {OWNER.client_id: CLIENT_SECRET, COLLEAGUE.client_id: COLLEAGUE_SECRET}
    app = create_sandbox_app(SandboxConfig(db_path=str(directory / "sandbox.db"), client_secrets=secrets))
    sandbox: Sandbox = app.state.sandbox
    ids = [sandbox.store.insert_raw(WS, dict(STORED, name=f"Fuzzed leaders {n}")) for n in range(4)]
    colleagues = dict(STORED, name="A colleague's audience")
    ids.append(sandbox.store.insert_raw(WS, colleagues, created_by_user_id=COLLEAGUE.user_id))
    image = directory / "image.png"
    image.write_bytes(PNG)
    paths = [str(image), str(directory), "/etc/passwd", "/dev/zero", "/proc/self/environ", "", "~", *NASTY_TEXT[:12]]
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        api_url=f"{BASE}/api",
        token_url=f"{BASE}/oauth/v2/token",
        client_id=OWNER.client_id,
        client_secret=SecretStr(CLIENT_SECRET),
        access_token=None,
        state_db=str(directory / "journal.db"),
        sandbox=False,
        workspace_id=None,
        read_only=False,
        image_dir=None,
    )
    # Digital Audience too, its session cookies and access tokens sentinels the guard looks for.
    da_app = create_da_sandbox_app(
        DASandboxConfig(cookie_prefix="nfsentinel-da-cookie-", access_tokens=("nfsentinel-da-t1", "nfsentinel-da-t2"))
    )
    da_sandbox = da_app.state.sandbox
    da_campaigns = [int(da_sandbox.create_campaign(1, f"Fuzzed campaign {n}")["id"]) for n in range(2)]
    da_ids = [int(da_sandbox.create_audience(1, f"Fuzzed CRM {n}", "d", da_campaigns[0])["id"]) for n in range(3)]

    def da_backend(_settings: Settings) -> DABackend:
        client = DigitalAudienceClient.connect(
            api_url=f"{BASE}/da",
            username="sandbox-user",
            password=SecretStr("sandbox-password"),
            network=httpx2.ASGITransport(app=da_app),
            retry=RetryPolicy(max_attempts=2),
        )
        return DABackend(client=client)

    factories = {"neuroflash": _backend_factory(app, sandbox), "digital_audience": da_backend}
    server = create_server(settings, backend_factories=factories)
    known = Known(audience_ids=ids, paths=paths, da_audience_ids=da_ids, da_campaign_ids=da_campaigns)
    try:
        with (
            anyio.from_thread.start_blocking_portal() as portal,
            portal.wrap_async_context_manager(Client(server)) as client,
        ):
            tools = portal.call(client.list_tools).tools
            strategies = {tool.name: arguments(tool, known) for tool in tools}
            yield Target(portal, client, sandbox, da_sandbox, tools, strategies)
    finally:
        sandbox.close()


# -- the campaign ---------------------------------------------------------------------------------


def _shown(args: dict[str, Any]) -> str:
    text = repr(args)
    return text if len(text) < 300 else text[:300] + "..."


def sendable(result: mcp_types.CallToolResult) -> bool:
    """Whether the result can be written as JSON, as every real transport must."""
    try:
        result.model_dump_json()
    except ValueError:
        return False
    return True


def check_one_call(target: Target, tool: str, args: dict[str, Any]) -> None:
    before = target.snapshot()
    try:
        result = target.call(tool, args)
    except MCPError as exc:
        target.outcomes["protocol error"] += 1
        target.problems.append(f"{tool}{_shown(args)}: protocol error {exc!r}")
        return
    except TimeoutError:
        target.outcomes["hang"] += 1
        target.problems.append(f"{tool}{_shown(args)}: no answer within 20 s")
        return
    after = target.snapshot()
    lost = set(before) - set(after)
    if lost:
        target.problems.append(f"{tool}{_shown(args)} removed audiences {sorted(lost)}")
    if not sendable(result):
        # In memory nothing is encoded; over stdio the SDK's writer dies on such a message.
        target.outcomes["unsendable result"] += 1
    if not result.is_error:
        target.outcomes["result"] += 1
        return
    if is_crash(tool, result):
        target.outcomes["crash"] += 1
        target.problems.append(f"{tool}{_shown(args)} crashed: {result.content}")
        return
    target.outcomes["tool error"] += 1
    changed = {key for key in after if before.get(key) != after[key]}
    if changed:
        message = error_message(tool, result)[:200]
        target.problems.append(f"{tool}{_shown(args)} failed ({message}) but changed {sorted(changed)}")


@pytest.mark.timeout(campaign_timeout(150))
def test_nonsense_arguments_to_every_tool_end_in_a_result_or_a_tool_error_and_delete_nothing(
    target: Target,
) -> None:
    started = time.perf_counter()
    names = [tool.name for tool in target.tools]
    assert len(names) >= 15, names

    @settings(
        max_examples=CALLS,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],  # problems are collected, not raised: nothing to shrink
        suppress_health_check=list(HealthCheck),
    )
    @given(data=st.data())
    def one_call(data: st.DataObject) -> None:
        tool = data.draw(st.sampled_from(names), label="tool")
        args = data.draw(target.strategies[tool], label="arguments")
        target.outcomes[f"calls to {tool}"] += 1
        check_one_call(target, tool, args)

    one_call()

    # The server still answers normal calls.
    listed = target.call("neuroflash_list_audiences", {"page_size": 5})
    assert not listed.is_error, listed.content
    fetched = target.call("neuroflash_get_audience", {"audience_id": next(iter(target.snapshot()))})
    assert not fetched.is_error, fetched.content

    calls = sum(n for key, n in target.outcomes.items() if key.startswith("calls to "))
    FIGURES["bad input"] = {
        "calls": calls,
        "results": target.outcomes["result"],
        "tool_errors": target.outcomes["tool error"],
        "crashes": target.outcomes["crash"],
        "protocol_errors": target.outcomes["protocol error"],
        "hangs": target.outcomes["hang"],
        "unsendable_results": target.outcomes["unsendable result"],
        "tools": len(names),
        "audiences_after": len(target.snapshot()),
        "seconds": round(time.perf_counter() - started, 1),
    }
    assert not target.problems, f"{len(target.problems)} problems:\n" + "\n".join(target.problems[:25])
    assert calls >= CALLS
    untouched = [name for name in names if not target.outcomes[f"calls to {name}"]]
    assert not untouched, f"tools never called: {untouched}"
