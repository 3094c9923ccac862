"""The Digital Audience sandbox as a mount of `sandbox-api` (under `/digital-audience`)."""

from __future__ import annotations

from audience_mcp.core.sandboxkit.runner import SandboxMount, SandboxOptions
from audience_mcp.platforms.digital_audience.sandbox.app import create_sandbox_app
from audience_mcp.platforms.digital_audience.sandbox.config import SANDBOX_USERS, SandboxConfig

PREFIX = "/digital-audience"


def mount_for(options: SandboxOptions) -> SandboxMount:
    # In memory whatever options.db_path says: sessions, campaigns and audiences live per process.
    user, password = next(iter(SANDBOX_USERS.items()))

    def ready_text(root: str) -> str:
        return f"Digital Audience sandbox ready: DIGITAL_AUDIENCE_API_URL={root} (user {user}, password {password})"

    return SandboxMount(prefix=PREFIX, app=create_sandbox_app(SandboxConfig()), ready_text=ready_text)
