"""A minimal MCP server with one no-op tool, served over stdio: the SDK's own per-call floor.

Run by path (`python tests/benchmarks/noop_server.py`); it imports nothing from this project.
"""

from mcp.server.mcpserver import MCPServer

server = MCPServer("noop")


@server.tool()
def noop() -> str:
    """Do nothing."""
    return "ok"


if __name__ == "__main__":
    server.run("stdio")
