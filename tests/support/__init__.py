"""Helpers several test suites share: the guide's example body and subprocess plumbing."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx2

# Every setting the server reads: a test clears them so a developer's own cannot leak in.
SETTING_PREFIXES = ("NEUROFLASH_", "AUDIENCE_MCP_", "APPIZER_", "DIGITAL_AUDIENCE_")

# The create body of the lifecycle guide, step 4 (reference: neuroflash-target-audience-lifecycle).
GUIDE_BODY: dict[str, Any] = {
    "country": "US",
    "genderDistribution": {"female": 0.5, "male": 0.4, "nonBinary": 0.07, "preferNotToSay": 0.03},
    "interests": ["AI", "content marketing"],
    "maxAge": 45,
    "minAge": 25,
    "name": "Marketing leaders",
    "nativeLanguage": "en",
    "needs": ["scale content production"],
    "painPoints": ["manual workflows"],
    "residence": "Berlin",
    "shared": True,
}


def free_port() -> int:
    """A loopback port that was free a moment ago."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def clean_env(**extra: str) -> dict[str, str]:
    """This process's environment without any platform or server setting, plus `extra`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(SETTING_PREFIXES)}
    env.update(extra)
    return env


def run_audience_mcp(
    *args: str, env: dict[str, str], cwd: Path, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    """`python -m audience_mcp ARGS` to its end, with nothing on stdin; its output as text."""
    return subprocess.run(
        [sys.executable, "-m", "audience_mcp", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
        check=False,
    )


def wait_for_http(url: str, process: subprocess.Popen[bytes], log: Path, timeout: float = 30.0) -> None:
    """Poll `url` until it answers 200; fail with the process's stderr if it dies or never answers."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            if httpx2.get(url, timeout=2.0).status_code == 200:
                return
        except httpx2.TransportError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"{url} did not come up: {log.read_text(errors='replace')[-2000:]}")
        time.sleep(0.05)
