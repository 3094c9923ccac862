"""Workspaces, the workspace every other tool falls back to, and the plan's limits."""

from __future__ import annotations

import pytest
from mcp import Client

from audience_mcp.platforms.neuroflash.sandbox import SandboxConfig
from tests.support.harness import STORED_BODY, WS, Harness, ServerFactory, call, summaries, tool_error

pytestmark = pytest.mark.anyio

EXTRA = SandboxConfig(db_path=":memory:", extra_workspaces=("Second",))


def second_workspace_id(harness: Harness) -> str:
    return next(w.id for w in harness.sandbox.workspaces if w.name == "Second")


async def test_list_workspaces_names_the_only_workspace_as_default(client: Client) -> None:
    result = await call(client, "neuroflash_list_workspaces")

    assert result["default_workspace_id"] == WS
    assert result["workspaces"] == [{"id": WS, "name": "Sandbox workspace", "role": "OWNER", "is_default": True}]


async def test_list_workspaces_has_no_default_when_several_exist_and_none_is_configured(
    make_server: ServerFactory,
) -> None:
    harness = make_server(config=EXTRA)
    async with harness.client() as client:
        result = await call(client, "neuroflash_list_workspaces")

    assert result["default_workspace_id"] is None
    assert {w["name"] for w in result["workspaces"]} == {"Sandbox workspace", "Second"}
    assert not any(w["is_default"] for w in result["workspaces"])


async def test_the_only_workspace_is_used_when_none_is_given(harness: Harness, client: Client) -> None:
    audience_id = harness.seed()

    result = await call(client, "neuroflash_list_audiences")

    assert [a["id"] for a in summaries(result)] == [audience_id]


async def test_several_workspaces_without_a_choice_is_an_error_that_lists_them(make_server: ServerFactory) -> None:
    harness = make_server(config=EXTRA)
    second = second_workspace_id(harness)
    async with harness.client() as client:
        message = await tool_error(client, "neuroflash_list_audiences")

    assert "pass workspace_id" in message
    assert f"Sandbox workspace (id {WS})" in message
    assert f"Second (id {second})" in message
    assert "NEUROFLASH_WORKSPACE_ID" in message


async def test_an_explicit_workspace_id_wins_over_the_setting(make_server: ServerFactory) -> None:
    harness = make_server(config=EXTRA, workspace_id=WS)
    second = second_workspace_id(harness)
    in_second = harness.sandbox.store.insert_raw(second, dict(STORED_BODY, name="In the second workspace"))
    harness.seed()
    async with harness.client() as client:
        result = await call(client, "neuroflash_list_audiences", workspace_id=second)

    assert [a["id"] for a in summaries(result)] == [in_second]


async def test_the_configured_workspace_is_used_and_reported_as_default(make_server: ServerFactory) -> None:
    harness = make_server(config=EXTRA)
    second = second_workspace_id(harness)
    harness = make_server(app=harness.app, workspace_id=second)
    in_second = harness.sandbox.store.insert_raw(second, dict(STORED_BODY, name="In the second workspace"))
    harness.seed()
    async with harness.client() as client:
        listed = await call(client, "neuroflash_list_audiences")
        workspaces = await call(client, "neuroflash_list_workspaces")

    assert [a["id"] for a in summaries(listed)] == [in_second]
    assert workspaces["default_workspace_id"] == second
    assert [w["id"] for w in workspaces["workspaces"] if w["is_default"]] == [second]


async def test_an_unknown_workspace_id_points_to_list_workspaces(client: Client) -> None:
    message = await tool_error(client, "neuroflash_list_audiences", workspace_id="no-such-workspace")

    assert "neuroflash_list_workspaces" in message


async def test_limits_report_usage_limit_and_remaining(make_server: ServerFactory) -> None:
    harness = make_server(config=SandboxConfig(db_path=":memory:", create_limit=3))
    harness.seed()
    async with harness.client() as client:
        limits = await call(client, "neuroflash_get_audience_limits")

    assert limits == {
        "workspace_id": WS,
        "usage": 1,
        "limit": 3,
        "remaining": 2,
        "is_unlimited": False,
        "can_create": True,
    }


async def test_limits_at_the_limit_say_nothing_can_be_created(make_server: ServerFactory) -> None:
    harness = make_server(config=SandboxConfig(db_path=":memory:", create_limit=1))
    harness.seed()
    async with harness.client() as client:
        limits = await call(client, "neuroflash_get_audience_limits")

    assert (limits["usage"], limits["limit"], limits["remaining"], limits["can_create"]) == (1, 1, 0, False)


async def test_unlimited_plans_have_no_limit_number(make_server: ServerFactory) -> None:
    harness = make_server(config=SandboxConfig(db_path=":memory:", create_limit=None))
    async with harness.client() as client:
        limits = await call(client, "neuroflash_get_audience_limits")

    assert limits["is_unlimited"] is True
    assert limits["limit"] is None and limits["remaining"] is None
    assert limits["can_create"] is True
