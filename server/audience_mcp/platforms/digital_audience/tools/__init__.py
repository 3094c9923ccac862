"""Digital Audience's MCP tools (they reach the API only through the client)."""
