"""Appizer's MCP tools: list, get and create audiences; its audit checks and undo hook."""
