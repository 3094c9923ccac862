"""`audience-mcp check`: verify the configuration without changing anything.

The report lists every setting with where its value came from (command line, environment,
which .env file, default), secrets masked, warns about a URL that would send credentials
outside neuroflash's documented domain, then tries what the server needs: a token (for client
credentials), the workspace list, the chosen workspace and its audience limits. It sends only
the token request and GETs, opens no journal, and in sandbox mode does not create the sandbox
database. The last line is the verdict: `OK: ...` or `PROBLEM: ...` saying what to fix.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import SecretStr

from audience_mcp import __version__
from audience_mcp.core.env_settings import read_env_files
from audience_mcp.core.http.auth import ClientCredentialsAuth
from audience_mcp.core.http.urls import host_of, is_loopback, within_domain
from audience_mcp.core.secrets import redactor
from audience_mcp.core.store.database import StateStoreError
from audience_mcp.core.store.location import is_postgres
from audience_mcp.platforms.neuroflash.api import (
    APIConnectionError,
    APIError,
    APIStatusError,
    AuthenticationError,
    NeuroflashClient,
    Workspace,
)
from audience_mcp.platforms.neuroflash.connection import Backend, open_backend
from audience_mcp.platforms.neuroflash.settings import DOCUMENTED_DOMAIN, SANDBOX_CLIENT_ID
from audience_mcp.settings import Settings, env_files, setting_variables

BackendFactory = Callable[[Settings], Backend]


@dataclass
class CheckReport:
    settings: list[tuple[str, str, str]] = field(default_factory=list)  # variable, shown value, source
    env_files: list[str] = field(default_factory=list)  # the .env files looked for, and whether found
    steps: list[tuple[str, str]] = field(default_factory=list)  # what, result
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    summary: str = ""

    @property
    def ok(self) -> bool:
        return not self.problems

    def step(self, what: str, result: str) -> None:
        self.steps.append((what, result))

    def problem(self, what: str, result: str, fix: str) -> None:
        self.steps.append((what, f"PROBLEM: {result}"))
        self.problems.append(f"{_sentence(result)}. {fix}")

    def render(self) -> str:
        lines = [f"audience-mcp {__version__}: configuration check (changes nothing)", ""]
        lines.append("Settings [where each value comes from]")
        lines += [f"  {line}" for line in self.env_files]
        width = max((len(variable) for variable, _, _ in self.settings), default=0)
        lines += [f"  {variable:<{width}}  {value}  [{source}]" for variable, value, source in self.settings]
        lines += ["", "Connection"]
        lines += [f"  {what:<11} {result}" for what, result in self.steps]
        if self.warnings:
            lines += ["", "Warnings"]
            lines += [f"  WARNING: {warning}" for warning in self.warnings]
        verdict = f"OK: {self.summary}" if self.ok else "PROBLEM: " + " ".join(self.problems)
        # Texts here quote the API's and the token endpoint's answers, which may echo a credential.
        return redactor.redact("\n".join([*lines, "", verdict, ""]))


def _sentence(text: str) -> str:
    """`text` as the start of a sentence: a plain first word capitalized, never a URL or a name."""
    first = text.split(" ", 1)[0]
    if first.isalpha() and first.islower():
        return text[:1].upper() + text[1:]
    return text


def setting_sources(
    overrides: Mapping[str, object],
    *,
    env_file: Path | Sequence[Path] | None = None,
    environ: Mapping[str, str] = os.environ,
) -> dict[str, str]:
    """Where each setting's value comes from, in the order settings are read (core/env_settings.py)."""
    env = {key.upper() for key in environ}
    files = env_files(environ) if env_file is None else [env_file] if isinstance(env_file, Path) else env_file
    # Which file: a cloned repository may bring one. Later files win, as when settings are read.
    dotenv = {key: f".env file {path.resolve()}" for key, (_, path) in read_env_files(files).items()}
    sources: dict[str, str] = {}
    for name, variable in setting_variables().items():
        if overrides.get(name) is not None:
            sources[name] = "command line"
        elif variable in env:
            sources[name] = "environment"
        elif variable in dotenv:
            sources[name] = dotenv[variable]
        else:
            sources[name] = "default"
    return sources


def _shown(value: object) -> str:
    if isinstance(value, SecretStr):
        return "set (hidden)"
    if value is None or value == "":
        return "not set"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _workspace(workspace: Workspace) -> str:
    role = f", role {workspace.role}" if workspace.role else ""
    return f"{workspace.name or '(unnamed)'} (id {workspace.id}{role})"


