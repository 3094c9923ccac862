"""API failures reach the model as ToolErrors that say what to do next (never is_error False)."""

from __future__ import annotations

import base64

import pytest
from mcp import Client

from audience_mcp.platforms.neuroflash.sandbox import ImageData, SandboxConfig
from tests.support.harness import (
    OWNER,
    PNG_BASE64,
    STORED_BODY,
    WS,
    Harness,
    ServerFactory,
    call,
    stored,
    tool_error,
)

pytestmark = pytest.mark.anyio

GET_ONE = "GET /api/audience-service/v1/workspaces/{workspaceId}/target-audiences/{targetAudienceId}"
CREATE = "POST /api/audience-service/v1/workspaces/{workspaceId}/target-audiences"
BASIC = {"name": "Marketing leads", "min_age": 25, "max_age": 45, "residence": "Berlin"}


@pytest.mark.parametrize(
    ("tool", "args"),
    [
        ("neuroflash_update_audience", {"name": "Taken over"}),
        ("neuroflash_set_audience_image", {"image_base64": PNG_BASE64}),
        ("neuroflash_delete_audience_image", {}),
    ],
)
async def test_changing_someone_elses_audience_says_to_duplicate_it(
    harness: Harness, colleague: Harness, tool: str, args: dict[str, object]
) -> None:
    # The owner's, shared with the workspace, with an image so deleting the image would change something.
    audience_id = harness.seed(image=ImageData(base64.b64decode(PNG_BASE64)))

    async with colleague.client() as client:
        message = await tool_error(client, tool, audience_id=audience_id, **args)

    assert "only the creator" in message
    assert "neuroflash_duplicate_audience" in message
    assert stored(harness.sandbox, audience_id) == STORED_BODY
    # Refused before anything is sent (issue 11.1): the creator is named, no write reaches the API.
    assert OWNER.user_id in message and '"Sandbox User"' in message
    writes = [key for key in harness.sandbox.stats.counts if key.split()[0] in ("PUT", "POST", "DELETE")]
    assert writes == ["POST /oauth/v2/token"]  # the colleague's token, nothing else


async def test_someone_elses_private_audience_is_not_found(harness: Harness, colleague: Harness) -> None:
    audience_id = harness.seed({**STORED_BODY, "shared": False})

    async with colleague.client() as client:
        message = await tool_error(client, "neuroflash_get_audience", audience_id=audience_id)

    assert "neuroflash_list_audiences" in message


@pytest.mark.parametrize(
    ("tool", "args"),
    [
        ("neuroflash_create_audience", BASIC),
        ("neuroflash_duplicate_audience", {"audience_id": "$seeded"}),
    ],
)
async def test_the_plan_limit_says_how_many_are_used(
    make_server: ServerFactory, tool: str, args: dict[str, object]
) -> None:
    harness = make_server(config=SandboxConfig(db_path=":memory:", create_limit=1))
    seeded = harness.seed()
    args = {k: seeded if v == "$seeded" else v for k, v in args.items()}

    async with harness.client() as client:
        message = await tool_error(client, tool, **args)

    assert "Plan limit reached: 1 of 1 audiences used" in message
    assert "neuroflash_delete_audience" in message
    assert harness.sandbox.store.count(WS) == 1


async def test_an_unknown_audience_says_to_call_list_audiences(client: Client) -> None:
    message = await tool_error(client, "neuroflash_get_audience", audience_id="3f0c0000-0000-0000-0000-000000000000")

    assert "'3f0c0000-0000-0000-0000-000000000000' was not found" in message
    assert "Call neuroflash_list_audiences" in message


async def test_rate_limiting_after_the_retries_says_when_to_try_again(harness: Harness, client: Client) -> None:
    audience_id = harness.seed()
    await call(client, "neuroflash_list_audiences")  # token and workspace are settled before the faults
    harness.sandbox.faults.script([429, 429])

    message = await tool_error(client, "neuroflash_get_audience", audience_id=audience_id)

    assert "rate-limiting" in message and "HTTP 429" in message
    assert "Call the tool again in 1 second." in message
    assert harness.sandbox.stats.get(GET_ONE) == 2  # tried, retried once, then gave up


async def test_a_rate_limited_create_is_retried_and_succeeds_once(harness: Harness, client: Client) -> None:
    await call(client, "neuroflash_list_audiences")
    harness.sandbox.faults.script([429])

    result = await call(client, "neuroflash_create_audience", **BASIC)

    assert result["created"] is True
    assert harness.sandbox.store.count(WS) == 1


async def test_an_unconfirmed_write_says_to_check_before_retrying(harness: Harness, client: Client) -> None:
    audience_id = harness.seed()
    await call(client, "neuroflash_list_audiences")
    harness.sandbox.faults.script([None, 503, 503])  # the GET of the update passes, its PUT does not

    message = await tool_error(client, "neuroflash_update_audience", audience_id=audience_id, name="New name")

    assert "may or may not have been applied" in message
    assert "neuroflash_get_audience" in message


async def test_a_server_error_on_a_read_says_nothing_changed(harness: Harness, client: Client) -> None:
    await call(client, "neuroflash_list_audiences")
    harness.sandbox.faults.script([503, 503])

    message = await tool_error(client, "neuroflash_list_audiences")

    assert "nothing was changed" in message


async def test_wrong_credentials_name_the_settings_to_check(make_server: ServerFactory) -> None:
    harness = make_server(client_secret="wrong-secret")

    async with harness.client() as client:
        message = await tool_error(client, "neuroflash_list_workspaces")
        again = await tool_error(client, "neuroflash_get_audience", audience_id="x", workspace_id=WS)

    for text in (message, again):
        assert "HTTP 401" in text
        assert "NEUROFLASH_CLIENT_ID" in text and "NEUROFLASH_CLIENT_SECRET" in text
        assert "wrong-secret" not in text


@pytest.mark.parametrize(
    ("tool", "args"),
    [
        pytest.param("neuroflash_get_audience", {"audience_id": "a" * 100_000}, id="id-too-long-for-a-url"),
        pytest.param("neuroflash_record_audience_usage", {"audience_id": "\ud800"}, id="id-with-a-lone-surrogate"),
        pytest.param(
            "neuroflash_get_audience_limits", {"workspace_id": "ws-\udfff"}, id="workspace-with-a-lone-surrogate"
        ),
        pytest.param("neuroflash_list_audiences", {"search": "a" * 100_000}, id="search-too-long-for-a-url"),
        pytest.param("neuroflash_list_audiences", {"search": "lead\ud83d"}, id="search-with-a-lone-surrogate"),
        pytest.param(
            "neuroflash_create_audience", {**BASIC, "residence": "Berlin \ud83d"}, id="body-with-a-lone-surrogate"
        ),
    ],
)
async def test_a_value_that_cannot_be_put_into_a_request_is_a_tool_error_and_nothing_is_sent(
    harness: Harness, client: Client, tool: str, args: dict[str, object]
) -> None:
    # Found by the bad-input campaign: these crashed (httpx2.InvalidURL, UnicodeEncodeError).
    # A lone surrogate reaches a tool when a client sends the JSON escape "\ud800".
    message = await tool_error(client, tool, **{"workspace_id": WS, **args})

    assert "nothing was sent" in message
    assert not [route for route in harness.sandbox.stats.counts if " /api/" in route]
