"""An emulator of the Digital Audience API (speaks only the wire format of the reference documents)."""

from audience_mcp.platforms.digital_audience.sandbox.app import create_sandbox_app
from audience_mcp.platforms.digital_audience.sandbox.config import SANDBOX_USERS, SandboxConfig
from audience_mcp.platforms.digital_audience.sandbox.state import SandboxState

__all__ = ["SANDBOX_USERS", "SandboxConfig", "SandboxState", "create_sandbox_app"]
