"""neuroflash's side of the journal: the key of an audience, and the image kept before a write.

Every write of the neuroflash tools goes through `core.store.writes.journaled_write` with
`audience_key`; snapshots of audiences are made by `core.store.snapshots.snapshot` (exact
Decimals, journaled as JSON numbers), never by a tool's own model_dump.

An image journaled before a write is one of three things: the upload body of the image it had,
`NO_IMAGE`, or (in rows written before backups were required) `{"unavailable": why}`. A write
that would replace an image it cannot back up is refused (`image_backup`), and an undo never
treats "unknown" as "there was none" (`image_to_restore`), so no undo removes an image.
"""

from __future__ import annotations

import base64
import logging
from typing import Any

from audience_mcp.core.store.keys import ResourceKey
from audience_mcp.core.store.snapshots import snapshot
from audience_mcp.platforms.neuroflash.api import APIError, Audience, AudienceImage, ImageUpload, NotFoundError
from audience_mcp.platforms.neuroflash.tools.errors import tool_error
from audience_mcp.platforms.neuroflash.tools.state import AppState

logger = logging.getLogger(__name__)

PLATFORM = "neuroflash"
NO_IMAGE: dict[str, Any] = {"none": True}


def audience_key(workspace_id: str, audience_id: str | None) -> ResourceKey:
    """The journal key of an audience (None: the audience a create is about to make)."""
    return ResourceKey(PLATFORM, workspace_id, "audience", audience_id)


def audience_json(audience: Audience) -> dict[str, Any]:
    """The audience exactly as the API returned it: the journal's one snapshot function."""
    return snapshot(audience)


async def image_snapshot(
    state: AppState, workspace_id: str, audience_id: str, image: AudienceImage | None = None
) -> dict[str, Any]:
    """The audience's current image as an upload body, `NO_IMAGE`, or a note why it is missing.

    Taken before an image change or a delete, so restore_change can put the image back. It
    never raises an APIError: a failed read is `{"unavailable": why}`, which `image_backup`
    turns into a refusal of the write.
    """
    try:
        if image is None:
            try:
                image = await state.client.get_image(workspace_id, audience_id)
            except NotFoundError as exc:
                if exc.code == "IMAGE_NOT_FOUND":
                    return NO_IMAGE
                raise
        if not image.url:
            return {"unavailable": "the image has no URL"}
        data, content_type = await state.client.fetch_image_bytes(image.url)
    except APIError as exc:
        logger.warning("Could not back up the image of audience %s: %s", audience_id, type(exc).__name__)
        return {"unavailable": f"download failed ({type(exc).__name__})"}
    return ImageUpload(
        base64=base64.b64encode(data).decode("ascii"),
        content_type=content_type.split(";")[0].strip(),
        file_name=image.file_name or "image",
    ).to_body()


async def image_backup(
    state: AppState, workspace_id: str, audience_id: str, image: AudienceImage | None = None, *, action: str
) -> dict[str, Any]:
    """The image a write is about to replace or remove, as `image_snapshot` takes it; refused if unreadable.

    Without the bytes the write could not be undone (restore_change would have nothing to put
    back), so nothing is sent: the user learns why and can try again.
    """
    backup = await image_snapshot(state, workspace_id, audience_id, image)
    if "unavailable" in backup:
        raise tool_error(
            f"Did not {action}: the audience's current image could not be backed up ({backup['unavailable']}), "
            "so the change could not be undone. Nothing was changed; try again in a minute."
        )
    return backup


def image_to_restore(change_id: int, journaled: dict[str, Any] | None) -> ImageUpload | None:
    """For an undo of an image change: the image to upload again, or None when there was none.

    A row whose image is unknown (not backed up) is refused rather than read as "no image":
    undoing by removing the current image would lose it too.
    """
    if journaled and journaled.get("base64"):
        return ImageUpload.model_validate(journaled)
    if journaled == NO_IMAGE:
        return None
    why = (journaled or {}).get("unavailable") or "it was not recorded"
    raise tool_error(
        f"Change {change_id} cannot be undone: the image from before it was not backed up ({why}), so there is "
        "nothing to put back, and removing the current image would only lose it too. Nothing was changed; set "
        "the image you want with neuroflash_set_audience_image."
    )
