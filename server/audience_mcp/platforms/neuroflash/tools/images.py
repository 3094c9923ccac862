"""Audience image tools: get (metadata and URL), set (from a file or base64), delete.

A change is made only by the audience's creator (checked first), and only when the image it
replaces or removes was backed up, so restore_change can always put it back. A file is read
off the event loop, in a worker thread with a deadline and a size cap, so a device or a /proc
file that blocks cannot freeze the server.
"""

from __future__ import annotations

import base64
import binascii
import mimetypes
import os
import stat
from pathlib import Path
from typing import Annotated

import anyio
import anyio.to_thread
from mcp.server.mcpserver import Context
from pydantic import BaseModel, Field

from audience_mcp.core.mcp.quoting import quoted
from audience_mcp.core.store.writes import journaled_write
from audience_mcp.platforms.neuroflash.api import ImageUpload, NotFoundError
from audience_mcp.platforms.neuroflash.tools.errors import api_errors, tool_error
from audience_mcp.platforms.neuroflash.tools.journaling import NO_IMAGE, audience_key, image_backup
from audience_mcp.platforms.neuroflash.tools.permissions import require_updatable
from audience_mcp.platforms.neuroflash.tools.state import AppState, app_state
from audience_mcp.platforms.neuroflash.tools.views import ImageView, image_view

MAX_IMAGE_BYTES = 5 * 1024 * 1024
# A local image file reads in milliseconds; a read still running after this is stuck (a device,
# a pipe behind a /proc entry) and is given up, its worker thread abandoned.
FILE_READ_DEADLINE_SECONDS = 10.0
IMAGE_TYPES = ("image/png", "image/jpeg", "image/gif", "image/webp")
AudienceId = str
WorkspaceId = str | None


class ImageInfo(BaseModel):
    audience_id: str
    has_image: bool
    image: ImageView | None = None


class ImageResult(ImageInfo):
    change_id: int | None = Field(default=None, description="Journal entry; restore_change can undo it")


class SetImageResult(ImageResult):
    adjustments: list[str]


def _content_type_note(declared: str | None, kind: str) -> list[str]:
    """A content_type the bytes contradict is not sent; the model hears so (image/jpg is JPEG)."""
    claim = (declared or "").strip().lower()
    if not claim or claim.replace("image/jpg", "image/jpeg") == kind:
        return []
    return [f"content_type: the bytes are {kind}, not {declared!r}; sent as {kind}."]


