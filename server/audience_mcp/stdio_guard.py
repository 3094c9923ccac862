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
fd 0 at the null device and fd 1 at stderr while serving, so a child process cannot read the
protocol's input and stray output cannot corrupt it.

The SDK reads each line and writes each message (write, then flush) through a worker thread:
three thread hand-offs per call, which cost as much CPU per call as the rest of the SDK's
handling (issue 9 measured about 0.5 ms of the no-op server's 1.1 ms per call on two cores).
When stdin and stdout are pipes or sockets of their own (how an MCP host starts a server),
`serve_stdio` reads and writes them on the event loop instead (`connect_read_pipe` /
`connect_write_pipe`), the SDK's `stdio_server` still parsing and serializing every message; any
other stdio (a terminal, a file, stdout shared with stderr) is served the SDK's threaded way.
"""

from __future__ import annotations

import asyncio
import io
import json
import logging
import os
import stat
import sys
from collections.abc import AsyncIterable, AsyncIterator, Callable
from contextlib import asynccontextmanager, suppress
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
# The longest line read from a stdin pipe (the threaded path has no limit; a 5 MB image as base64 is 7 MB).
MAX_LINE_BYTES = 128 * 1024 * 1024
_TOO_LONG = "\x00 line too long"  # what _PipeLines yields for a line over MAX_LINE_BYTES


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
                if line is _TOO_LONG:
                    text = f"Invalid Request: the message is longer than {MAX_LINE_BYTES // 2**20} MiB."
                    errors: list[types.JSONRPCError] | None = [_error(None, types.INVALID_REQUEST, text)]
                else:
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


class _PipeLines:
    """The lines of a stdin pipe, read on the event loop."""

    def __init__(self, reader: asyncio.StreamReader) -> None:
        self._reader = reader

    def __aiter__(self) -> AsyncIterator[str]:
        return self._iterate()

    async def _iterate(self) -> AsyncIterator[str]:
        while True:
            try:
                line = await self._reader.readline()
            except ValueError:  # over MAX_LINE_BYTES: the reader dropped what it held of it
                yield _TOO_LONG
                continue
            if not line:
                return
            yield line.decode("utf-8", errors="replace")


class _Drain(asyncio.Protocol):
    """Flow control of a stdout pipe: `drain` waits while the pipe is full, fails once it is closed."""

    def __init__(self) -> None:
        self._writable = asyncio.Event()
        self._writable.set()
        self._lost: BaseException | None = None
        self.closed = False

    def pause_writing(self) -> None:
        self._writable.clear()

    def resume_writing(self) -> None:
        self._writable.set()

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed, self._lost = True, exc
        self._writable.set()

    async def drain(self) -> None:
        await self._writable.wait()
        if self.closed:
            raise BrokenPipeError("stdout was closed") from self._lost


class _PipeOut:
    """The SDK's stdout (`write`, then `flush` per message), written by the event loop."""

    def __init__(self, transport: asyncio.WriteTransport, protocol: _Drain) -> None:
        self._transport = transport
        self._protocol = protocol

    async def write(self, text: str) -> None:
        if self._protocol.closed:
            raise BrokenPipeError("stdout was closed")
        self._transport.write(text.encode("utf-8"))

    async def flush(self) -> None:
        await self._protocol.drain()


def _own_pipes() -> bool:
    """Whether stdin and stdout are pipes or sockets of their own, the event loop's to read and write.

    A terminal or a file stays threaded, and so does stdout shared with stderr (the non-blocking
    mode the event loop sets would reach stderr's writes too).
    """
    if sys.platform == "win32":
        return False
    try:
        if sys.stdin.fileno() != 0 or sys.stdout.fileno() != 1:
            return False
        stdin, stdout, stderr = (os.fstat(fd) for fd in (0, 1, 2))
        asyncio.get_running_loop()
    except (AttributeError, OSError, ValueError, RuntimeError):
        return False
    if not all(stat.S_ISFIFO(s.st_mode) or stat.S_ISSOCK(s.st_mode) for s in (stdin, stdout)):
        return False
    return not any(os.path.samestat(a, b) for a, b in ((stdin, stdout), (stdin, stderr), (stdout, stderr)))


def _divert(fd: int, to: int) -> tuple[int, Callable[[], None]]:
    """`fd` moved to a private descriptor and pointed at `to` (closed here); the restore puts it back."""
    import fcntl

    private = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 3)
    os.dup2(to, fd)
    os.close(to)

    def restore() -> None:
        with suppress(OSError):
            os.set_blocking(private, True)  # the event loop made the pipe non-blocking
            os.dup2(private, fd)
        with suppress(OSError):
            os.close(private)

    return private, restore


