"""run_standalone serves the sandbox over real HTTP and stops cleanly."""

from __future__ import annotations

import logging
import threading
import time

import httpx2
import pytest

from audience_mcp.platforms.neuroflash.sandbox import SANDBOX_WORKSPACE_ID, SandboxConfig, SandboxServer, run_standalone
from tests.support.sandbox import GUIDE_BODY


def test_a_standalone_sandbox_on_a_free_loopback_port_serves_the_token_create_get_lifecycle() -> None:
    servers: list[SandboxServer] = []
    handed_over = threading.Event()

    def keep(server: SandboxServer) -> None:
        servers.append(server)
        handed_over.set()

    thread = threading.Thread(
        target=run_standalone,
        kwargs={"config": SandboxConfig(), "host": "127.0.0.1", "port": 0, "on_server": keep},
        daemon=True,
    )
    thread.start()
    try:
        assert handed_over.wait(10), "run_standalone never handed over its server"
        server = servers[0]
        assert server.ready.wait(10), "the sandbox did not start listening"
        root = f"http://127.0.0.1:{server.port}"

        with httpx2.Client(base_url=root, timeout=5) as http:
            assert http.get("/healthz").json() == {"status": "ok"}
            token = http.post(
                "/oauth/v2/token",
                data={
                    "grant_type": "client_credentials",
                    "client_id": "sandbox-client",
                    "client_secret": "sandbox-secret",
                    "scope": "openid",
                },
            ).json()["access_token"]
            headers = {"Authorization": f"Bearer {token}"}
            audiences = f"/api/audience-service/v1/workspaces/{SANDBOX_WORKSPACE_ID}/target-audiences"
            created = http.post(audiences, json=GUIDE_BODY, headers=headers)
            assert created.status_code == 201
            fetched = http.get(f"{audiences}/{created.json()['id']}", headers=headers)
            assert fetched.status_code == 200
            assert fetched.json() == created.json()
    finally:
        if servers:
            servers[0].should_exit = True
        thread.join(10)

    assert not thread.is_alive()


def test_the_ready_line_names_the_public_secret_but_never_a_configured_one(caplog: pytest.LogCaptureFixture) -> None:
    lines: list[str] = []
    for secrets in ({}, {"sandbox-client": "configured-secret-5c1d"}):
        servers: list[SandboxServer] = []
        caplog.clear()
        with caplog.at_level(logging.INFO, logger="audience_mcp.core.sandboxkit.runner"):
            thread = threading.Thread(
                target=run_standalone,
                kwargs={
                    "config": SandboxConfig(client_secrets=secrets),
                    "host": "127.0.0.1",
                    "port": 0,
                    "on_server": servers.append,
                },
                daemon=True,
            )
            thread.start()
            try:
                deadline = time.monotonic() + 10
                while not (servers and servers[0].ready.is_set()) and time.monotonic() < deadline:
                    time.sleep(0.01)
                assert servers and servers[0].ready.is_set(), "the sandbox did not start listening"
            finally:
                if servers:
                    servers[0].should_exit = True
                thread.join(10)
        lines.append(next(r.getMessage() for r in caplog.records if "sandbox ready" in r.getMessage()))

    # The public secret may show as *** when an earlier test registered it with the log redactor.
    assert "client id sandbox-client, secret " in lines[0] and "as configured" not in lines[0]
    assert "configured-secret-5c1d" not in lines[1] and "secret as configured" in lines[1]


def test_sandbox_mounts_under_prefixes_keep_their_paths_and_lifespans() -> None:
    """sandbox-api serves every platform's emulator from one app, each under its own prefix."""
    from starlette.testclient import TestClient

    from audience_mcp.core.sandboxkit.runner import SandboxMount, combined_app
    from audience_mcp.platforms.neuroflash.sandbox.server import sandbox_mount

    other = sandbox_mount(SandboxConfig())
    mounts = [sandbox_mount(SandboxConfig()), SandboxMount("/other", other.app, other.ready_text)]
    with TestClient(combined_app(mounts)) as client:
        root = client.post(
            "/oauth/v2/token",
            data={"grant_type": "client_credentials", "client_id": "sandbox-client", "client_secret": "sandbox-secret"},
        )
        prefixed = client.get("/other/healthz")
    assert root.status_code == 200 and "access_token" in root.json()
    assert prefixed.status_code == 200
