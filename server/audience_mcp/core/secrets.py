"""The one redactor: every credential is registered the moment it is obtained, every text that
leaves the process passes through it.

Credentials come from settings (client secrets, API keys, the MCP bearer token) and from the
network (access tokens, session cookies); an upstream may echo any of them in an error body
(an `Authorization` header, a `client_secret` form field). So each auth flow registers what it
holds or receives (`redactor.register`), and the exits redact: API error texts (core/http),
tool results and tool errors (core/mcp), journal rows (core/store), log records (core/logs),
`check` output. A secret is also masked in the spellings an echo may use: URL-encoded (a form
body) and JSON-escaped.

Process-wide on purpose: log handlers are process-wide, and a token a platform's client obtains
must be masked wherever its text ends up.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote, quote_plus

REDACTED = "***"
# Short strings would mask ordinary words (and journal snapshots are redacted too, so a restore
# would write the mask back); real secrets and tokens are long.
MIN_SECRET_LENGTH = 8


def _spellings(secret: str) -> set[str]:
    forms = {secret, quote(secret, safe=""), quote_plus(secret), json.dumps(secret)[1:-1]}
    # Each spelling also as it appears inside a JSON text written with ensure_ascii=False (a tool
    # result's compact text): JSON escapes character by character, so a string that holds a secret
    # is written as a text that holds this form, and one search of the text finds every such string.
    forms |= {json.dumps(form, ensure_ascii=False)[1:-1] for form in forms}
    return {form for form in forms if len(form) >= MIN_SECRET_LENGTH}


class SecretRedactor:
    """Masks every registered secret value in a text or a JSON-like value."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        # Longest first, so a secret that contains another is masked whole.
        self._forms: tuple[str, ...] = ()

    def register(self, *values: str | None) -> None:
        """Add secrets (None and short values are ignored); safe from any thread."""
        new: set[str] = set()
        for value in values:
            if value and len(value) >= MIN_SECRET_LENGTH:
                new |= _spellings(value)
        if not new:
            return
        with self._lock:
            self._forms = tuple(sorted(set(self._forms) | new, key=len, reverse=True))

    def add(self, values: Iterable[str]) -> None:
        self.register(*values)

    def __bool__(self) -> bool:
        return bool(self._forms)

    def holds_secret(self, text: str) -> bool:
        return any(form in text for form in self._forms)

    def redact(self, text: str) -> str:
        for form in self._forms:
            if form in text:
                text = text.replace(form, REDACTED)
        return text

    def redact_value(self, value: Any) -> Any:
        """The same value with every string (keys too) redacted; other values as they are."""
        if not self._forms:
            return value
        if isinstance(value, str):
            return self.redact(value)
        if isinstance(value, dict):
            return {self.redact_value(k): self.redact_value(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.redact_value(item) for item in value]
        if isinstance(value, tuple):
            return tuple(self.redact_value(item) for item in value)
        return value


redactor = SecretRedactor()
