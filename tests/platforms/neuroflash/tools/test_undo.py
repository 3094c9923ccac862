"""The journal and restore_change: every write recorded, each one undoable."""

from __future__ import annotations

import base64
import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from mcp import Client

from audience_mcp.core.mcp.confirmations import Confirmations
from audience_mcp.platforms.neuroflash.sandbox import ImageData
from tests.support.harness import (
    OWNER,
    PNG_BASE64,
    PNG_BYTES,
    STORED_BODY,
    WS,
    Answer,
    Harness,
    ServerFactory,
    call,
    stored,
    stored_literals,
    tool_error,
)

pytestmark = pytest.mark.anyio


class Clock:
    def __init__(self) -> None:
        self.now = 5_000.0

    def __call__(self) -> float:
        return self.now


OTHER_PNG = base64.b64encode(PNG_BYTES + b"\x00").decode("ascii")  # different bytes, still sniffed as PNG


async def delete_with_token(client: Client, audience_id: str) -> dict[str, Any]:
    preview = await call(client, "neuroflash_delete_audience", audience_id=audience_id)
    return await call(
        client, "neuroflash_delete_audience", audience_id=audience_id, confirm_token=preview["confirm_token"]
    )


async def test_restoring_an_update_gives_back_the_exact_previous_profile(harness: Harness, client: Client) -> None:
    audience_id = harness.seed({**STORED_BODY, "additionalInformation": "B2B", "futureField": {"a": [1]}})
    before = stored_literals(harness.sandbox, audience_id)
    update = await call(
        client,
        "neuroflash_update_audience",
        audience_id=audience_id,
        name="Renamed",
        remove_interests="AI",
        country="France",
    )

    restored = await call(client, "restore_change", change_id=update["change_id"])

    assert restored["status"] == "restored"
    assert {c["field"] for c in restored["changed"]} == {"name", "interests", "country"}
    assert stored_literals(harness.sandbox, audience_id) == before


async def test_an_update_is_not_undone_over_a_later_edit_unless_forced(harness: Harness, client: Client) -> None:
    audience_id = harness.seed()
    first = await call(client, "neuroflash_update_audience", audience_id=audience_id, name="First edit")
    await call(client, "neuroflash_update_audience", audience_id=audience_id, residence="Later edit")

    message = await tool_error(client, "restore_change", change_id=first["change_id"])
    assert "force=true" in message
    assert stored(harness.sandbox, audience_id)["name"] == "First edit"

    forced = await call(client, "restore_change", change_id=first["change_id"], force=True)
    assert forced["status"] == "restored"
    assert stored(harness.sandbox, audience_id)["name"] == STORED_BODY["name"]


async def test_restoring_a_delete_recreates_an_equal_profile_and_its_image_under_a_new_id(
    harness: Harness, client: Client
) -> None:
    audience_id = harness.seed(image=ImageData(PNG_BYTES, "image/png", "logo.png"))
    before = stored(harness.sandbox, audience_id)
    deleted = await delete_with_token(client, audience_id)

    restored = await call(client, "restore_change", change_id=deleted["change_id"])

    new_id = restored["new_audience_id"]
    assert restored["status"] == "restored" and new_id != audience_id
    assert stored(harness.sandbox, new_id) == before
    image = await call(client, "neuroflash_get_audience_image", audience_id=new_id)
    assert image["has_image"] and image["image"]["file_name"] == "logo.png"
    fetched = await harness.sandbox_bytes(image["image"]["url"])
    assert fetched == PNG_BYTES


async def test_restoring_a_create_deletes_it_only_after_confirmation(harness: Harness, client: Client) -> None:
    created = await call(client, "neuroflash_create_audience", name="Oops", min_age=20, max_age=30, residence="Berlin")
    audience_id = created["audience"]["id"]

    first = await call(client, "restore_change", change_id=created["change_id"])
    assert first["status"] == "confirmation_required" and harness.sandbox.store.count(WS) == 1

    done = await call(client, "restore_change", change_id=created["change_id"], confirm_token=first["confirm_token"])
    assert done["status"] == "restored" and done["audience_id"] == audience_id
    assert harness.sandbox.store.count(WS) == 0
    second = await tool_error(client, "restore_change", change_id=created["change_id"])
    assert "already undone" in second


