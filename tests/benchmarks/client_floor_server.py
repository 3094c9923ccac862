"""A bare SDK server whose one tool reads the audience with this project's API client.

The second per-call floor (overhead.py): `NeuroflashClient.get_audience` (token, path check,
deadline, retries, exact-decimal parsing, the typed model), returned as the model's JSON text,
with nothing of this project's MCP layer (no scopes, argument checks, call guard, view or
result shaping). Served over stdio as this server serves it. Run by path with the sandbox's
NEUROFLASH_* settings and NF_WORKSPACE_ID / NF_AUDIENCE_ID set.
"""

import os

import anyio
from mcp.server.mcpserver import MCPServer
from pydantic import SecretStr

from audience_mcp.platforms.neuroflash.api import NeuroflashClient
from audience_mcp.stdio_guard import serve_stdio

server = MCPServer("client-floor")
_client: list[NeuroflashClient] = []


@server.tool()
async def get_audience_client() -> str:
    """GET the audience through the project's client; return the parsed audience as JSON."""
    if not _client:
        _client.append(
            NeuroflashClient.connect(
                api_url=os.environ["NEUROFLASH_API_URL"],
                token_url=os.environ["NEUROFLASH_TOKEN_URL"],
                client_id=os.environ["NEUROFLASH_CLIENT_ID"],
                client_secret=SecretStr(os.environ["NEUROFLASH_CLIENT_SECRET"]),
            )
        )
    audience = await _client[0].get_audience(os.environ["NF_WORKSPACE_ID"], os.environ["NF_AUDIENCE_ID"])
    return audience.model_dump_json(by_alias=True)


if __name__ == "__main__":
    anyio.run(serve_stdio, server)
