"""A tiny real HTTP upstream on 127.0.0.1 that echoes what it was sent in its error bodies.

It stands in for an API or a token endpoint that misbehaves in a way the sandbox never does:
it puts the request's `Authorization` header and the posted `client_secret` into the error
text, as some gateways and OAuth servers do. Tests point the server at it and check that no
secret comes out anywhere.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs


@dataclass
class EchoConfig:
    """What the upstream answers; tests change it between calls."""

    access_token: str
    token_status: int = 200  # != 200: the token endpoint refuses, echoing the posted form
    api_status: int = 400  # every /api request fails with this, echoing the Authorization header
    requests: list[str] = field(default_factory=list)


class _Handler(BaseHTTPRequestHandler):
    server: _EchoServer

    def log_message(self, format: str, *args: Any) -> None:
        """Silent: the test reads what it needs from the config."""

    def _answer(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _handle(self) -> None:
        config = self.server.config
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length).decode("utf-8", "replace") if length else ""
        config.requests.append(f"{self.command} {self.path}")
        if self.path.startswith("/oauth/v2/token"):
            if config.token_status != 200:
                form = {key: values[0] for key, values in parse_qs(raw).items()}
                self._answer(
                    config.token_status,
                    {"error": "invalid_client", "error_description": f"rejected form {form} (raw: {raw})"},
                )
                return
            self._answer(200, {"access_token": config.access_token, "token_type": "Bearer", "expires_in": 3600})
            return
        echoed = self.headers.get("Authorization", "")
        self._answer(config.api_status, {"error": f"rejected request with Authorization: {echoed}", "code": "ECHO"})

    do_GET = do_POST = do_PUT = do_DELETE = _handle


class _EchoServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, config: EchoConfig) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.config = config


@contextmanager
def echo_upstream(config: EchoConfig) -> Iterator[str]:
    """Serve `config` on a free loopback port; yields the base URL (http://127.0.0.1:PORT)."""
    server = _EchoServer(config)
    thread = threading.Thread(target=server.serve_forever, name="echo-upstream", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