async def create(client: Client) -> dict[str, Any]:
    return await call(client, "neuroflash_create_audience", name="Oops", min_age=20, max_age=30, residence="Berlin")


@pytest.mark.parametrize("token", ["made-up", "used"])
async def test_a_wrong_or_used_token_on_restore_change_names_restore_change(
    harness: Harness, client: Client, token: str
) -> None:
    created = await create(client)
    if token == "used":
        first = await call(client, "restore_change", change_id=created["change_id"])
        token = first["confirm_token"]
        await call(client, "restore_change", change_id=created["change_id"], confirm_token=token)
        created = await create(client)

    message = await tool_error(client, "restore_change", change_id=created["change_id"], confirm_token=token)

    assert f"Call restore_change(change_id={created['change_id']}) without a token" in message
    assert "neuroflash_delete_audience" not in message
    assert harness.sandbox.store.count(WS) == 1


async def test_an_expired_token_on_restore_change_names_restore_change(harness: Harness, client: Client) -> None:
    clock = Clock()
    (await harness.app_state(client)).confirmations = Confirmations(clock=clock)
    created = await create(client)
    token = (await call(client, "restore_change", change_id=created["change_id"]))["confirm_token"]

    clock.now += 600.0
    message = await tool_error(client, "restore_change", change_id=created["change_id"], confirm_token=token)

    assert "expired" in message and f"Call restore_change(change_id={created['change_id']})" in message
    assert harness.sandbox.store.count(WS) == 1


async def test_a_delete_token_does_not_confirm_a_restore(harness: Harness, client: Client) -> None:
    created = await create(client)
    audience_id = created["audience"]["id"]
    token = (await call(client, "neuroflash_delete_audience", audience_id=audience_id))["confirm_token"]

    message = await tool_error(client, "restore_change", change_id=created["change_id"], confirm_token=token)

    assert f"issued for audience '{audience_id}' (delete, neuroflash_delete_audience(" in message
    assert f"Call restore_change(change_id={created['change_id']}) without a token" in message
    assert harness.sandbox.store.count(WS) == 1
    # Refused, not spent: the delete it was shown for still goes through with it.
    done = await call(client, "neuroflash_delete_audience", audience_id=audience_id, confirm_token=token)
    assert done["status"] == "deleted"


async def test_a_restore_token_for_one_audience_does_not_confirm_the_restore_of_another(
    harness: Harness, client: Client
) -> None:
    first, second = await create(client), await create(client)
    token = (await call(client, "restore_change", change_id=first["change_id"]))["confirm_token"]

    message = await tool_error(client, "restore_change", change_id=second["change_id"], confirm_token=token)

    assert f"issued for audience '{first['audience']['id']}'" in message
    assert f"Call restore_change(change_id={second['change_id']}) without a token" in message
    assert harness.sandbox.store.count(WS) == 2


async def test_a_restore_token_does_not_confirm_a_delete(harness: Harness, client: Client) -> None:
    created = await create(client)
    audience_id = created["audience"]["id"]
    token = (await call(client, "restore_change", change_id=created["change_id"]))["confirm_token"]

    message = await tool_error(client, "neuroflash_delete_audience", audience_id=audience_id, confirm_token=token)

    assert f"Call neuroflash_delete_audience(audience_id='{audience_id}') without a token" in message
    assert harness.sandbox.store.count(WS) == 1


async def test_restoring_a_duplicate_asks_the_user_when_the_client_can_be_asked(harness: Harness) -> None:
    original = harness.seed()
    async with harness.client(elicitation_callback=Answer("accept", {"confirm": True})) as client:
        duplicate = await call(client, "neuroflash_duplicate_audience", audience_id=original)
        restored = await call(client, "restore_change", change_id=duplicate["change_id"])
    assert restored["status"] == "restored"
    assert harness.sandbox.store.count(WS) == 1 and stored(harness.sandbox, original) == STORED_BODY


