"""Secrets campaign: the whole suite runs with sentinel secrets, and a test that leaks one fails.

A plugin, loaded by tests/conftest.py for every test. A leak is a sentinel (any text that
starts with ``nfsentinel-``) or an access token the sandbox issued (they start with
``nfsbx-``) found in:

- the test's captured stdout, stderr or log text, phase by phase;
- a tool result an ``mcp.Client`` received (``Client.call_tool`` is wrapped);
- a journal row (every ``Journal`` is read as it closes, in memory or on disk);
- a SQLite file or ``.log`` file left in the test's ``tmp_path`` (subprocess stderr included).

Sentinels reach the code as NEUROFLASH_CLIENT_SECRET, set for the whole session (tests that
isolate their environment remove it again), and as sandbox client secrets where a test
configures them (``SandboxConfig(client_secrets=...)``, as the campaigns do). The other secret
settings stay unset: NEUROFLASH_ACCESS_TOKEN wins over client credentials and would change what
every test that reads the environment connects with, and AUDIENCE_MCP_TOKEN would change what
tests/test_secrets.py expects ``Settings.secret_values()`` to list. Redacted text (``***``)
is not a leak, so tests/test_secrets.py, which logs a secret on purpose, still passes.
"""

from __future__ import annotations

import functools
import os
import re
import threading
from pathlib import Path
from typing import Any

import pytest
from mcp import Client

from audience_mcp.core.store.journal import Journal

SENTINEL_PREFIX = "nfsentinel-"
LEAK = re.compile(r"nfsentinel-[A-Za-z0-9_-]+|nfsbx-[A-Za-z0-9_-]{16,}")
ENV_SENTINELS = {"NEUROFLASH_CLIENT_SECRET": "nfsentinel-env-client-secret-7d41c2"}
SCANNED_FILES = (".db", ".db-wal", ".sqlite", ".log")
MAX_SCANNED_BYTES = 64 * 1024 * 1024

_lock = threading.Lock()
_found: list[str] = []  # leaks the wrapped call paths saw since the last report
_restore: list[Any] = []


def find_leaks(text: str) -> list[str]:
    return sorted(set(LEAK.findall(text)))


def _shown(leak: str) -> str:
    # The report names the kind of leak without repeating it (nor anything the pattern matches).
    prefix = leak.split("-", 1)[0]
    return f"{prefix}-... ({len(leak)} characters)"


def _note(where: str, text: str) -> None:
    leaks = find_leaks(text)
    if leaks:
        with _lock:
            _found.append(f"{where}: {', '.join(map(_shown, leaks))}")


def _text_of(result: Any) -> str:
    try:
        return str(result.model_dump_json())
    except ValueError:  # not JSON-encodable (a lone surrogate): the repr still shows every leak
        return repr(result.model_dump())


def _scan_journal(journal: Journal) -> None:
    """Every table of the state store that holds data: changes, pending confirmations, observations."""
    for table in ("changes", "confirmations", "observations"):
        try:
            with journal._transaction() as db:
                rows = db.execute(f"SELECT * FROM {table}").fetchall()
        except Exception:  # closed already, or never got its table (either database's error)
            continue
        _note(f"a {table} row of the state store", "\n".join(str(tuple(dict(row).values())) for row in rows))


def _scan_files(directory: Path) -> list[str]:
    leaks = []
    for path in directory.rglob("*"):
        if not path.name.endswith(SCANNED_FILES) or not path.is_file():
            continue
        if path.stat().st_size > MAX_SCANNED_BYTES:
            continue
        found = find_leaks(path.read_bytes().decode("latin-1"))
        if found:
            leaks.append(f"file {path.name}: {', '.join(map(_shown, found))}")
    return leaks


def pytest_configure(config: pytest.Config) -> None:
    saved_env = {name: os.environ.get(name) for name in ENV_SENTINELS}
    os.environ.update(ENV_SENTINELS)
    original_call_tool = Client.call_tool
    original_close = Journal.close

    @functools.wraps(original_call_tool)
    async def call_tool(self: Client, name: str, *args: Any, **kwargs: Any) -> Any:
        result = await original_call_tool(self, name, *args, **kwargs)
        _note(f"the result of tool {name}", _text_of(result))
        return result

    @functools.wraps(original_close)
    def close(self: Journal) -> None:
        _scan_journal(self)
        original_close(self)

    Client.call_tool = call_tool  # type: ignore[method-assign]
    Journal.close = close  # type: ignore[method-assign]
    _restore.append((saved_env, original_call_tool, original_close))


def pytest_unconfigure(config: pytest.Config) -> None:
    if not _restore:
        return
    saved_env, original_call_tool, original_close = _restore.pop()
    Client.call_tool = original_call_tool  # type: ignore[method-assign]
    Journal.close = original_close  # type: ignore[method-assign]
    for name, value in saved_env.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    outcome = yield
    report: pytest.TestReport = outcome.get_result()
    leaks = [
        f"{title.lower()}: {', '.join(map(_shown, found))}"
        for title, content in report.sections
        if title.endswith(f" {report.when}") and (found := find_leaks(content))
    ]
    with _lock:
        leaks.extend(_found)
        _found.clear()
    tmp_path = getattr(item, "funcargs", {}).get("tmp_path")
    if report.when == "teardown" and isinstance(tmp_path, Path):
        leaks.extend(_scan_files(tmp_path))
    if not leaks:
        return
    message = "A secret or access token leaked (secret_guard):\n  " + "\n  ".join(leaks)
    if report.failed:
        report.sections.append(("secret leaks", message))
    else:
        report.outcome = "failed"
        report.longrepr = message
