"""Injected faults answer before the handler runs; stats count every request by route template."""

from __future__ import annotations

from collections.abc import Callable

import httpx2
import pytest
from starlette.applications import Starlette

from audience_mcp.core.sandboxkit.faults import format_seconds
from audience_mcp.platforms.neuroflash.sandbox import SANDBOX_WORKSPACE_ID, Sandbox
from tests.support.sandbox import TOKEN_PATH, Api, connect

pytestmark = pytest.mark.anyio

AUDIENCES = "/api/audience-service/v1/workspaces/{workspaceId}/target-audiences"
AUDIENCE = AUDIENCES + "/{targetAudienceId}"


async def test_a_scripted_sequence_is_consumed_in_order_then_requests_are_handled(api: Api, sandbox: Sandbox) -> None:
    sandbox.faults.script([429, None, 503, 500])

    statuses = [(await api.list()).status_code for _ in range(5)]

    assert statuses == [429, 200, 503, 500, 200]


async def test_fault_bodies_carry_the_documented_codes_and_429_a_retry_after(api: Api, sandbox: Sandbox) -> None:
    sandbox.faults.configure(retry_after=0.01)
    sandbox.faults.script([429, 500, 503])

    limited, broken, unavailable = [await api.list() for _ in range(3)]

    assert limited.json() == {"error": "Too many requests", "code": "RATE_LIMIT_EXCEEDED"}
    assert limited.headers["retry-after"] == "0.01"
    assert broken.json()["code"] == "INTERNAL_ERROR"
    assert unavailable.json()["code"] == "SERVICE_UNAVAILABLE"
    assert "retry-after" not in broken.headers


@pytest.mark.parametrize(("seconds", "text"), [(1, "1"), (1.0, "1"), (0.01, "0.01"), (2.5, "2.5"), (0, "0")])
def test_retry_after_is_written_without_needless_decimals(seconds: float, text: str) -> None:
    assert format_seconds(seconds) == text


async def test_a_faulted_post_writes_nothing(api: Api, sandbox: Sandbox) -> None:
    sandbox.faults.script([503])

    response = await api.create()

    assert response.status_code == 503
    assert sandbox.store.count(SANDBOX_WORKSPACE_ID) == 0
    assert (await api.create()).status_code == 201


async def test_faults_come_before_authentication_and_spare_the_token_endpoint(
    http: httpx2.AsyncClient, sandbox: Sandbox
) -> None:
    sandbox.faults.configure(rate=1.0, statuses=[429])

    token = await http.post(
        TOKEN_PATH,
        data={"grant_type": "client_credentials", "client_id": "sandbox-client", "client_secret": "sandbox-secret"},
    )
    unauthenticated = await http.get("/api/workspace-service/v1/workspaces")

    assert token.status_code == 200
    assert unauthenticated.status_code == 429


async def test_a_rate_of_one_faults_everything_and_clear_restores_service(api: Api, sandbox: Sandbox) -> None:
    sandbox.faults.configure(rate=1.0, statuses=[500])
    assert {(await api.list()).status_code for _ in range(5)} == {500}

    sandbox.faults.clear()

    assert (await api.list()).status_code == 200


async def test_a_partial_rate_is_reproducible_with_the_same_seed(make_app: Callable[..., Starlette]) -> None:
    runs = []
    for _ in range(2):
        app = make_app(seed=42)
        app.state.sandbox.faults.configure(rate=0.5, statuses=[429, 503])
        async with connect(app) as api:
            runs.append([(await api.list()).status_code for _ in range(40)])

    assert runs[0] == runs[1]
    assert {429, 503, 200} == set(runs[0])
    assert 8 < runs[0].count(200) < 32