async def test_restoring_an_image_change_puts_the_previous_image_back(harness: Harness, client: Client) -> None:
    audience_id = harness.seed(image=ImageData(PNG_BYTES, "image/png", "old.png"))
    changed = await call(
        client, "neuroflash_set_audience_image", audience_id=audience_id, image_base64=OTHER_PNG, file_name="new.png"
    )

    await call(client, "restore_change", change_id=changed["change_id"])

    image = await call(client, "neuroflash_get_audience_image", audience_id=audience_id)
    assert image["image"]["file_name"] == "old.png"
    assert await harness.sandbox_bytes(image["image"]["url"]) == PNG_BYTES


async def test_restoring_the_first_image_of_an_audience_removes_it(harness: Harness, client: Client) -> None:
    audience_id = harness.seed()
    changed = await call(client, "neuroflash_set_audience_image", audience_id=audience_id, image_base64=PNG_BASE64)

    await call(client, "restore_change", change_id=changed["change_id"])

    assert (await call(client, "neuroflash_get_audience_image", audience_id=audience_id))["has_image"] is False


async def test_recent_changes_are_newest_first_and_filter_by_audience(harness: Harness, client: Client) -> None:
    mine, other = harness.seed(), harness.seed()
    await call(client, "neuroflash_update_audience", audience_id=mine, name="One")
    await call(client, "neuroflash_update_audience", audience_id=other, name="Elsewhere")
    await call(client, "neuroflash_update_audience", audience_id=mine, name="Two")

    everything = await call(client, "list_recent_changes")
    log = await call(client, "list_recent_changes", audience_id=mine)

    assert [c["audience_name"] for c in everything["changes"]] == ["Two", "Elsewhere", "One"]
    assert [c["audience_name"] for c in log["changes"]] == ["Two", "One"]
    assert all(c["status"] == "succeeded" and c["changed_fields"] == ["name"] for c in log["changes"])


async def test_a_failed_write_is_journaled_as_failed_and_cannot_be_restored(harness: Harness, client: Client) -> None:
    mine = harness.seed()
    # The GET of the update passes, its PUT is refused. (A colleague's update no longer makes a
    # failed row: it is refused before anything is journaled or sent.)
    harness.sandbox.faults.script([None, 403])
    await tool_error(client, "neuroflash_update_audience", audience_id=mine, name="Not mine", workspace_id=WS)
    (failed,) = (await call(client, "list_recent_changes"))["changes"]
    message = await tool_error(client, "restore_change", change_id=failed["change_id"])

    assert failed["status"] == "failed" and "Not allowed to update the audience" in failed["error"]
    assert "failed" in message and stored(harness.sandbox, mine) == STORED_BODY


async def test_the_journal_survives_a_restart_of_the_server(make_server: ServerFactory, tmp_path: Path) -> None:
    journal = str(tmp_path / "journal.db")
    first = make_server(state_db=journal)
    audience_id = first.seed()
    async with first.client() as client:
        update = await call(client, "neuroflash_update_audience", audience_id=audience_id, max_age=60)

    restarted = make_server(state_db=journal, app=first.app)
    async with restarted.client() as client:
        log = await call(client, "list_recent_changes")
        assert [c["change_id"] for c in log["changes"]] == [update["change_id"]]
        await call(client, "restore_change", change_id=update["change_id"])
    assert stored(first.sandbox, audience_id)["maxAge"] == STORED_BODY["maxAge"]


async def test_the_journal_holds_no_secret(make_server: ServerFactory, tmp_path: Path) -> None:
    journal = tmp_path / "journal.db"
    harness = make_server(state_db=str(journal))
    audience_id = harness.seed(image=ImageData(PNG_BYTES))
    async with harness.client() as client:
        await call(client, "neuroflash_update_audience", audience_id=audience_id, name="Secretless")
        await delete_with_token(client, audience_id)
    content = journal.read_bytes() + b"".join(p.read_bytes() for p in tmp_path.glob("journal.db-*"))
    assert OWNER.client_secret.encode() not in content
    assert b"Bearer" not in content and b"access_token" not in content


