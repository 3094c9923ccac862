"""Appizer: push-notification audiences defined by natural-language criteria (issue 12)."""
