"""What Appizer costs the model and the process: its tools in tools/list, and nothing when disabled."""

from __future__ import annotations

import json
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

from audience_mcp.app import create_server
from audience_mcp.dev.catalog import list_tools
from tests.support.harness import make_settings

pytestmark = pytest.mark.anyio

BUDGET = 900


def tokens(tools: list[dict[str, object]]) -> int:
    with warnings.catch_warnings():  # bpe_openai loads its table with a deprecated importlib call
        warnings.simplefilter("ignore", DeprecationWarning)
        import bpe_openai

        encoding = bpe_openai.get_encoding("cl100k_base")
    return len(encoding.encode(json.dumps({"tools": tools}, separators=(",", ":"))))


async def test_the_appizer_toolset_costs_at_most_900_cl100k_tokens_in_tools_list() -> None:
    tools = [t for t in await list_tools() if t["name"].startswith("appizer_")]
    assert [t["name"] for t in tools] == ["appizer_list_audiences", "appizer_get_audience", "appizer_create_audience"]
    assert tokens(tools) <= BUDGET


async def test_disabled_appizer_adds_no_tool() -> None:
    server = create_server(make_settings(client_id="c", client_secret="s"))
    names = [tool.name for tool in await server.list_tools()]
    assert names and not [name for name in names if "appizer" in name]


def test_disabled_appizer_imports_no_appizer_module_at_start_up(tmp_path: Path) -> None:
    """Only its settings class is read (to know it is disabled); no tool, client, sandbox or descriptor."""
    probe = (
        "import sys\n"
        "from audience_mcp.app import create_server\n"
        "from audience_mcp.settings import Settings\n"
        "create_server(Settings(_env_file=None, client_id='c', client_secret='s', state_db=':memory:'))\n"
        "bad = [m for m in sys.modules if m.startswith('audience_mcp.platforms.appizer')"
        " and m not in ('audience_mcp.platforms.appizer', 'audience_mcp.platforms.appizer.settings')]\n"
        "assert not bad, bad\n"
        "import audience_mcp.platforms.appizer.platform\n"
        "bad = [m for m in sys.modules if m.startswith(('audience_mcp.platforms.appizer.tools',"
        " 'audience_mcp.platforms.appizer.client', 'audience_mcp.platforms.appizer.sandbox'))]\n"
        "assert not bad, bad\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, cwd=tmp_path, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr


def test_a_real_key_server_imports_no_appizer_sandbox(tmp_path: Path) -> None:
    probe = (
        "import sys\n"
        "from audience_mcp.app import create_server\n"
        "from audience_mcp.settings import Settings\n"
        "create_server(Settings(_env_file=None, appizer_api_key='k', state_db=':memory:'))\n"
        "bad = [m for m in sys.modules if m.startswith('audience_mcp.platforms.appizer.sandbox')]\n"
        "assert not bad, bad\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, cwd=tmp_path, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
