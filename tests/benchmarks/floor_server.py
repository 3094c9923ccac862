"""A bare SDK server whose one tool sends the audience GET with raw httpx2: the per-call floor of
any server that makes that request inside a tool.

Served over stdio the way this project's server serves it (stdio_guard.serve_stdio: pipes on the
event loop), so against `neuroflash_get_audience` the difference is this project's own work per
call: its client, argument checks, scopes, view and result. Run by path with RAW_URL and
RAW_TOKEN set (overhead.py's floor figure); nothing else of this project is imported.
"""

import os

import anyio
import httpx2
from mcp.server.mcpserver import MCPServer

from audience_mcp.stdio_guard import serve_stdio

server = MCPServer("floor")
_http: list[httpx2.AsyncClient] = []


@server.tool()
async def get_audience_raw() -> str:
    """GET the audience; return the API's answer as it came."""
    if not _http:
        _http.append(httpx2.AsyncClient(headers={"Authorization": f"Bearer {os.environ['RAW_TOKEN']}"}))
    response = await _http[0].get(os.environ["RAW_URL"])
    response.raise_for_status()  # an error answer is a failed call, counted as the benchmark's error
    return response.text


if __name__ == "__main__":
    anyio.run(serve_stdio, server)
