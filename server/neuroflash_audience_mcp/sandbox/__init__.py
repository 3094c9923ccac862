"""An emulator of the neuroflash identity and audience services, faithful to their public docs.

Tests and users without a neuroflash account point the real HTTP client at it, either
in-process (``httpx2.ASGITransport(app=create_sandbox_app(config))``) or over HTTP via
:func:`run_standalone`. It speaks only the wire format and never imports the project's API
client or tools. See the module docstrings for the choices made where the docs are silent.
"""

from .accounts import SANDBOX_ACCOUNTS, SANDBOX_WORKSPACE_ID, SANDBOX_WORKSPACE_NAME, Account, Workspace
from .app import create_sandbox_app
from .config import DEFAULT_AUDIENCE_MODEL_ID, SandboxConfig
from .faults import FaultInjector, Stats
from .server import SandboxServer, run_standalone
from .service import Sandbox
from .store import AudienceRecord, ImageData, ImageRecord, Store

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
