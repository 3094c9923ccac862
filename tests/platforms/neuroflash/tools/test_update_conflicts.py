"""An update overwritten by another API client right after it landed is reported as a conflict (issue 10.5).

The API has no conditional PUT, and another API client takes none of the server's locks, so the
server reads the audience back after its PUT and says so when what it sent is not what is stored.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.harness import STORED_BODY, ServerFactory, call, tool_error

pytestmark = pytest.mark.anyio


class OtherClientWritesAfterThePut:
    """The sandbox app, with another API client overwriting the audience once, right after a PUT of it."""

    def __init__(self, app: Any, body: dict[str, Any]) -> None:
        self.app, self.state, self.body = app, app.state, body
        self.overwritten = False

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await self.app(scope, receive, send)
        if scope["type"] == "http" and scope["method"] == "PUT" and not self.overwritten:
            self.overwritten = True
            audience_id = scope["path"].rstrip("/").rsplit("/", 1)[-1]
            self.state.sandbox.store.replace(audience_id, self.body)


async def test_an_update_overwritten_right_after_its_put_is_a_conflict(make_server: ServerFactory) -> None:
    base = make_server()
    other = OtherClientWritesAfterThePut(base.app, {**STORED_BODY, "interests": ["Other client's list"]})
    harness = make_server(app=other)
    audience_id = harness.seed()

    async with harness.client() as client:
        message = await tool_error(client, "neuroflash_update_audience", audience_id=audience_id, add_interests=["SEO"])
        (change,) = (await call(client, "list_recent_changes"))["changes"]

    assert other.overwritten
    assert message.startswith(f"Conflict: the update was sent (change {change['change_id']})")
    assert "interests" in message and "neuroflash_get_audience" in message
    assert change["status"] == "succeeded"  # it did land; the journal keeps it, so it can be compared or undone


async def test_an_update_that_stays_is_no_conflict(make_server: ServerFactory) -> None:
    harness = make_server()
    audience_id = harness.seed()

    async with harness.client() as client:
        result = await call(client, "neuroflash_update_audience", audience_id=audience_id, add_interests=["SEO"])

    assert result["updated"] is True and result["audience"]["interests"][-1] == "SEO"
