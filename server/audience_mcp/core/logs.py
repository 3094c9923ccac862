"""Logging to stderr with secrets redacted.

In stdio mode stdout carries the protocol, so every log line goes to stderr. The redaction
filter replaces every secret registered with the one redactor (core/secrets.py: client
secrets, access tokens, ...) in the formatted message and its arguments, so a secret that
slips into an f-string or an exception text still never reaches a log line.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable

from audience_mcp.core.secrets import REDACTED, redactor

__all__ = ["REDACTED", "RedactingFilter", "configure_logging", "log_filter", "redactor"]


class RedactingFilter(logging.Filter):
    """Masks the registered secrets (core/secrets.py) in every record that passes through a handler."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not redactor:
            return True
        message = record.getMessage()
        redacted = redactor.redact(message)
        if record.exc_info and record.exc_info[1] is not None:
            # Format the traceback now, redacted, and drop exc_info so no handler re-renders it.
            formatter = logging.Formatter()
            record.exc_text = redactor.redact(formatter.formatException(record.exc_info))
            record.exc_info = None
        elif record.exc_text:
            record.exc_text = redactor.redact(record.exc_text)
        record.msg = redacted
        record.args = None
        return True


log_filter = RedactingFilter()


def configure_logging(level: str = "INFO", secrets: Iterable[str] = ()) -> None:
    """Send the root logger to stderr through the redactor; safe to call more than once."""
    redactor.add(secrets)
    root = logging.getLogger()
    # Every handler on the root logger redacts, also ones others installed (the SDK's, pytest's).
    for existing in root.handlers:
        if log_filter not in existing.filters:
            existing.addFilter(log_filter)
    logging.getLogger("httpx2").setLevel(logging.WARNING)  # one INFO line per request is noise
    if any(getattr(h, "_neuroflash", False) for h in root.handlers):
        return
    handler = logging.StreamHandler(sys.stderr)
    handler._neuroflash = True  # type: ignore[attr-defined]
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(log_filter)
    handler.setLevel(level)
    root.addHandler(handler)
    root.setLevel(level)
