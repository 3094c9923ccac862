"""stdio without silent drops: every line that is not a valid message gets its JSON-RPC error.

The SDK's stdio transport (mcp 2.3, `mcp.server.stdio.stdio_server`) parses each line with
pydantic; when that fails it hands the exception to the session, which only logs it. So a line
that is not JSON, a JSON-RPC batch, or a request holding a lone-surrogate escape (`"\\ud800"`,
valid JSON grammar but not Unicode; even inside `params._meta`) got no reply at all, and the
client waited forever. Over HTTP the SDK answers such bodies with an error.

Rather than patch the SDK, this module wraps its stdin stream (`stdio_server(stdin=...)`, the
SDK's own hook): valid lines pass through unchanged; for any other line the guard answers on
the SDK's write stream, as HTTP would:
- not JSON: -32700 (parse error), id null;
- a batch: -32600 (batches are not supported), one error per request id in it (id null if none);
- JSON that is not a valid message (a lone surrogate, a missing method, ...): -32600 with the
  request's id when it has a usable one, so the waiting request is answered.
An invalid *response* from the client (it has `result` or `error`) is logged, never answered.

Running the server on these streams needs its low-level server, which MCPServer only exposes as
`_lowlevel_server` (the SDK's own `mcp.Client` reaches it the same way); `serve_stdio` does
exactly what `MCPServer.run_stdio_async` does, with the guarded stdin. Like the SDK, it points
fd 0 at the null device while serving, so a child process cannot read the protocol's input.
"""

from __future__ import annotations

import io
import json
import logging
import os
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import suppress
from typing import IO, Any, cast

import anyio
import mcp_types as types
from anyio.streams.memory import MemoryObjectReceiveStream, MemoryObjectSendStream
from mcp.server.mcpserver import MCPServer
from mcp.server.stdio import stdio_server
from mcp.shared.message import SessionMessage
from pydantic import ValidationError

logger = logging.getLogger(__name__)

MAX_REASON = 200  # error texts stay short; they never quote the offending input


def _has_surrogate(value: Any) -> bool:
    if isinstance(value, str):
        return any(0xD800 <= ord(char) <= 0xDFFF for char in value)
    if isinstance(value, dict):
        return any(_has_surrogate(k) or _has_surrogate(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_surrogate(item) for item in value)
    return False


def _usable_id(value: Any) -> str | int | None:
    if isinstance(value, bool) or not isinstance(value, str | int):
        return None
    if isinstance(value, str) and _has_surrogate(value):
        return None  # it could not be written back
    return value


def _error(request_id: str | int | None, code: int, message: str) -> types.JSONRPCError:
    return types.JSONRPCError(jsonrpc="2.0", id=request_id, error=types.ErrorData(code=code, message=message))


def _first_problem(exc: ValidationError) -> str:
    # Location and message only: pydantic's input echo could be long or hold the bad text itself.
    problems = exc.errors(include_input=False, include_url=False)
    if not problems:
        return "not a valid JSON-RPC 2.0 message"
    first = problems[-1] if len(problems) > 1 else problems[0]
    where = ".".join(str(part) for part in first["loc"][1:]) or "message"
    return f"{where}: {first['msg']}"[:MAX_REASON]


def replies_for(line: str) -> list[types.JSONRPCError] | None:
    """None when the SDK can read `line`; else the errors to send back (maybe none)."""
    if not line.strip():
        return []  # an empty line is no message: nothing to answer
    try:
        types.jsonrpc_message_adapter.validate_json(line, by_name=False)
        return None
    except ValidationError as exc:
        problem = exc
    try:
        value = json.loads(line)  # Python's parser accepts lone surrogates, so the id can be read
    except ValueError:
        return [
            _error(None, types.PARSE_ERROR, "Parse error: the line is not JSON. Send one JSON-RPC message per line.")
        ]
    if isinstance(value, list):
        text = "Invalid Request: JSON-RPC batches are not supported; send one message per line."
        ids = [_usable_id(item.get("id")) for item in value if isinstance(item, dict) and "method" in item]
        answered = [_error(request_id, types.INVALID_REQUEST, text) for request_id in ids if request_id is not None]
        return answered or [_error(None, types.INVALID_REQUEST, text)]
    if not isinstance(value, dict):
        return [_error(None, types.INVALID_REQUEST, "Invalid Request: a message must be a JSON object.")]
    if "method" not in value and ("result" in value or "error" in value):
        logger.warning("Ignoring an invalid response from the client: %s", _first_problem(problem))
        return []
    if _has_surrogate(value):
        text = (
            "Invalid Request: the message contains a lone surrogate escape (such as \\ud800), which is "
            "not valid Unicode. Send the text as valid UTF-8."
        )
    else:
        text = f"Invalid Request: {_first_problem(problem)}."
    return [_error(_usable_id(value.get("id")), types.INVALID_REQUEST, text)]


class GuardedLines:
    """The lines of stdin the SDK can read; the rest are answered through `replies`."""

    def __init__(self, lines: Any, replies: MemoryObjectSendStream[SessionMessage]) -> None:
        self._lines = lines
        self._replies = replies

    def __aiter__(self) -> AsyncIterator[str]:
        return self._iterate()

    async def _iterate(self) -> AsyncIterator[str]:
        async with self._replies:
            async for line in self._lines:
                errors = replies_for(line)
                if errors is None:
                    yield line
                    continue
                for error in errors:
                    logger.info("Answering an unreadable stdio line with JSON-RPC error %d", error.error.code)
                    await self._replies.send(SessionMessage(error))


class _UnownedText(io.TextIOWrapper):
    """A text layer whose close never closes the buffer beneath it (as the SDK's own)."""

    def close(self) -> None:
        with suppress(ValueError):
            self.detach()


def _private_stdin() -> tuple[IO[bytes], Callable[[], None]]:
    """Stdin's bytes from a private descriptor, fd 0 pointed at the null device meanwhile."""
    try:
        if sys.platform == "win32" or sys.stdin.fileno() != 0:
            return sys.stdin.buffer, lambda: None
        import fcntl

        private = fcntl.fcntl(0, fcntl.F_DUPFD_CLOEXEC, 3)
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.close(null)
    except (AttributeError, OSError, ValueError):
        return sys.stdin.buffer, lambda: None

    def restore() -> None:
        # The private descriptor stays open: a worker thread may still block reading it.
        os.dup2(private, 0)

    return os.fdopen(private, "rb", closefd=False), restore


async def _forward(replies: MemoryObjectReceiveStream[SessionMessage], write_stream: Any) -> None:
    async with replies:
        async for reply in replies:
            try:
                await write_stream.send(reply)
            except (anyio.ClosedResourceError, anyio.BrokenResourceError):
                return


async def serve_stdio(server: MCPServer[Any]) -> None:
    """`MCPServer.run_stdio_async`, with every unreadable line answered."""
    lowlevel = server._lowlevel_server  # see the module docstring
    replies_send, replies_receive = anyio.create_memory_object_stream[SessionMessage](100)
    binary, restore = _private_stdin()
    try:
        text = anyio.wrap_file(_UnownedText(binary, encoding="utf-8", errors="replace"))
        stdin = cast(anyio.AsyncFile[str], GuardedLines(text, replies_send))
        async with stdio_server(stdin=stdin) as (read_stream, write_stream), anyio.create_task_group() as tasks:
            tasks.start_soon(_forward, replies_receive, write_stream)
            await lowlevel.run(read_stream, write_stream, lowlevel.create_initialization_options())
            tasks.cancel_scope.cancel()
    finally:
        restore()
