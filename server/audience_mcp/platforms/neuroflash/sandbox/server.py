"""Running the neuroflash sandbox as a standalone HTTP server (for tests and manual use).

The runner is core's (`core/sandboxkit/runner.py`); this module says what neuroflash's sandbox
is and how a user points the server at it.
"""

from __future__ import annotations

from collections.abc import Callable

from audience_mcp.core.sandboxkit.runner import SandboxMount, SandboxOptions, SandboxServer, serve
from audience_mcp.platforms.neuroflash.sandbox.accounts import SANDBOX_ACCOUNTS
from audience_mcp.platforms.neuroflash.sandbox.app import create_sandbox_app
from audience_mcp.platforms.neuroflash.sandbox.config import SandboxConfig


def sandbox_mount(config: SandboxConfig) -> SandboxMount:
    """neuroflash at the root: the real hosts' paths (`/api/...`, `/oauth/v2/token`)."""
    account = SANDBOX_ACCOUNTS[0]
    # The built-in secret is public and worth showing; a configured one is not shown.
    secret = "as configured" if account.client_id in config.client_secrets else account.client_secret

    def ready_text(root: str) -> str:
        return (
            f"neuroflash sandbox ready: NEUROFLASH_API_URL={root}/api NEUROFLASH_TOKEN_URL={root}/oauth/v2/token "
            f"(client id {account.client_id}, secret {secret})"
        )

    return SandboxMount(prefix="", app=create_sandbox_app(config), ready_text=ready_text)


def mount_for(options: SandboxOptions) -> SandboxMount:
    return sandbox_mount(
        SandboxConfig(
            db_path=options.db_path,
            create_limit=options.create_limit,
            token_lifetime_seconds=options.token_lifetime_seconds,
        )
    )


def run_standalone(
    config: SandboxConfig | None = None,
    host: str = "127.0.0.1",
    port: int = 8765,
    *,
    on_server: Callable[[SandboxServer], None] | None = None,
) -> None:
    """Serve only the neuroflash sandbox on ``host:port`` until interrupted (blocks)."""
    serve([sandbox_mount(config or SandboxConfig())], host, port, on_server=on_server)
