"""Issue 13's budget: Digital Audience's tools cost at most 1,400 cl100k tokens in tools/list, and a
server without it costs nothing for it: no tool, no token, no module imported at start-up."""

from __future__ import annotations

import json
import subprocess
import sys
import warnings
from pathlib import Path
from typing import Any

import pytest

from audience_mcp.dev.catalog import list_tools

pytestmark = pytest.mark.anyio


def cl100k_tokens(tools: list[dict[str, Any]]) -> int:
    with warnings.catch_warnings():  # bpe_openai loads its table with a deprecated importlib call
        warnings.simplefilter("ignore", DeprecationWarning)
        import bpe_openai

        encoding = bpe_openai.get_encoding("cl100k_base")
    return len(encoding.encode(json.dumps({"tools": tools}, separators=(",", ":"))))


def mine(tools: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [tool for tool in tools if tool["name"].startswith("digital_audience_")]


async def test_the_digital_audience_tools_cost_at_most_1400_tokens() -> None:
    tools = mine(await list_tools())

    assert len(tools) == 8
    assert cl100k_tokens(tools) <= 1400


async def test_disabled_it_costs_zero_tokens() -> None:
    with_it = await list_tools(platforms="neuroflash,digital_audience")
    without = await list_tools(platforms="neuroflash")

    assert mine(without) == []
    assert cl100k_tokens(without) == cl100k_tokens(
        [t for t in with_it if not t["name"].startswith("digital_audience_")]
    )


def test_disabled_no_digital_audience_module_is_imported_at_start_up(tmp_path: Path) -> None:
    """Only its settings class is read (to know it is not configured); no client, tool or sandbox."""
    probe = (
        "import sys\n"
        "import audience_mcp.platforms.digital_audience.platform\n"
        "bad = [m for m in sys.modules if m.startswith('audience_mcp.platforms.digital_audience.')"
        " and m != 'audience_mcp.platforms.digital_audience.platform'"
        " and m != 'audience_mcp.platforms.digital_audience.settings']\n"
        "assert not bad, bad\n"
        "del sys.modules['audience_mcp.platforms.digital_audience.platform']\n"
        "from audience_mcp.app import create_server\n"
        "from audience_mcp.settings import Settings\n"
        "create_server(Settings(_env_file=None, client_id='c', client_secret='s', state_db=':memory:'))\n"
        "bad = [m for m in sys.modules if m.startswith('audience_mcp.platforms.digital_audience.')"
        " and m != 'audience_mcp.platforms.digital_audience.settings']\n"
        "bad += [m for m in sys.modules if m == 'dateparser']\n"
        "assert not bad, bad\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, cwd=tmp_path, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr


def test_enabled_the_date_parser_is_not_imported_until_a_free_form_date_arrives(tmp_path: Path) -> None:
    probe = (
        "import sys, anyio\n"
        "from audience_mcp.app import create_server\n"
        "from audience_mcp.settings import Settings\n"
        "server = create_server(Settings(_env_file=None, sandbox=True, sandbox_db=':memory:', state_db=':memory:'))\n"
        "anyio.run(server.list_tools)\n"
        "assert 'dateparser' not in sys.modules\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, cwd=tmp_path, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
