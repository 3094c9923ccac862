"""What every figure shares: result rows, statistics, token counts, subprocesses and harnesses.

Nothing here runs at import. Subprocesses always run with the repository's interpreter
(`sys.executable`), without any `NEUROFLASH_*` variable of the caller, in a temporary working
directory (no stray `.env`) and with `XDG_DATA_HOME` in a temporary directory, so a benchmark
never reads or writes a developer's sandbox or journal.
"""

from __future__ import annotations

import contextlib
import logging
import math
import os
import statistics
import subprocess
import sys
import tempfile
import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.support import GUIDE_BODY, free_port, wait_for_http

ROOT = Path(__file__).resolve().parents[2]

SANDBOX_CLIENT_ID = "sandbox-client"
SANDBOX_CLIENT_SECRET = "sandbox-secret"

# A complete, valid audience body (what the API itself would hold).
AUDIENCE_BODY: dict[str, Any] = dict(GUIDE_BODY)


# -- results ------------------------------------------------------------------------------------


@dataclass
class Result:
    """One row of the table: a figure, its value, and the target it is held to (if any)."""

    figure: str
    value: float | str | None
    unit: str = ""
    target: str = ""
    passed: bool | None = None  # None: informational, or not measured
    details: dict[str, Any] = field(default_factory=dict)
    group: str = ""

    def value_text(self) -> str:
        if self.value is None:
            return "n/a"
        if isinstance(self.value, str):
            return self.value
        if self.unit == "%":
            return f"{self.value:.1f} %"
        if self.unit == "ms":
            return f"{self.value:.3f} ms" if abs(self.value) < 10 else f"{self.value:.1f} ms"
        if self.unit == "s":
            return f"{self.value:.3f} s"
        if self.unit == "x":  # a ratio judged against a target such as 1.10x: one decimal hid a miss
            return f"{self.value:.3f}x"
        if float(self.value).is_integer():
            return f"{int(self.value):,} {self.unit}".strip()
        return f"{self.value:,.1f} {self.unit}".strip()

    def status(self) -> str:
        if self.passed is None:
            return "info" if self.value is not None else "skipped"
        return "pass" if self.passed else "FAIL"

    def as_json(self) -> dict[str, Any]:
        return {
            "group": self.group,
            "figure": self.figure,
            "value": self.value,
            "unit": self.unit,
            "target": self.target,
            "status": self.status(),
            "details": self.details,
        }


def at_most(value: float, limit: float) -> bool:
    return value <= limit


# -- statistics ---------------------------------------------------------------------------------


def median(values: Sequence[float]) -> float:
    return float(statistics.median(values))


def percentile(values: Sequence[float], q: float) -> float:
    """Linear interpolation between closest ranks (numpy's default); q in [0, 100]."""
    ordered = sorted(values)
    if not ordered:
        return math.nan
    position = (len(ordered) - 1) * q / 100
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def ms(seconds: float) -> float:
    return seconds * 1000.0


def spread(values: Sequence[float], scale: float = 1.0, digits: int = 4) -> dict[str, float]:
    """min / median / max (and the count) for the JSON details."""
    return {
        "n": len(values),
        "min": round(min(values) * scale, digits),
        "median": round(median(values) * scale, digits),
        "max": round(max(values) * scale, digits),
    }


# -- tokens -------------------------------------------------------------------------------------

_encoding: Any = None


def cl100k() -> Any:
    """The cl100k_base encoding from bpe-openai (a dev dependency; same ids as tiktoken's)."""
    global _encoding
    if _encoding is None:
        try:
            with warnings.catch_warnings():  # bpe_openai loads its table through a deprecated importlib call
                warnings.simplefilter("ignore", DeprecationWarning)
                import bpe_openai

                _encoding = bpe_openai.get_encoding("cl100k_base")
        except ImportError as exc:
            raise SystemExit("bpe-openai is missing: install the dev dependencies (pip install -e '.[dev]')") from exc
    return _encoding


def tokens(text: str) -> int:
    return len(cl100k().encode(text))


# -- processes ----------------------------------------------------------------------------------


def clean_env(data_home: Path, **extra: str) -> dict[str, str]:
    """The caller's environment without NEUROFLASH_* and with a private user data directory.

    PYTHONDONTWRITEBYTECODE is dropped: a user's installation keeps compiled bytecode, and a
    cold start measured while recompiling every module would measure the compiler.
    """
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.upper().startswith(("NEUROFLASH_", "AUDIENCE_MCP_", "APPIZER_", "DIGITAL_AUDIENCE_"))
        and k != "PYTHONDONTWRITEBYTECODE"
    }
    env["XDG_DATA_HOME"] = str(data_home)
    env.update(extra)
    return env


def server_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "audience_mcp", *args]


def network_available() -> bool:
    """Whether this checkout's CLI has `--transport http` (it landed while this suite was written)."""
    result = subprocess.run(
        server_command("--help"), capture_output=True, text=True, timeout=60, check=False, cwd=tempfile.gettempdir()
    )
    return "--transport" in result.stdout and "http" in result.stdout


