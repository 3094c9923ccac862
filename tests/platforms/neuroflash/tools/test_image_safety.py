"""Image changes that can always be undone, and file reads that cannot freeze the server (issues 10.4, 10.6)."""

from __future__ import annotations

import builtins
import io
import os
import threading
import time
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp import Client

from audience_mcp.platforms.neuroflash.sandbox import ImageData
from audience_mcp.platforms.neuroflash.tools import images
from audience_mcp.platforms.neuroflash.tools.journaling import audience_key
from tests.support.harness import PNG_BASE64, PNG_BYTES, WS, Harness, call, tool_error

pytestmark = pytest.mark.anyio

AUDIENCE = "/api/audience-service/v1/workspaces/{workspaceId}/target-audiences/{targetAudienceId}"
PUT_IMAGE = f"PUT {AUDIENCE}/image"
DELETE_IMAGE = f"DELETE {AUDIENCE}/image"
OLD_IMAGE = ImageData(PNG_BYTES, file_name="old.png")


def image_of(harness: Harness, audience_id: str) -> tuple[str, bytes] | None:
    record = harness.sandbox.store.get_image(audience_id)
    if record is None:
        return None
    found = harness.sandbox.store.image_bytes(record.id)
    assert found is not None
    return record.file_name, found[1]


@pytest.mark.parametrize(
    ("tool", "args"),
    [
        pytest.param("neuroflash_set_audience_image", {"image_base64": PNG_BASE64, "file_name": "new.png"}, id="set"),
        pytest.param("neuroflash_delete_audience_image", {}, id="delete"),
    ],
)
async def test_an_image_change_whose_backup_cannot_be_read_is_refused_and_nothing_is_sent(
    harness: Harness, client: Client, tool: str, args: dict[str, Any]
) -> None:
    audience_id = harness.seed(image=OLD_IMAGE)
    # The GET of the audience (permissions) passes; the GET of its image, the backup read, fails.
    harness.sandbox.faults.script([None, 500])

    message = await tool_error(client, tool, audience_id=audience_id, workspace_id=WS, **args)

    assert "current image could not be backed up" in message and "Nothing was changed" in message
    assert harness.sandbox.stats.get(PUT_IMAGE) == 0 and harness.sandbox.stats.get(DELETE_IMAGE) == 0
    assert image_of(harness, audience_id) == ("old.png", PNG_BYTES)
    assert (await harness.app_state(client)).journal.recent() == []


async def test_undoing_an_image_change_whose_earlier_image_is_unknown_removes_nothing(
    harness: Harness, client: Client
) -> None:
    audience_id = harness.seed(image=OLD_IMAGE)
    # A row as servers before this fix wrote it: the change went out although the backup failed.
    journal = (await harness.app_state(client)).journal
    change_id = journal.begin(
        audience_key(WS, audience_id),
        tool="neuroflash_set_audience_image",
        action="image_set",
        image={"unavailable": "download failed (ServerError)"},
    )
    journal.succeed(change_id, after=None)

    message = await tool_error(client, "restore_change", change_id=change_id)

    assert f"Change {change_id} cannot be undone" in message and "not backed up" in message
    assert harness.sandbox.stats.get(DELETE_IMAGE) == 0 and harness.sandbox.stats.get(PUT_IMAGE) == 0
    assert image_of(harness, audience_id) == ("old.png", PNG_BYTES)


async def test_an_image_change_and_its_undo_bring_the_old_image_back(harness: Harness, client: Client) -> None:
    audience_id = harness.seed(image=OLD_IMAGE)
    changed = await call(
        client, "neuroflash_set_audience_image", audience_id=audience_id, image_base64=PNG_BASE64, file_name="new.png"
    )

    await call(client, "restore_change", change_id=changed["change_id"])

    assert image_of(harness, audience_id) == ("old.png", PNG_BYTES)


# -- file reads (10.6) ------------------------------------------------------------------------------


class StuckFile(io.RawIOBase):
    """A file whose read blocks like /proc/kmsg with an empty ring buffer (until released)."""

    def __init__(self, real: Any, released: threading.Event) -> None:
        self.real, self.released = real, released  # `real`: a regular file, for fstat

    def readable(self) -> bool:
        return True

    def fileno(self) -> int:
        return int(self.real.fileno())

    def close(self) -> None:
        self.real.close()
        super().close()

    def read(self, size: int = -1) -> bytes:
        self.released.wait(timeout=5)
        return b""

    readall = read  # type: ignore[assignment]


async def test_a_read_that_blocks_leaves_the_server_answering_and_ends_in_a_tool_error(
    harness: Harness, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # No portable regular file blocks on read (the real case is /proc/kmsg), so open() is faked
    # for this one path; everything else opens as usual.
    stuck = tmp_path / "kmsg"
    stuck.write_bytes(b"")
    released = threading.Event()
    real_open = builtins.open

    def fake_open(file: Any, *args: Any, **kwargs: Any) -> Any:
        if str(file) == str(stuck):
            return StuckFile(real_open(stuck, "rb"), released)
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", fake_open)
    monkeypatch.setattr(io, "open", fake_open)  # what pathlib opens with
    monkeypatch.setattr(images, "FILE_READ_DEADLINE_SECONDS", 1.0)
    audience_id = harness.seed()
    outcome: dict[str, Any] = {}

    try:
        async with harness.client() as client:

            async def set_image() -> None:
                outcome["result"] = await client.call_tool(
                    "neuroflash_set_audience_image", {"audience_id": audience_id, "file_path": str(stuck)}
                )

            async with anyio.create_task_group() as group:
                group.start_soon(set_image)
                await anyio.sleep(0.1)
                started = time.monotonic()
                with anyio.fail_after(0.5):
                    await client.list_tools()  # any request; ping is gone from the 2026-07-28 protocol
                answer_seconds = time.monotonic() - started
    finally:
        released.set()

    assert answer_seconds < 0.5
    result = outcome["result"]
    assert result.is_error
    text = result.content[0].text
    assert "did not finish within 1 seconds" in text and "image_base64" in text
    assert harness.sandbox.stats.get(PUT_IMAGE) == 0


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        pytest.param(lambda tmp: "/proc/self/mem", "Could not read file_path", id="proc-self-mem"),
        pytest.param(lambda tmp: str(tmp), "(Is a directory)", id="directory"),
        pytest.param(
            lambda tmp: (os.mkfifo(tmp / "pipe.png"), str(tmp / "pipe.png"))[1],
            "not a regular file",
            id="fifo-opened-without-waiting-for-a-writer",
            marks=pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here"),
        ),
    ],
)
async def test_every_read_error_is_a_tool_error(
    harness: Harness, client: Client, tmp_path: Path, make: Any, expected: str
) -> None:
    audience_id = harness.seed()

    message = await tool_error(
        client, "neuroflash_set_audience_image", audience_id=audience_id, file_path=make(tmp_path)
    )

    assert expected in message
    assert harness.sandbox.stats.get(PUT_IMAGE) == 0


async def test_a_file_larger_than_the_cap_is_refused_whatever_its_size_says(
    harness: Harness, client: Client, tmp_path: Path
) -> None:
    big = tmp_path / "big.png"
    big.write_bytes(PNG_BYTES + b"\0" * images.MAX_IMAGE_BYTES)
    audience_id = harness.seed()

    message = await tool_error(client, "neuroflash_set_audience_image", audience_id=audience_id, file_path=str(big))

    assert "larger than 5 MB" in message
