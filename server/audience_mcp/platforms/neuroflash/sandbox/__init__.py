"""An emulator of the neuroflash identity and audience services, faithful to their public docs.

Tests and users without a neuroflash account point the real HTTP client at it, either
in-process (``httpx2.ASGITransport(app=create_sandbox_app(config))``) or over HTTP via
:func:`run_standalone`. It speaks only the wire format and never imports the project's API
client or tools. See the module docstrings for the choices made where the docs are silent.
"""

from audience_mcp.core.sandboxkit.faults import FaultInjector, Stats
from audience_mcp.core.sandboxkit.runner import SandboxServer
from audience_mcp.platforms.neuroflash.sandbox.accounts import (
    SANDBOX_ACCOUNTS,
    SANDBOX_WORKSPACE_ID,
    SANDBOX_WORKSPACE_NAME,
    Account,
    Workspace,
)
from audience_mcp.platforms.neuroflash.sandbox.app import create_sandbox_app
from audience_mcp.platforms.neuroflash.sandbox.config import DEFAULT_AUDIENCE_MODEL_ID, SandboxConfig
from audience_mcp.platforms.neuroflash.sandbox.records import AudienceRecord, ImageData, ImageRecord
from audience_mcp.platforms.neuroflash.sandbox.server import run_standalone
from audience_mcp.platforms.neuroflash.sandbox.service import Sandbox
from audience_mcp.platforms.neuroflash.sandbox.store import Store

__all__ = [
    "DEFAULT_AUDIENCE_MODEL_ID",
    "SANDBOX_ACCOUNTS",
    "SANDBOX_WORKSPACE_ID",
    "SANDBOX_WORKSPACE_NAME",
    "Account",
    "AudienceRecord",
    "FaultInjector",
    "ImageData",
    "ImageRecord",
    "Sandbox",
    "SandboxConfig",
    "SandboxServer",
    "Stats",
    "Store",
    "Workspace",
    "create_sandbox_app",
    "run_standalone",
]
