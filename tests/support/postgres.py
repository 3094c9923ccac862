"""A real PostgreSQL server for the tests, started from the machine's binaries in a temp dir.

One server per test session (`postgres_server`), one fresh database per test (`postgres_url`).
The server listens on loopback with a password (scram-sha-256), so the URLs the tests use carry
a secret the way a deployment's would, and the secrets campaign can check it never leaks.

initdb refuses to run as root; as root (CI containers) the server runs as the `postgres` user
the Debian package creates. Without binaries the tests that need them are skipped, unless
AUDIENCE_MCP_TEST_REQUIRE_POSTGRES=1 (set by .ci/run after it installed the server package):
then a missing server fails the run instead of passing it with holes. The session summary
names every skip loudly (see `report_skips`).
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

REQUIRE_VARIABLE = "AUDIENCE_MCP_TEST_REQUIRE_POSTGRES"
USER = "audience"
SKIPPED: list[str] = []


def binaries() -> Path | None:
    """The directory of initdb/pg_ctl: on PATH, else Debian's /usr/lib/postgresql/<newest>/bin."""
    found = shutil.which("initdb")
    if found and shutil.which("pg_ctl"):
        return Path(found).resolve().parent
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parent.parent.name))
    return versions[-1].parent if versions else None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class PostgresServer:
    directory: Path
    port: int
    password: str
    bin_dir: Path
    as_postgres_user: bool

    @property
    def admin_url(self) -> str:
        return self.url("postgres")

    def url(self, database: str) -> str:
        return f"postgresql://{USER}:{self.password}@127.0.0.1:{self.port}/{database}"

    def run(self, *command: str) -> None:
        argv = [str(self.bin_dir / command[0]), *command[1:]]
        if self.as_postgres_user:
            argv = ["runuser", "-u", "postgres", "--", *argv]
        subprocess.run(argv, check=True, capture_output=True, timeout=120)

    def create_database(self) -> str:
        import psycopg

        name = f"t_{secrets.token_hex(6)}"
        with psycopg.connect(self.admin_url, autocommit=True) as connection:
            connection.execute(f"CREATE DATABASE {name}")
        return self.url(name)

    def stop(self) -> None:
        with contextlib.suppress(subprocess.SubprocessError, OSError):
            self.run("pg_ctl", "-D", str(self.directory / "data"), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.directory, ignore_errors=True)


def start_server() -> PostgresServer:
    bin_dir = binaries()
    if bin_dir is None:
        raise FileNotFoundError("no PostgreSQL server binaries (initdb, pg_ctl) on this machine")
    as_root = hasattr(os, "geteuid") and os.geteuid() == 0
    # Under /tmp, not pytest's 0700 temp dirs: the postgres user must reach it.
    directory = Path(tempfile.mkdtemp(prefix="audience-mcp-pg-"))
    password = f"pg-{secrets.token_hex(12)}"
    (directory / "password").write_text(password, encoding="utf-8")
    if as_root:
        import pwd

        owner = pwd.getpwnam("postgres")
        os.chown(directory, owner.pw_uid, owner.pw_gid)
        os.chown(directory / "password", owner.pw_uid, owner.pw_gid)
    server = PostgresServer(directory, _free_port(), password, bin_dir, as_root)
    data = str(directory / "data")
    server.run(
        "initdb", "-D", data, "-U", USER, "--pwfile", str(directory / "password"),
        "--auth-host=scram-sha-256", "--auth-local=trust", "-N", "-E", "UTF8", "--locale=C",
    )  # fmt: skip
    options = (
        f"-p {server.port} -k {directory} -c listen_addresses=127.0.0.1 -c fsync=off "
        "-c synchronous_commit=off -c full_page_writes=off -c max_connections=300"
    )
    server.run("pg_ctl", "-D", data, "-o", options, "-l", str(directory / "log"), "-w", "-t", "60", "start")
    return server


# Read at import: the tests' autouse fixtures clear every AUDIENCE_MCP_* variable later.
REQUIRED = os.environ.get(REQUIRE_VARIABLE, "") == "1"


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    try:
        server = start_server()
    except (FileNotFoundError, subprocess.SubprocessError, OSError, KeyError) as exc:
        reason = f"PostgreSQL could not be started: {exc}"
        if REQUIRED:
            pytest.fail(f"{reason} ({REQUIRE_VARIABLE}=1: the PostgreSQL tests must run)")
        SKIPPED.append(reason)
        pytest.skip(reason)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def postgres_url(postgres_server: PostgresServer) -> str:
    """A new, empty database on the session's server (its URL carries the password)."""
    return postgres_server.create_database()


def report_skips(terminalreporter: pytest.TerminalReporter) -> None:
    """Say it loudly when the PostgreSQL tests did not run."""
    if SKIPPED:
        terminalreporter.write_sep("!", "POSTGRESQL TESTS SKIPPED", red=True, bold=True)
        terminalreporter.write_line(
            f"{SKIPPED[0]}. The replica and PostgreSQL store tests did not run: install the server "
            "(apt-get install postgresql) and run again.",
            red=True,
        )


@pytest.fixture(params=["sqlite", "postgresql"])
def state_location(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An AUDIENCE_MCP_STATE_DB value: a new SQLite file, or a new database on the test PostgreSQL."""
    if request.param == "sqlite":
        return str(tmp_path / "state.db")
    url: str = request.getfixturevalue("postgres_url")
    return url
