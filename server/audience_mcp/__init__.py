"""audience-mcp: an MCP server for neuroflash marketing target audiences."""

__version__ = "0.1.0"
