"""The Appizer sandbox in `audience-mcp sandbox-api`: mounted at `/appizer`."""

from __future__ import annotations

from audience_mcp.core.sandboxkit.runner import SandboxMount, SandboxOptions
from audience_mcp.platforms.appizer.sandbox.app import create_sandbox_app
from audience_mcp.platforms.appizer.sandbox.service import API_KEY

PREFIX = "/appizer"


def mount_for(options: SandboxOptions) -> SandboxMount:
    # The sandbox keeps its audiences in memory: options.db_path is not used (a restart forgets them).
    def ready_text(root: str) -> str:
        return f"Appizer sandbox ready: APPIZER_API_URL={root}/v1 APPIZER_API_KEY={API_KEY} (apps app_123, app_456)"

    return SandboxMount(prefix=PREFIX, app=create_sandbox_app(), ready_text=ready_text)