async def test_restore_is_not_offered_in_read_only_mode(make_server: ServerFactory) -> None:
    harness = make_server(read_only=True)
    async with harness.client() as client:
        names = {tool.name for tool in (await client.list_tools()).tools}
    assert "list_recent_changes" in names and "restore_change" not in names


@pytest.mark.parametrize("change_id", [2**63, -(2**63) - 1, 10**100])
async def test_restoring_a_change_id_beyond_sqlite_integers_says_there_is_no_such_change(
    client: Client, change_id: int
) -> None:
    # Found by the bad-input campaign: SQLite's OverflowError crashed the tool.
    message = await tool_error(client, "restore_change", change_id=change_id)

    assert f"No change {change_id} in the journal" in message


def _journal_rows(path: Path) -> list[dict[str, Any]]:
    with sqlite3.connect(path) as db:
        db.row_factory = sqlite3.Row
        return [dict(row) for row in db.execute("SELECT * FROM changes ORDER BY id")]


async def test_every_kind_of_journaled_snapshot_keeps_gender_shares_as_json_numbers(
    make_server: ServerFactory, tmp_path: Path
) -> None:
    # The undo of an update once journaled a JSON-mode dump, with the shares as strings.
    path = tmp_path / "journal.db"
    harness = make_server(state_db=str(path))
    audience_id = harness.seed()
    shares = {"female": 0.6, "male": 0.4}
    async with harness.client() as client:
        created = await call(
            client, "neuroflash_create_audience", name="New", min_age=20, max_age=30, residence="Bonn",
            gender_distribution=shares,
        )  # fmt: skip
        update = await call(client, "neuroflash_update_audience", audience_id=audience_id, gender_distribution=shares)
        await call(client, "restore_change", change_id=update["change_id"])
        await call(client, "neuroflash_duplicate_audience", audience_id=audience_id)
        deleted = await delete_with_token(client, created["audience"]["id"])
        await call(client, "restore_change", change_id=deleted["change_id"])

    seen = set()
    for row in _journal_rows(path):
        for column in ("before_json", "request_json", "after_json"):
            body = json.loads(row[column]) if row[column] else {}
            if "genderDistribution" in body:
                seen.add((row["tool"], row["action"], column))
                values = body["genderDistribution"].values()
                assert all(type(v) in (int, float) for v in values), (row["tool"], column, body["genderDistribution"])
    assert seen >= {
        ("neuroflash_create_audience", "create", "request_json"),
        ("neuroflash_create_audience", "create", "after_json"),
        ("neuroflash_update_audience", "update", "before_json"),
        ("neuroflash_update_audience", "update", "request_json"),
        ("neuroflash_update_audience", "update", "after_json"),
        ("restore_change", "update", "before_json"),
        ("restore_change", "update", "request_json"),
        ("restore_change", "update", "after_json"),
        ("neuroflash_duplicate_audience", "duplicate", "after_json"),
        ("neuroflash_delete_audience", "delete", "before_json"),
        ("restore_change", "create", "request_json"),
        ("restore_change", "create", "after_json"),
    }


async def test_recent_changes_filter_by_platform(harness: Harness, client: Client) -> None:
    audience_id = harness.seed()
    await call(client, "neuroflash_update_audience", audience_id=audience_id, name="One")

    mine = await call(client, "list_recent_changes", platform="neuroflash")
    none = await call(client, "list_recent_changes", platform="elsewhere")

    assert [c["audience_name"] for c in mine["changes"]] == ["One"] and none["changes"] == []


async def test_an_undo_and_its_mark_are_written_together(harness: Harness, client: Client) -> None:
    audience_id = harness.seed()
    update = await call(client, "neuroflash_update_audience", audience_id=audience_id, name="One")
    await call(client, "restore_change", change_id=update["change_id"])

    journal = (await harness.app_state(client)).journal
    undone, undo = journal.get(update["change_id"]), journal.recent(limit=1)[0]
    assert undone is not None and undone.restored_by == undo.id and undo.restores == undone.id
    assert (undo.platform, undo.scope_id, undo.resource_type, undo.resource_id) == (
        "neuroflash",
        WS,
        "audience",
        audience_id,
    )
