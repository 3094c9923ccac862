"""Helpers several test suites share: the guide's example body and subprocess plumbing."""

from __future__ import annotations

import os
import socket
from typing import Any

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
    """This process's environment without any NEUROFLASH_* setting, plus `extra`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEUROFLASH_")}
    env.update(extra)
    return env
