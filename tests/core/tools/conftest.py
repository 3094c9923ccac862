"""The tool tests' fixtures live in tests/support/harness.py (the audit tests use them too)."""

from tests.support.harness import (  # noqa: F401 - fixtures, registered here by import
    _isolated_environment,
    client,
    colleague,
    harness,
    make_server,
    sandbox,
)
