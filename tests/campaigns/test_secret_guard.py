"""The secret guard itself: it fails a test for each kind of leak, and only for leaks.

A pytest run in a subprocess, with the guard as its only plugin, over tests written to leak.
The sentinels are assembled at run time, so no source line a report quotes contains one.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.support.secret_guard import ENV_SENTINELS, LEAK, SENTINEL_PREFIX, find_leaks

ROOT = Path(__file__).resolve().parents[2]

LEAKING_TESTS = """
import logging
import os
import sys

import pytest
from mcp import Client
from mcp.server.mcpserver import MCPServer

from audience_mcp.core.store.journal import Journal, ResourceKey
from audience_mcp.core.logs import configure_logging

SECRET = "nfsentinel" + "-inner-" + "secret-value"
TOKEN = "nfsbx" + "-" + "T" * 43


def test_printing_a_sentinel_fails() -> None:
    print("the secret is", SECRET)


def test_writing_a_token_to_stderr_fails() -> None:
    sys.stderr.write(TOKEN)


def test_logging_a_token_fails() -> None:
    logging.getLogger("inner").warning("sent %s", TOKEN)


@pytest.mark.anyio
async def test_a_tool_result_with_a_sentinel_fails() -> None:
    server = MCPServer("leaky")

    @server.tool()
    def reveal() -> str:
        return SECRET

    async with Client(server) as client:
        await client.call_tool("reveal", {})


def test_a_journal_row_with_a_sentinel_fails() -> None:
    journal = Journal(":memory:")
    journal.begin(ResourceKey("p", "ws", "audience", "a"), tool="t", action="update", before={"note": SECRET})
    journal.close()


def test_a_database_file_left_in_tmp_path_fails_at_teardown(tmp_path) -> None:
    (tmp_path / "leak.db").write_text(SECRET)


def test_a_redacted_log_line_passes() -> None:
    configure_logging(secrets=[SECRET])
    logging.getLogger("inner").warning("posting client_secret=%s", SECRET)


def test_clean_output_passes() -> None:
    print("nothing secret here")


def test_the_environment_carries_sentinel_secrets() -> None:
    assert os.environ["NEUROFLASH_CLIENT_SECRET"].startswith("nf" + "sentinel-")
"""


def test_the_guard_fails_each_kind_of_leak_and_passes_clean_or_redacted_output(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    for name in ENV_SENTINELS:
        monkeypatch.delenv(name, raising=False)  # the inner session must set them itself
    pytester.makepyfile(test_leaking=LEAKING_TESTS)

    result = pytester.runpytest_subprocess(
        "-p", "tests.support.secret_guard", "-p", "no:cacheprovider", "--show-capture=no", "-rA"
    )

    def names(*outcomes: str) -> set[str]:
        return {
            line.split("::")[1].split(" ")[0].split("[")[0] for line in result.outlines if line.startswith(outcomes)
        }

    failed = names("FAILED", "ERROR")
    assert failed == {
        "test_printing_a_sentinel_fails",
        "test_writing_a_token_to_stderr_fails",
        "test_logging_a_token_fails",
        "test_a_tool_result_with_a_sentinel_fails",
        "test_a_journal_row_with_a_sentinel_fails",
        "test_a_database_file_left_in_tmp_path_fails_at_teardown",
    }, result.stdout.str()
    assert {
        "test_a_redacted_log_line_passes",
        "test_clean_output_passes",
        "test_the_environment_carries_sentinel_secrets",
    } <= names("PASSED")
    assert "A secret or access token leaked" in result.stdout.str()
    assert not find_leaks(result.stdout.str() + result.stderr.str()), "the report repeats a leak"


def test_the_pattern_finds_sentinels_and_sandbox_tokens_but_not_redacted_or_short_text() -> None:
    token = "nfsbx-" + "A1b2_C3d4-" * 4
    text = f"a {SENTINEL_PREFIX}abc b {token} c *** d nfsbx-short e sentinel-client-secret"

    assert find_leaks(text) == sorted([f"{SENTINEL_PREFIX}abc", token])
    assert not LEAK.search("nfsbx-... (49 characters)")


def test_the_guard_is_active_in_this_session() -> None:
    from mcp import Client

    from audience_mcp.core.store.journal import Journal

    assert hasattr(Client.call_tool, "__wrapped__") and hasattr(Journal.close, "__wrapped__")
    assert os.environ["NEUROFLASH_CLIENT_SECRET"] == ENV_SENTINELS["NEUROFLASH_CLIENT_SECRET"]
