"""A minimal MCP server with one async no-op tool, served over stdio: the SDK's own per-call floor.

Run by path (`python tests/benchmarks/noop_server.py`); it imports nothing from this project.
Async like every tool of this server (issue 9 names "one async no-op tool"): the SDK runs a
sync tool on a worker thread, a hop of about 0.25 ms that none of our tools pays.
"""

from mcp.server.mcpserver import MCPServer

server = MCPServer("noop")


@server.tool()
async def noop() -> str:
    """Do nothing."""
    return "ok"


if __name__ == "__main__":
    server.run("stdio")