class _PipeStdio:
    """stdin's lines and stdout, read and written by the event loop; fd 0 and fd 1 diverted meanwhile."""

    def __init__(self) -> None:
        self._restores: list[Callable[[], None]] = []
        self._transports: list[asyncio.BaseTransport] = []

    @classmethod
    async def open(cls) -> tuple[_PipeLines, _PipeOut, _PipeStdio] | None:
        """None (nothing changed) when a descriptor cannot be diverted or connected."""
        loop = asyncio.get_running_loop()
        pipes = cls()
        try:
            stdin, restore = _divert(0, os.open(os.devnull, os.O_RDONLY))
            pipes._restores.append(restore)
            stdout, restore = _divert(1, os.dup(2))
            pipes._restores.append(restore)
            reader = asyncio.StreamReader(limit=MAX_LINE_BYTES)
            # Each transport gets (and closes) a duplicate; the private descriptors stay for the restore.
            read_transport, _ = await loop.connect_read_pipe(
                lambda: asyncio.StreamReaderProtocol(reader), os.fdopen(os.dup(stdin), "rb", buffering=0)
            )
            pipes._transports.append(read_transport)
            write_transport, protocol = await loop.connect_write_pipe(
                _Drain, os.fdopen(os.dup(stdout), "wb", buffering=0)
            )
            pipes._transports.append(write_transport)
        except (OSError, ValueError):
            pipes.close()
            return None
        # A flush waits until the message is in the pipe, as the SDK's does: nothing is left buffered.
        write_transport.set_write_buffer_limits(high=0)
        return _PipeLines(reader), _PipeOut(write_transport, protocol), pipes

    def close(self) -> None:
        for transport in self._transports:
            transport.close()
        for restore in reversed(self._restores):
            restore()


@asynccontextmanager
async def _stdio_streams() -> AsyncIterator[tuple[AsyncIterable[str], _PipeOut | None]]:
    """stdin's lines, and the stdout to hand the SDK (None: the SDK's own, threaded)."""
    opened = await _PipeStdio.open() if _own_pipes() else None
    if opened is not None:
        lines, out, pipes = opened
        try:
            yield lines, out
        finally:
            pipes.close()
        return
    binary, restore = _private_stdin()  # stdin through a worker thread, as the SDK reads it
    try:
        yield anyio.wrap_file(_UnownedText(binary, encoding="utf-8", errors="replace")), None
    finally:
        restore()


async def serve_stdio(server: MCPServer[Any]) -> None:
    """`MCPServer.run_stdio_async`, with every unreadable line answered."""
    lowlevel = server._lowlevel_server  # see the module docstring
    replies_send, replies_receive = anyio.create_memory_object_stream[SessionMessage](100)
    async with _stdio_streams() as (lines, stdout):
        stdin = cast(anyio.AsyncFile[str], GuardedLines(lines, replies_send))
        out = cast(anyio.AsyncFile[str] | None, stdout)
        async with (
            stdio_server(stdin=stdin, stdout=out) as (read_stream, write_stream),
            anyio.create_task_group() as tasks,
        ):
            tasks.start_soon(_forward, replies_receive, write_stream)
            await lowlevel.run(read_stream, write_stream, lowlevel.create_initialization_options())
            tasks.cancel_scope.cancel()