async def test_latency_is_awaited_before_every_api_request(
    api: Api, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    waits: list[float] = []

    async def record(seconds: float) -> None:
        waits.append(seconds)

    monkeypatch.setattr("audience_mcp.platforms.neuroflash.sandbox.app.anyio.sleep", record)
    sandbox.faults.configure(latency=0.25)
    await api.list()
    sandbox.faults.configure(latency=(0.1, 0.2))
    await api.list()

    assert waits[0] == 0.25
    assert 0.1 <= waits[1] <= 0.2


def test_invalid_fault_settings_are_refused(sandbox: Sandbox) -> None:
    with pytest.raises(ValueError):
        sandbox.faults.configure(rate=1.5)
    with pytest.raises(ValueError):
        sandbox.faults.configure(statuses=[200])
    with pytest.raises(ValueError):
        sandbox.faults.configure(latency=(0.3, 0.1))
    with pytest.raises(ValueError):
        sandbox.faults.script([302])


async def test_stats_count_requests_by_method_and_route_template_faulted_ones_included(
    api: Api, sandbox: Sandbox
) -> None:
    created = await api.create_ok()
    await api.request("GET", api.audience(created["id"]))
    sandbox.faults.script([429])
    await api.request("GET", api.audience(created["id"]))

    counts = sandbox.stats.counts

    assert counts["POST /oauth/v2/token"] == 1
    assert counts[f"POST {AUDIENCES}"] == 1
    assert counts[f"GET {AUDIENCE}"] == 2
    assert sandbox.stats.total() == 4
    sandbox.stats.reset()
    assert sandbox.stats.counts == {}
    assert sandbox.stats.total() == 0


async def test_the_admin_routes_drive_faults_stats_and_reset_over_http(api: Api, sandbox: Sandbox) -> None:
    http = api.http
    await api.create_ok()

    scripted = await http.post("/_sandbox/faults", json={"script": [503, None]})
    assert scripted.status_code == 200
    assert [(await api.list()).status_code for _ in range(3)] == [503, 200, 200]

    configured = await http.post("/_sandbox/faults", json={"rate": 1, "statuses": [429], "retry_after": 0.5})
    assert configured.json()["rate"] == 1.0
    limited = await api.list()
    assert (limited.status_code, limited.headers["retry-after"]) == (429, "0.5")
    assert (await http.post("/_sandbox/faults", json={})).status_code == 200
    assert (await api.list()).status_code == 200

    stats = (await http.get("/_sandbox/stats")).json()
    assert stats["counts"][f"GET {AUDIENCES}"] == 5
    assert stats["total"] == sum(stats["counts"].values())
    assert not any(key.split()[1].startswith("/_sandbox") for key in stats["counts"])
    assert (await http.post("/_sandbox/stats/reset")).status_code == 200
    assert (await http.get("/_sandbox/stats")).json() == {"counts": {}, "total": 0, "faults": {}}

    assert (await http.post("/_sandbox/reset")).status_code == 200
    assert sandbox.store.count(SANDBOX_WORKSPACE_ID) == 0


async def test_stats_count_the_injected_faults_by_status_and_reset_clears_them(api: Api, sandbox: Sandbox) -> None:
    http = api.http
    sandbox.faults.configure(retry_after=0.01)
    sandbox.faults.script([429, 503, None, 429])
    statuses = [(await api.list()).status_code for _ in range(5)]

    stats = (await http.get("/_sandbox/stats")).json()

    assert statuses == [429, 503, 200, 429, 200]
    assert stats["faults"] == {"429": 2, "503": 1}
    assert stats["counts"][f"GET {AUDIENCES}"] == 5
    assert sandbox.stats.faults == {429: 2, 503: 1}
    sandbox.stats.reset()
    assert sandbox.stats.faults == {}


@pytest.mark.parametrize(
    "body",
    [{"rate": 2}, {"rate": "often"}, {"statuses": [200]}, {"script": "429"}, {"script": [True]}, {"bogus": 1}],
)
async def test_the_admin_fault_route_refuses_bad_settings_with_400(http: httpx2.AsyncClient, body: object) -> None:
    response = await http.post("/_sandbox/faults", json=body)

    assert response.status_code == 400
    assert "errors" in response.json()