async def _token(report: CheckReport, client: NeuroflashClient, settings: Settings) -> bool:
    auth = client.requester.auth
    if not isinstance(auth, ClientCredentialsAuth):
        report.step("token", "NEUROFLASH_ACCESS_TOKEN, used as is (not refreshed)")
        return True
    url = "the sandbox" if settings.server.sandbox else settings.neuroflash.token_url
    try:
        await auth.token()
    except AuthenticationError as exc:
        report.problem(
            "token",
            f"{url} refused the client credentials (HTTP {exc.status})",
            "Check NEUROFLASH_CLIENT_ID and NEUROFLASH_CLIENT_SECRET (a service account in the neuroflash app).",
        )
        return False
    except APIConnectionError as exc:
        report.problem("token", f"{exc.message} ({url})", "Check NEUROFLASH_TOKEN_URL and the network connection.")
        return False
    except APIError as exc:
        report.problem("token", exc.message, "Check NEUROFLASH_TOKEN_URL; try again later if neuroflash is down.")
        return False
    client_id = SANDBOX_CLIENT_ID if settings.server.sandbox else settings.neuroflash.client_id
    report.step("token", f"ok: obtained from {url} for client {client_id}")
    return True


async def _workspaces(report: CheckReport, client: NeuroflashClient, settings: Settings) -> list[Workspace] | None:
    try:
        workspaces = await client.list_workspaces()
    except AuthenticationError:
        report.problem(
            "workspaces",
            "the API refused the token (HTTP 401)",
            "NEUROFLASH_ACCESS_TOKEN may have expired: set a new one, or use NEUROFLASH_CLIENT_ID and "
            "NEUROFLASH_CLIENT_SECRET.",
        )
        return None
    except APIConnectionError as exc:
        report.problem("workspaces", exc.message, "Check NEUROFLASH_API_URL and the network connection.")
        return None
    except APIStatusError as exc:
        report.problem(
            "workspaces", f"HTTP {exc.status}: {exc.message}", "Check NEUROFLASH_API_URL and the service account."
        )
        return None
    except APIError as exc:
        report.problem("workspaces", exc.message, "Check NEUROFLASH_API_URL.")
        return None
    if not workspaces:
        report.problem(
            "workspaces",
            "these credentials see no workspace",
            "Give the service account access to a workspace in the neuroflash app.",
        )
        return None
    report.step("workspaces", f"ok: {len(workspaces)} visible: " + "; ".join(map(_workspace, workspaces)))
    return workspaces


def _chosen(report: CheckReport, workspaces: list[Workspace], settings: Settings) -> Workspace | None:
    if settings.neuroflash.workspace_id:
        for workspace in workspaces:
            if workspace.id == settings.neuroflash.workspace_id:
                report.step("workspace", f"ok: {_workspace(workspace)} from NEUROFLASH_WORKSPACE_ID")
                return workspace
        choices = ", ".join(w.id for w in workspaces)
        report.problem(
            "workspace",
            f"NEUROFLASH_WORKSPACE_ID={settings.neuroflash.workspace_id} is not among the workspaces "
            "these credentials can use",
            f"Set NEUROFLASH_WORKSPACE_ID to one of {choices}, or leave it empty.",
        )
        return None
    if len(workspaces) == 1:
        report.step("workspace", f"ok: {_workspace(workspaces[0])}, the only one")
        return workspaces[0]
    report.step("workspace", "none by default: tools need workspace_id (NEUROFLASH_WORKSPACE_ID sets a default)")
    return None


async def _limits(report: CheckReport, client: NeuroflashClient, workspace: Workspace) -> None:
    try:
        limits = (await client.get_limits(workspace.id)).create
    except APIError as exc:
        report.problem("limits", exc.message, f"The service account may lack access to workspace {workspace.id}.")
        return
    if limits.is_unlimited:
        report.step("limits", f"ok: unlimited audiences ({limits.usage if limits.usage is not None else '?'} exist)")
    elif (left := limits.remaining) is not None:
        note = "" if left else " (creating is blocked until some are deleted)"
        report.step("limits", f"ok: {limits.usage} of {limits.plan_limit} audiences used, {left} left{note}")
    else:
        available = {True: "creating allowed", False: "creating not allowed", None: "no numbers given"}
        report.step("limits", f"ok: {available[limits.is_available]}")


def _sandbox_without_creating_db(settings: Settings) -> tuple[Settings, str]:
    """Sandbox settings that read the sandbox database if it exists and never create it.

    A missing database is swapped for an in-memory one: `check` changes nothing on disk.
    """
    db = settings.server.sandbox_db
    if db == ":memory:" or Path(db).exists():
        return settings, f"built-in sandbox (in process, no network; data {db})"
    return settings.replaced(sandbox_db=":memory:"), f"built-in sandbox (no data yet; {db} not created)"


# The settings that receive a credential, and which one they receive.
_CREDENTIAL_URLS = {"api_url": "the access token", "token_url": "the client secret"}