def _sniff(data: bytes) -> str | None:
    """The image type from the first bytes, so a wrong or missing content_type is caught."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


_OUTSIDE_IMAGE_DIR = (
    "file_path must name a file inside the server's image directory (AUDIENCE_MCP_IMAGE_DIR); "
    "send image_base64 instead."
)


def read_image_file(file_path: str, allowed_dir: Path | None = None) -> tuple[bytes, str]:
    """The bytes and file name of a local image; `allowed_dir` confines the path when given.

    Confinement is checked before anything else, with one answer for every path outside the
    directory: a remote caller must learn neither which files exist nor where the directory is.
    """
    try:
        # What resolve() would raise uncaught: ValueError for a NUL byte, UnicodeEncodeError
        # (a ValueError) for a lone surrogate; and RuntimeError for "~user" of an unknown user.
        if "\x00" in file_path:
            raise ValueError("a NUL byte names no file")
        os.fsencode(file_path)
        path = Path(file_path).expanduser()
    except (ValueError, RuntimeError):
        if allowed_dir is not None:
            raise tool_error(_OUTSIDE_IMAGE_DIR) from None
        raise tool_error(f"No readable file at file_path {quoted(file_path)}.") from None
    if allowed_dir is not None:
        root = allowed_dir.expanduser().resolve()
        candidate = path if path.is_absolute() else root / path
        # resolve() follows symlinks, so a link inside the directory pointing out is caught too.
        if not candidate.resolve().is_relative_to(root):
            raise tool_error(_OUTSIDE_IMAGE_DIR)
        path = candidate
    try:
        resolved = path.resolve(strict=True)
    except (OSError, RuntimeError):
        raise tool_error(f"No readable file at file_path {quoted(file_path)}.") from None
    return _read_regular_file(resolved, file_path), resolved.name


def _nonblocking(path: str, flags: int) -> int:
    # O_NONBLOCK: opening a FIFO does not wait for a writer, and files that honour it (/proc/kmsg)
    # answer at once instead of waiting for data; regular files ignore it.
    return os.open(path, flags | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))  # POSIX-only flags


def _read_regular_file(resolved: Path, file_path: str) -> bytes:
    """At most MAX_IMAGE_BYTES of a regular file; every failure is a ToolError naming file_path."""
    try:
        with open(resolved, "rb", opener=_nonblocking) as file:
            # Checked on the open file, not the path: what is read is what was checked.
            if not stat.S_ISREG(os.fstat(file.fileno()).st_mode):
                raise tool_error(f"file_path {quoted(file_path)} is not a regular file; send an image file.")
            # Not trusting st_size: /proc files say 0 and then return data; one byte more tells "too large".
            data = file.read(MAX_IMAGE_BYTES + 1)
    except OSError as exc:
        reason = os.strerror(exc.errno) if exc.errno else type(exc).__name__
        raise tool_error(
            f"Could not read file_path {quoted(file_path)} ({reason}); send image_base64 instead."
        ) from None
    if data is None:  # a non-blocking file with nothing to read yet
        raise tool_error(f"file_path {quoted(file_path)} has no data to read now; send an image file.")
    if len(data) > MAX_IMAGE_BYTES:
        raise tool_error("The image is larger than 5 MB; send a smaller one.")
    return data


async def read_image_file_async(file_path: str, allowed_dir: Path | None = None) -> tuple[bytes, str]:
    """`read_image_file` in a worker thread with a deadline: the event loop keeps answering."""
    try:
        with anyio.fail_after(FILE_READ_DEADLINE_SECONDS):
            # abandon_on_cancel: a read stuck in the kernel cannot be interrupted; the call returns anyway.
            return await anyio.to_thread.run_sync(read_image_file, file_path, allowed_dir, abandon_on_cancel=True)
    except TimeoutError:
        raise tool_error(
            f"Reading file_path {quoted(file_path)} did not finish within {FILE_READ_DEADLINE_SECONDS:g} seconds "
            "(a device or special file?); send a regular image file or image_base64."
        ) from None


def decode_image_base64(image_base64: str) -> bytes:
    text = image_base64.strip()
    if text.startswith("data:") and "," in text:
        text = text.split(",", 1)[1]  # accept data: URLs as models often produce them
    try:
        data = base64.b64decode("".join(text.split()), validate=True)
    except (binascii.Error, ValueError):
        raise tool_error("image_base64 is not valid base64. Send the file's bytes base64-encoded.") from None
    if len(data) > MAX_IMAGE_BYTES:
        raise tool_error("The image is larger than 5 MB; send a smaller one.")
    return data


def image_upload(
    data: bytes, *, file_name: str | None, content_type: str | None, source_name: str | None
) -> ImageUpload:
    # Every supported type has a signature, so bytes without one are not an image, whatever
    # content_type or the file name claim (a declared type must not smuggle text or PDFs in).
    kind = _sniff(data)
    if kind is None:
        declared = (content_type or "").strip().lower() or mimetypes.guess_type(file_name or source_name or "")[0]
        claim = f", although declared as {declared}" if declared else ""
        raise tool_error(f"Not a supported image (the bytes are not PNG, JPEG, GIF or WebP{claim}); send one of those.")
    name = (file_name or source_name or "").strip() or f"audience{mimetypes.guess_extension(kind) or ''}"
    return ImageUpload(base64=base64.b64encode(data).decode("ascii"), content_type=kind, file_name=name)


async def _check_may_change(state: AppState, workspace_id: str, audience_id: str, change: str) -> None:
    """Refuse at once, naming the creator, when these credentials may not change the audience."""
    with api_errors(change, audience_id=audience_id):
        audience = await state.client.get_audience(workspace_id, audience_id)
    require_updatable(audience, change)


async def neuroflash_get_audience_image(
    ctx: Context, audience_id: AudienceId, workspace_id: WorkspaceId = None
) -> ImageInfo:
    """An audience's image: file name and URL."""
    state = app_state(ctx)
    ws = await state.workspace_id(workspace_id)
    with api_errors("get the image", audience_id=audience_id):
        try:
            image = await state.client.get_image(ws, audience_id)
        except NotFoundError as exc:
            if exc.code != "IMAGE_NOT_FOUND":
                raise
            return ImageInfo(audience_id=audience_id, has_image=False)
    return ImageInfo(audience_id=audience_id, has_image=True, image=image_view(image))