@contextlib.contextmanager
def background_process(
    args: list[str], *, env: dict[str, str], cwd: Path, ready_url: str, name: str
) -> Iterator[subprocess.Popen[bytes]]:
    """Start a server process, wait until `ready_url` answers 200, stop it (by its pid) on exit."""
    log = cwd / f"{name}.stderr.log"
    with log.open("wb") as stderr:
        process = subprocess.Popen(
            args, env=env, cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=stderr
        )
    try:
        wait_for_http(ready_url, process, log)
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@dataclass
class StandaloneSandbox:
    root: str
    process: subprocess.Popen[bytes]

    @property
    def api_url(self) -> str:
        return f"{self.root}/api"

    @property
    def token_url(self) -> str:
        return f"{self.root}/oauth/v2/token"

    def server_env(self) -> dict[str, str]:
        """The settings that point an MCP server (or the client) at this sandbox."""
        return {
            "NEUROFLASH_API_URL": self.api_url,
            "NEUROFLASH_TOKEN_URL": self.token_url,
            "NEUROFLASH_CLIENT_ID": SANDBOX_CLIENT_ID,
            "NEUROFLASH_CLIENT_SECRET": SANDBOX_CLIENT_SECRET,
        }


@contextlib.contextmanager
def standalone_sandbox(workdir: Path, *extra_args: str) -> Iterator[StandaloneSandbox]:
    """`audience-mcp sandbox-api` on a free loopback port, data in memory."""
    port = free_port()
    args = server_command("sandbox-api", "--port", str(port), "--db", ":memory:", "--create-limit", "0", *extra_args)
    root = f"http://127.0.0.1:{port}"
    env = clean_env(workdir / "data")
    with background_process(args, env=env, cwd=workdir, ready_url=f"{root}/healthz", name="sandbox-api") as process:
        yield StandaloneSandbox(root=root, process=process)


@contextlib.contextmanager
def workdir(prefix: str) -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix=f"nf-bench-{prefix}-") as name:
        path = Path(name)
        (path / "data").mkdir()
        yield path


# -- in-process harness -------------------------------------------------------------------------


@dataclass
class InProcess:
    """An MCP server over an in-process sandbox, as the tool tests build it (no sockets)."""

    server: Any
    sandbox: Any
    app: Any


def in_process(
    *,
    create_limit: int | None = None,
    clock: Callable[[], float] | None = None,
    token_lifetime_seconds: float = 14399,
) -> InProcess:
    """`create_server` with a backend factory wiring the real client to an in-process sandbox.

    `clock` (seconds) drives both the sandbox (token expiry, timestamps) and the client's token
    cache, so a benchmark can let token lifetimes pass without waiting.
    """
    import httpx2
    from pydantic import SecretStr

    from audience_mcp.app import create_server
    from audience_mcp.platforms.neuroflash.api import NeuroflashClient, RetryPolicy
    from audience_mcp.platforms.neuroflash.connection import Backend
    from audience_mcp.platforms.neuroflash.sandbox import SandboxConfig, create_sandbox_app
    from audience_mcp.settings import Settings

    config_kwargs: dict[str, Any] = {
        "db_path": ":memory:",
        "create_limit": create_limit,
        "token_lifetime_seconds": token_lifetime_seconds,
    }
    if clock is not None:
        config_kwargs["clock"] = clock
    app = create_sandbox_app(SandboxConfig(**config_kwargs))
    base = "http://sandbox.bench.local"

    def backend_factory(_settings: Settings) -> Backend:
        client = NeuroflashClient.connect(
            api_url=f"{base}/api",
            token_url=f"{base}/oauth/v2/token",
            client_id=SANDBOX_CLIENT_ID,
            client_secret=SecretStr(SANDBOX_CLIENT_SECRET),
            network=httpx2.ASGITransport(app=app),
            retry=RetryPolicy(max_attempts=1),
            clock=clock,
        )
        return Backend(client=client)

    settings = Settings(_env_file=None, sandbox=False, workspace_id=None, read_only=False, state_db=":memory:")
    server = create_server(settings, backend_factories={"neuroflash": backend_factory})
    logging.getLogger().setLevel(logging.WARNING)  # create_server logs at INFO to stderr: keep the table readable
    return InProcess(server=server, sandbox=app.state.sandbox, app=app)


def audience_body(i: int) -> dict[str, Any]:
    """A realistic, varied, valid audience (lists of 3-6 items, all fields set)."""
    interests = ["AI", "content marketing", "SEO", "social media", "email marketing", "analytics"]
    needs = ["scale content production", "consistent brand voice", "faster approvals", "better reporting"]
    pains = ["manual workflows", "tight budgets", "too many tools", "slow agencies"]
    cities = [("Berlin", "DE", "de"), ("Hamburg", "DE", "de"), ("Vienna", "AT", "de"), ("London", "GB", "en")]
    city, country, language = cities[i % len(cities)]
    return {
        "name": f"Marketing leaders {city} {i:04d}",
        "minAge": 25 + i % 10,
        "maxAge": 45 + i % 15,
        "residence": city,
        "genderDistribution": {"female": 0.5, "male": 0.4, "nonBinary": 0.07, "preferNotToSay": 0.03},
        "interests": interests[: 3 + i % 4],
        "needs": needs[: 2 + i % 3],
        "painPoints": pains[: 2 + i % 3],
        "country": country,
        "nativeLanguage": language,
        "shared": i % 2 == 0,
    }
