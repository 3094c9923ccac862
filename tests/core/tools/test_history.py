"""The shared history tools: one undo per change however many calls race for it, and clear refusals.

The undo itself is a platform's (tests/platforms/*/tools/test_undo.py); these tests drive the shared
tool through the real MCP client, with neuroflash's sandbox as the platform.
"""

from __future__ import annotations

from typing import Any

import anyio
import pytest
from mcp import Client

from audience_mcp.core.store.journal import Journal
from tests.support.harness import WS, Harness, ServerFactory, call, tool_error

pytestmark = pytest.mark.anyio


async def deleted_audience(harness: Harness, client: Client) -> int:
    audience_id = harness.seed()
    preview = await call(client, "neuroflash_delete_audience", audience_id=audience_id)
    done = await call(
        client, "neuroflash_delete_audience", audience_id=audience_id, confirm_token=preview["confirm_token"]
    )
    change_id = done["change_id"]
    assert isinstance(change_id, int)
    return change_id


async def test_five_concurrent_restores_of_one_delete_recreate_it_once(harness: Harness, client: Client) -> None:
    change_id = await deleted_audience(harness, client)
    results: list[Any] = []

    async def restore() -> None:
        results.append(await client.call_tool("restore_change", {"change_id": change_id}))

    async with anyio.create_task_group() as group:
        for _ in range(5):
            group.start_soon(restore)

    restored = [r for r in results if not r.is_error]
    refused = [r.content[0].text for r in results if r.is_error]
    assert len(restored) == 1 and len(refused) == 4
    assert harness.sandbox.store.count(WS) == 1  # re-created once, not five times
    for text in refused:
        assert (
            f"Change {change_id} is being undone by another call right now" in text
            or f"Change {change_id} was already undone by change" in text
        )


async def test_restores_from_two_servers_on_one_state_file_recreate_once(
    make_server: ServerFactory, tmp_path: Any
) -> None:
    state_db = str(tmp_path / "state.db")
    first = make_server(state_db=state_db)
    second = make_server(state_db=state_db, app=first.app)  # same sandbox, same journal file
    async with Client(first.server) as one, Client(second.server) as two:
        change_id = await deleted_audience(first, one)
        results: list[Any] = []

        async def restore(client: Client) -> None:
            results.append(await client.call_tool("restore_change", {"change_id": change_id}))

        async with anyio.create_task_group() as group:
            for client in (one, two, one, two):
                group.start_soon(restore, client)

    assert sum(not r.is_error for r in results) == 1
    assert first.sandbox.store.count(WS) == 1


async def test_a_stale_claim_of_a_dead_process_does_not_block_the_undo_forever(
    harness: Harness, client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    change_id = await deleted_audience(harness, client)
    state = await harness.app_state(client)
    journal: Journal = state.journal
    abandoned = journal.claim_restore(change_id)  # a process that died holding the claim
    assert abandoned.won

    blocked = await tool_error(client, "restore_change", change_id=change_id)
    assert "is being undone by another call right now" in blocked

    monkeypatch.setattr("audience_mcp.core.store.journal.CLAIM_TTL_SECONDS", 0.0)
    restored = await call(client, "restore_change", change_id=change_id)
    assert restored["status"] == "restored"


async def test_a_declined_or_refused_restore_releases_its_claim(harness: Harness, client: Client) -> None:
    created = await call(client, "neuroflash_create_audience", name="Oops", min_age=20, max_age=30, residence="Berlin")

    first = await call(client, "restore_change", change_id=created["change_id"])  # asks: nothing done yet
    second = await call(client, "restore_change", change_id=created["change_id"])  # not blocked by the first

    assert first["status"] == second["status"] == "confirmation_required"


async def test_restoring_a_create_whose_audience_was_deleted_names_the_delete(harness: Harness, client: Client) -> None:
    created = await call(client, "neuroflash_create_audience", name="Oops", min_age=20, max_age=30, residence="Berlin")
    audience_id = created["audience"]["id"]
    preview = await call(client, "neuroflash_delete_audience", audience_id=audience_id)
    deleted = await call(
        client, "neuroflash_delete_audience", audience_id=audience_id, confirm_token=preview["confirm_token"]
    )

    message = await tool_error(client, "restore_change", change_id=created["change_id"])

    assert message == (
        f"Audience '{audience_id}' was already deleted (change {deleted['change_id']}), so there is nothing to undo "
        f"for change {created['change_id']}."
    )


async def test_restoring_a_create_whose_audience_vanished_elsewhere_says_so(harness: Harness, client: Client) -> None:
    created = await call(client, "neuroflash_create_audience", name="Oops", min_age=20, max_age=30, residence="Berlin")
    assert harness.sandbox.store.delete(created["audience"]["id"])

    message = await tool_error(client, "restore_change", change_id=created["change_id"])

    assert "no longer exists (deleted outside this server)" in message
    assert "list_audiences" not in message


async def test_recent_changes_name_their_platform(harness: Harness, client: Client) -> None:
    await call(client, "neuroflash_update_audience", audience_id=harness.seed(), name="Renamed")

    (change,) = (await call(client, "list_recent_changes"))["changes"]

    assert (change["platform"], change["action"], change["changed_fields"]) == ("neuroflash", "update", ["name"])


async def test_changes_without_a_token_are_by_local_and_filter_by_actor(harness: Harness, client: Client) -> None:
    change_id = await deleted_audience(harness, client)

    listed = await call(client, "list_recent_changes")
    assert [(c["change_id"], c["actor"]) for c in listed["changes"]] == [(change_id, "local")]
    assert (await call(client, "list_recent_changes", actor="LOCAL"))["changes"][0]["change_id"] == change_id
    assert (await call(client, "list_recent_changes", actor="someone-else"))["changes"] == []