async def neuroflash_set_audience_image(
    ctx: Context,
    audience_id: AudienceId,
    file_path: Annotated[str | None, Field(description="PNG, JPEG, GIF or WebP file, max 5 MB")] = None,
    image_base64: Annotated[str | None, Field(description="Or base64 (a data: URL works)")] = None,
    content_type: Annotated[str | None, Field(description="Read from the bytes if omitted")] = None,
    file_name: str | None = None,
    workspace_id: WorkspaceId = None,
) -> SetImageResult:
    """Set or replace an audience's image from a file or base64."""
    state = app_state(ctx)
    if (file_path is None) == (image_base64 is None):
        raise tool_error("Pass exactly one of file_path or image_base64.")
    if file_path is not None:
        # Over HTTP a remote caller must not read the server's files, unless an image directory is set.
        if state.image_dir is None and state.refuse_file_paths:
            raise tool_error("file_path is disabled on this server; send image_base64 instead.")
        data, source_name = await read_image_file_async(file_path, state.image_dir)
    else:
        data, source_name = decode_image_base64(image_base64 or ""), None
    upload = image_upload(data, file_name=file_name, content_type=content_type, source_name=source_name)
    ws = await state.workspace_id(workspace_id)
    async with state.locks.hold(audience_id):
        await _check_may_change(state, ws, audience_id, "set the image")
        # So restore_change can put the previous image back; refused (nothing sent) if it cannot be read.
        previous = await image_backup(state, ws, audience_id, action="set the image")
        written = await journaled_write(
            state.journal,
            audience_key(ws, audience_id),
            state.client.set_image(ws, audience_id, upload),
            tool="neuroflash_set_audience_image",
            action="image_set",
            # The new bytes are not kept a second time: the image's URL has them, and an undo
            # needs only the previous image.
            request=upload.model_dump(by_alias=True, exclude={"base64"}),
            image=previous,
            errors=api_errors("set the image", audience_id=audience_id, writes=True),
        )
    image = written.result
    return SetImageResult(
        audience_id=audience_id,
        has_image=True,
        image=image_view(image),
        change_id=written.change_id,
        adjustments=_content_type_note(content_type, upload.content_type),
    )


async def neuroflash_delete_audience_image(
    ctx: Context, audience_id: AudienceId, workspace_id: WorkspaceId = None
) -> ImageResult:
    """Remove an audience's image; no error if it has none."""
    state = app_state(ctx)
    ws = await state.workspace_id(workspace_id)
    async with state.locks.hold(audience_id):
        await _check_may_change(state, ws, audience_id, "delete the image")
        previous = await image_backup(state, ws, audience_id, action="delete the image")
        if previous == NO_IMAGE:
            return ImageResult(audience_id=audience_id, has_image=False)
        written = await journaled_write(
            state.journal,
            audience_key(ws, audience_id),
            state.client.delete_image(ws, audience_id),
            tool="neuroflash_delete_audience_image",
            action="image_delete",
            image=previous,
            errors=api_errors("delete the image", audience_id=audience_id, writes=True),
        )
    return ImageResult(audience_id=audience_id, has_image=False, change_id=written.change_id)
