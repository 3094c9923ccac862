"""The import rules of ARCHITECTURE.md, checked on the source tree (and on a synthetic tree,
so the checker itself is known to catch what it is for)."""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "server" / "audience_mcp"


def _imports(path: Path, package: str) -> Iterator[str]:
    """Every module `path` imports, relative imports resolved against its package."""
    module_parts = [package, *path.relative_to(path_root(path, package)).with_suffix("").parts]
    module_parts = module_parts[:-1]  # the package a module (or an __init__) lives in
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module_parts[: len(module_parts) - (node.level - 1)]
                target = ".".join([*base, *([node.module] if node.module else [])])
            else:
                target = node.module or ""
            yield target
            yield from (f"{target}.{alias.name}" for alias in node.names)


def path_root(path: Path, package: str) -> Path:
    for parent in path.parents:
        if parent.name == package:
            return parent
    raise ValueError(path)


def _layer(module: str, package: str) -> tuple[str, ...]:
    return tuple(module.removeprefix(f"{package}.").split("."))


def violations(root: Path, package: str = "audience_mcp") -> list[str]:
    """Each broken rule as 'file: rule (imported module)'."""
    found: list[str] = []
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root).with_suffix("").parts
        for imported in set(_imports(path, package)):
            top = imported.split(".")[0]
            inside = imported.startswith(f"{package}.")
            parts = _layer(imported, package) if inside else ()

            def broken(rule: str, imported: str = imported, path: Path = path) -> None:
                found.append(f"{path.relative_to(root)}: {rule} ({imported})")

            if rel[0] == "core" and parts[:1] == ("platforms",) and len(parts) > 1:
                broken("core never imports platforms")
            same_platform = len(parts) > 1 and len(rel) > 2 and parts[1] == rel[1]
            if rel[0] == "platforms" and len(rel) > 2 and parts[:1] == ("platforms",) and not same_platform:
                broken("a platform never imports another platform")
            in_tools = rel[0] == "platforms" and len(rel) > 2 and rel[2] == "tools"
            if in_tools and top == "httpx2":
                broken("tools never import httpx2")
            is_client = (rel[0] == "platforms" and len(rel) > 2 and rel[2] in ("client", "api")) or rel[:2] == (
                "core",
                "http",
            )
            if is_client and top in ("mcp", "mcp_types"):
                broken("clients never import mcp")
            in_sandbox = (rel[0] == "platforms" and len(rel) > 2 and rel[2] == "sandbox") or rel[:2] == (
                "core",
                "sandboxkit",
            )
            if in_sandbox and parts[:1] == ("platforms",) and len(parts) > 2 and parts[2] in ("client", "api", "tools"):
                broken("sandboxes import neither clients nor tools")
            if in_sandbox and top in ("mcp", "mcp_types"):
                broken("sandboxes import neither clients nor tools")
    return found


def test_the_source_tree_keeps_the_import_rules() -> None:
    assert violations(PACKAGE) == []


def test_the_checker_catches_each_rule_on_a_synthetic_tree(tmp_path: Path) -> None:
    root = tmp_path / "audience_mcp"
    files = {
        "core/http/requester.py": "from mcp.server.mcpserver import MCPServer\n",
        "core/audit/values.py": "from audience_mcp.platforms.neuroflash import models\n",
        "platforms/neuroflash/tools/audiences.py": "import httpx2\n",
        "platforms/neuroflash/client.py": "from audience_mcp.platforms.appizer.client import AppizerClient\n",
        "platforms/neuroflash/sandbox/app.py": "from ..client import NeuroflashClient\n",
        "platforms/neuroflash/models.py": "from audience_mcp.core.http import wire\n",  # allowed
    }
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    found = violations(root)
    rules = sorted({line.split(": ", 1)[1].split(" (")[0] for line in found})
    assert rules == [
        "a platform never imports another platform",
        "clients never import mcp",
        "core never imports platforms",
        "sandboxes import neither clients nor tools",
        "tools never import httpx2",
    ], found
    assert not any("models.py" in line for line in found)


def test_start_up_imports_no_module_of_a_platform_it_does_not_need(tmp_path: Path) -> None:
    """The platform descriptor alone imports none of neuroflash's tools, client or sandbox, and a
    real-mode server imports no sandbox and no country tables (starlette and uvicorn come with the
    SDK's own import)."""
    probe = (
        "import sys\n"
        "import audience_mcp.platforms.neuroflash.platform\n"
        "bad = [m for m in sys.modules if m.startswith(('audience_mcp.platforms.neuroflash.tools',"
        " 'audience_mcp.platforms.neuroflash.client', 'audience_mcp.platforms.neuroflash.sandbox'))]\n"
        "assert not bad, bad\n"
        "import audience_mcp.platforms.appizer.platform\n"
        "bad = [m for m in sys.modules if m.startswith(('audience_mcp.platforms.appizer.tools',"
        " 'audience_mcp.platforms.appizer.client', 'audience_mcp.platforms.appizer.sandbox'))]\n"
        "assert not bad, bad\n"
        "from audience_mcp.app import create_server\n"
        "from audience_mcp.settings import Settings\n"
        "create_server(Settings(_env_file=None, client_id='c', client_secret='s', state_db=':memory:'))\n"
        "bad = [m for m in sys.modules if m.startswith(('audience_mcp.platforms.neuroflash.sandbox',"
        " 'audience_mcp.core.sandboxkit', 'pycountry'))]\n"
        "assert not bad, bad\n"
        # Digital Audience is not configured here: only its settings class is read.
        "bad = [m for m in sys.modules if m.startswith('audience_mcp.platforms.digital_audience.')"
        " and not m.endswith('.settings')]\n"
        "assert not bad, bad\n"
        # A SQLite state store imports no PostgreSQL driver (the [postgres] extra may be absent).
        "from audience_mcp.core.store.journal import Journal\n"
        "Journal(':memory:').close()\n"
        "bad = [m for m in sys.modules if m.startswith(('psycopg', 'audience_mcp.core.store.postgres'))]\n"
        "assert not bad, bad\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, cwd=tmp_path, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr


def test_no_test_module_imports_another_test_module() -> None:
    """Shared helpers live in tests/support/; a test module or conftest is never imported."""
    tests = Path(__file__).resolve().parent
    found = []
    for path in sorted(tests.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                module = "." * node.level + (node.module or "")
                names = [module, *(f"{module}.{alias.name}" for alias in node.names)]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            for name in names:
                leaf = name.split(".")[-1]
                if name.startswith(("tests.", ".")) and (leaf.startswith("test_") or leaf == "conftest"):
                    found.append(f"{path.relative_to(tests)} imports {name}")
    assert found == []
