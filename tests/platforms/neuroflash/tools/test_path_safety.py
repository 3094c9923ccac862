"""Ids that a URL layer would rewrite (`..`, `.`, `""`, slashes, control characters) never reach the API.

Issue 10, point 1: `neuroflash_record_audience_usage(audience_id="..")` sent
`PUT .../workspaces/{ws}/usage`, and a delete of `..` asked about the workspace and then sent
`DELETE .../workspaces/{ws}`. Every id now passes core/http's one segment check before anything
is sent; the sandbox counts the requests that arrived.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.harness import WS, Answer, Harness, ServerFactory, call, tool_error

pytestmark = pytest.mark.anyio

BAD_IDS = ["..", ".", "", "   ", "...", "a/b", "a\\b", "x\x00y", "x\ny", "\u202eid", "a" * 201]


def api_requests(harness: Harness) -> int:
    """Requests that reached the API routes (the token endpoint does not count)."""
    return sum(n for key, n in harness.sandbox.stats.counts.items() if " /api/" in key)


@pytest.mark.parametrize("bad", BAD_IDS, ids=repr)
async def test_a_usage_record_for_an_unsafe_audience_id_sends_nothing(harness: Harness, bad: str) -> None:
    harness.seed()
    async with harness.client() as client:
        message = await tool_error(client, "neuroflash_record_audience_usage", audience_id=bad, workspace_id=WS)
    assert "audience_id" in message and "nothing was sent" in message.lower()
    # "..." is refused one step earlier, as the placeholder an audit fix writes; the rest as unsafe paths.
    assert ("placeholder" if bad == "..." else "not a valid id") in message
    assert api_requests(harness) == 0


async def test_a_delete_of_dot_dot_asks_nothing_and_sends_nothing(harness: Harness) -> None:
    harness.seed()
    answer = Answer("accept", {"confirm": True})
    async with harness.client(elicitation_callback=answer) as client:
        message = await tool_error(client, "neuroflash_delete_audience", audience_id="..", workspace_id=WS)
    assert "not a valid id" in message
    assert answer.questions == []
    assert api_requests(harness) == 0


@pytest.mark.parametrize("bad", ["..", ".", "ws/../x", "ws\x00"], ids=repr)
async def test_an_unsafe_workspace_id_sends_nothing(harness: Harness, bad: str) -> None:
    audience_id = harness.seed()
    async with harness.client() as client:
        for tool, args in [
            ("neuroflash_get_audience", {"audience_id": audience_id}),
            ("neuroflash_list_audiences", {}),
            ("neuroflash_get_audience_limits", {}),
        ]:
            message = await tool_error(client, tool, workspace_id=bad, **args)
            assert "workspace_id" in message, (tool, message)
    assert api_requests(harness) == 0


class AnswersForAnother:
    """The sandbox behind a router that resolves one audience's path to another's."""

    def __init__(self, app: Any, asked: str, served: str) -> None:
        self.app, self.state, self.asked, self.served = app, app.state, asked, served

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and self.asked in scope["path"]:
            path = scope["path"].replace(self.asked, self.served)
            scope = {**scope, "path": path, "raw_path": path.encode()}
        await self.app(scope, receive, send)


async def test_an_answer_for_another_audience_is_refused(harness: Harness, make_server: ServerFactory) -> None:
    asked = harness.seed()
    served = harness.seed({**harness.sandbox.store.get_raw(asked), "name": "Someone else"})  # type: ignore[dict-item]
    routed = make_server(app=AnswersForAnother(harness.app, asked, served))
    async with routed.client() as client:
        message = await tool_error(client, "neuroflash_get_audience", audience_id=asked)
        preview = await client.call_tool("neuroflash_delete_audience", {"audience_id": asked})
    assert f"Asked for audience '{asked}'" in message and served in message
    assert preview.is_error
    assert harness.sandbox.store.get_raw(served) is not None


async def test_a_normal_id_still_works(harness: Harness) -> None:
    audience_id = harness.seed()
    async with harness.client() as client:
        result = await call(client, "neuroflash_get_audience", audience_id=audience_id)
    assert result["audience"]["id"] == audience_id
