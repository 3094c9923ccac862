"""Logging to stderr with secrets redacted.

In stdio mode stdout carries the protocol, so every log line goes to stderr. The redaction
filter replaces any known secret value (client secret, access tokens) in the formatted
message and its arguments, so a secret that slips into an f-string or an exception text
still never reaches a log line.
"""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Iterable

REDACTED = "***"


class SecretRedactor(logging.Filter):
    """Masks registered secret values in every record that passes through a handler."""

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()
        self._secrets: frozenset[str] = frozenset()

    def add(self, values: Iterable[str]) -> None:
        # Short strings would mask ordinary words; real secrets are long.
        new = {v for v in values if v and len(v) >= 6}
        with self._lock:
            self._secrets = self._secrets | new

    def redact(self, text: str) -> str:
        for secret in self._secrets:
            if secret in text:
                text = text.replace(secret, REDACTED)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        if not self._secrets:
            return True
        message = record.getMessage()
        redacted = self.redact(message)
        if record.exc_info and record.exc_info[1] is not None:
            # Format the traceback now, redacted, and drop exc_info so no handler re-renders it.
            formatter = logging.Formatter()
            record.exc_text = self.redact(formatter.formatException(record.exc_info))
            record.exc_info = None
        elif record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        record.msg = redacted
        record.args = None
        return True


redactor = SecretRedactor()


def configure_logging(level: str = "INFO", secrets: Iterable[str] = ()) -> None:
    """Send the root logger to stderr through the redactor; safe to call more than once."""
    redactor.add(secrets)
    root = logging.getLogger()
    # Every handler on the root logger redacts, also ones others installed (the SDK's, pytest's).
    for existing in root.handlers:
        if redactor not in existing.filters:
            existing.addFilter(redactor)
    logging.getLogger("httpx2").setLevel(logging.WARNING)  # one INFO line per request is noise
    if any(getattr(h, "_neuroflash", False) for h in root.handlers):
        return
    handler = logging.StreamHandler(sys.stderr)
    handler._neuroflash = True  # type: ignore[attr-defined]
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(redactor)
    handler.setLevel(level)
    root.addHandler(handler)
    root.setLevel(level)