def _url_warnings(report: CheckReport, settings: Settings, sources: Mapping[str, str]) -> None:
    """Warn about each credential URL outside neuroflash's documented domain (https is enforced by settings)."""
    variables = setting_variables()
    for name, credential in _CREDENTIAL_URLS.items():
        url = getattr(settings.neuroflash, name)
        if within_domain(url, DOCUMENTED_DOMAIN):
            continue
        where = "this machine" if is_loopback(host_of(url)) else host_of(url)
        report.warnings.append(
            f"{variables[name]} (from {sources[name]}) sends {credential} to {where} ({url}), outside neuroflash's "
            f"documented domain {DOCUMENTED_DOMAIN}. Unset it unless you trust that host."
        )


async def _oauth_keys(report: CheckReport, settings: Settings) -> None:
    """HTTP mode's OAuth: can the issuer's signing keys be fetched (the server fetches them on first use)?"""
    from audience_mcp.core.auth.keys import KeysUnavailable, discover_jwks_url, fetch_json, signing_keys

    issuer = settings.server.oauth_issuer
    assert issuer is not None
    try:
        url = settings.server.oauth_jwks_url or await discover_jwks_url(issuer)
        found = signing_keys(await fetch_json(url), url)
    except KeysUnavailable as exc:
        report.problem(
            "oauth",
            f"the signing keys of {issuer} cannot be fetched: {exc}",
            "Set AUDIENCE_MCP_OAUTH_ISSUER exactly as the tokens' iss claim says, or AUDIENCE_MCP_OAUTH_JWKS_URL.",
        )
        return
    if not found:
        report.problem("oauth", f"{url} holds no public signature key", "Check AUDIENCE_MCP_OAUTH_JWKS_URL.")
        return
    report.step("oauth", f"ok: {len(found)} signing keys of {issuer} from {url}")


def _other_platforms(settings: Settings) -> list[str]:
    """The platforms besides neuroflash whose credentials are set."""
    return [
        name
        for name in settings.parts()
        if name not in ("server", "neuroflash") and settings.platform_settings(name).has_credentials
    ]


def _shared_store(report: CheckReport, url: str) -> bool:
    """Open the PostgreSQL state store as a replica would (creating or migrating its schema)."""
    from audience_mcp.core.store.journal import Journal

    try:
        Journal(url).close()
    except StateStoreError as exc:
        report.problem(
            "state store",
            str(exc),
            "Check AUDIENCE_MCP_STATE_DB (host, port, database, user and password), and that the "
            "[postgres] extra is installed.",
        )
        return False
    report.step("state store", "PostgreSQL: reachable, schema current (shared by every replica using it)")
    return True


async def run_check(
    settings: Settings, *, overrides: Mapping[str, object], backend_factory: BackendFactory = open_backend
) -> CheckReport:
    """Check `settings` (built with `overrides` from the command line) and say what to fix."""
    report = CheckReport()
    redactor.register(*settings.secret_values())
    sources = setting_sources(overrides)
    for path in env_files():
        found = path.is_file()
        report.env_files.append(f".env file {path.resolve() if found else path}: {'read' if found else 'not found'}")
    parts = settings.parts().values()
    for name, variable in setting_variables().items():
        value = next(getattr(part, name) for part in parts if name in type(part).model_fields)
        report.settings.append((variable, _shown(value), sources[name]))
    if settings.server.oauth_issuer is not None:
        await _oauth_keys(report, settings)
    if is_postgres(settings.server.state_db) and not _shared_store(report, settings.server.state_db):
        return report
    if settings.server.sandbox:
        settings, backend = _sandbox_without_creating_db(settings)
        report.step("backend", backend)
    elif not settings.neuroflash.has_credentials and (others := _other_platforms(settings)):
        # Only another platform is configured: neuroflash is simply not served, which is no problem.
        report.step("neuroflash", "not configured: its tools are not served")
        report.summary = (
            f"the server will serve {', '.join(others)}; this check probes only neuroflash so far: call "
            "that platform's list tool to see its credentials work."
        )
        return report
    elif not settings.neuroflash.has_credentials:
        report.problem(
            "backend",
            f"no neuroflash credentials for {settings.neuroflash.api_url}",
            "Set NEUROFLASH_CLIENT_ID and NEUROFLASH_CLIENT_SECRET (or NEUROFLASH_ACCESS_TOKEN), or use --sandbox.",
        )
        return report
    else:
        report.step("backend", settings.neuroflash.api_url)
        _url_warnings(report, settings, sources)
    async with backend_factory(settings).client as client:
        if not await _token(report, client, settings):
            return report
        workspaces = await _workspaces(report, client, settings)
        if workspaces is None:
            return report
        workspace = _chosen(report, workspaces, settings)
        if workspace is not None:
            await _limits(report, client, workspace)
    target = f"workspace {workspace.name or workspace.id}" if workspace else f"{len(workspaces)} workspaces"
    report.summary = (
        f"the server can reach {'the sandbox' if settings.server.sandbox else 'neuroflash'} and use {target}."
    )
    return report
