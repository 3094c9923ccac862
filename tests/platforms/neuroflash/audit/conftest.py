"""The tool tests reuse the MCP harness of tests/tools (real client, in-memory sandbox)."""

from tests.support.harness import (  # noqa: F401 - fixtures, registered here by import
    _isolated_environment,
    client,
    harness,
    make_server,
    sandbox,
)
