"""An emulator of Appizer's audiences API, from the reference page and FACTS.md only.

It speaks the wire format and imports neither the client nor the tools, so it can catch their
mistakes. `user_count` is computed: each app has a deterministic synthetic user base, and
criteria in the shapes of the documented examples are evaluated against it (`criteria.py`).
"""

from audience_mcp.platforms.appizer.sandbox.app import AppizerSandbox, SandboxConfig, create_sandbox_app

__all__ = ["AppizerSandbox", "SandboxConfig", "create_sandbox_app"]
