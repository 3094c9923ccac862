"""Command line: parse flags, load settings, pick what to run. No business logic here.

audience-mcp [--sandbox] [--read-only]      serve MCP over stdio
audience-mcp --transport http [--host] [--port] [--allow-remote] [--no-auth]
                                                       serve MCP over Streamable HTTP at /mcp
audience-mcp check [--sandbox]              verify the configuration, change nothing
audience-mcp demo                           scripted session against the sandbox
audience-mcp sandbox-api [--host] [--port] [--allow-remote]
                                            the sandbox as a standalone HTTP API (127.0.0.1 by default)
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from typing import Any

from pydantic import ValidationError

from audience_mcp import __version__
from audience_mcp.core.logs import configure_logging

logger = logging.getLogger(__name__)


def _port(text: str) -> int:
    port = int(text)
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{port} is not a port (1-65535)")
    return port


def _server_flags(parser: argparse.ArgumentParser, *, top_level: bool) -> None:
    # A subcommand repeats the flags with SUPPRESS defaults, so its defaults never overwrite
    # what was given before the subcommand (argparse copies a subparser's values over).
    def default(value: object) -> object:
        return value if top_level else argparse.SUPPRESS

    parser.add_argument("--sandbox", action="store_true", default=default(None), help="use the built-in sandbox API")
    parser.add_argument("--read-only", action="store_true", default=default(None), help="register no tool that writes")
    parser.add_argument(
        "--toolsets", default=default(None), help="toolsets to register, comma-separated (AUDIENCE_MCP_TOOLSETS)"
    )
    parser.add_argument("--transport", choices=["stdio", "http"], default=default("stdio"), help="default: stdio")
    parser.add_argument("--host", default=default("127.0.0.1"), help="HTTP bind address (default 127.0.0.1)")
    parser.add_argument("--port", type=_port, default=default(8000), help="HTTP port (default 8000)")
    parser.add_argument(
        "--allow-remote", action="store_true", default=default(False), help="allow a non-loopback --host"
    )
    parser.add_argument(
        "--no-auth",
        action="store_true",
        default=default(False),
        help="HTTP without AUDIENCE_MCP_TOKEN (loopback hosts only)",
    )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="audience-mcp", description="MCP server for neuroflash target audiences.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--log-level", default="INFO", choices=["DEBUG", "INFO", "WARNING", "ERROR"])
    _server_flags(parser, top_level=True)
    commands = parser.add_subparsers(dest="command")
    _server_flags(
        commands.add_parser("serve", help="serve MCP (the default; stdio unless --transport http)"), top_level=False
    )
    check = commands.add_parser("check", help="verify settings, credentials and workspace access; changes nothing")
    check.add_argument("--sandbox", action="store_true", default=argparse.SUPPRESS, help="check against the sandbox")
    commands.add_parser("demo", help="run a scripted session through the MCP client against the sandbox")
    sandbox = commands.add_parser("sandbox-api", help="serve the sandbox emulators of every platform's API over HTTP")
    sandbox.add_argument("--host", default="127.0.0.1", help="bind address (default 127.0.0.1)")
    sandbox.add_argument("--allow-remote", action="store_true", help="allow a non-loopback --host")
    sandbox.add_argument("--port", type=int, default=8765)
    sandbox.add_argument("--db", help="SQLite file (default: AUDIENCE_MCP_SANDBOX_DB)")
    sandbox.add_argument("--create-limit", type=int, default=50, help="plan limit of audiences (0 = unlimited)")
    sandbox.add_argument("--token-lifetime", type=float, default=14399.0, help="access token lifetime in seconds")
    return parser


def _load_settings(overrides: dict[str, Any]) -> Any:
    from audience_mcp.settings import Settings

    return Settings(**{k: v for k, v in overrides.items() if v is not None})


def _problems(exc: ValidationError) -> str:
    # Field names and messages only: pydantic's messages do not repeat the (maybe secret) input.
    from audience_mcp.settings import variable_for

    return "; ".join(f"{variable_for(exc.title, '_'.join(map(str, e['loc'])))}: {e['msg']}" for e in exc.errors())


def _settings(overrides: dict[str, Any]) -> Any:
    from audience_mcp.core.env_settings import EnvFileError

    try:
        return _load_settings(overrides)
    except ValidationError as exc:
        logger.error("Invalid settings: %s", _problems(exc))
        raise SystemExit(2) from None
    except EnvFileError as exc:
        logger.error("Invalid settings: %s.", exc)
        raise SystemExit(2) from None


def _check(args: argparse.Namespace) -> None:
    import anyio

    from audience_mcp.check import run_check
    from audience_mcp.core.env_settings import EnvFileError

    overrides = {"sandbox": getattr(args, "sandbox", None)}
    try:
        settings = _load_settings(overrides)
    except ValidationError as exc:
        sys.stdout.write(f"PROBLEM: invalid settings: {_problems(exc)}. Fix them in the environment or .env.\n")
        sys.exit(1)
    except EnvFileError as exc:
        sys.stdout.write(f"PROBLEM: {exc}.\n")
        sys.exit(1)
    configure_logging(args.log_level, settings.secret_values())
    report = anyio.run(lambda: run_check(settings, overrides=overrides))
    sys.stdout.write(report.render())
    sys.exit(0 if report.ok else 1)


def _server(settings: Any, *, http: bool = False) -> Any:
    from audience_mcp.app import create_server
    from audience_mcp.core.mcp.registry import SettingsChoiceError

    try:
        # HTTP: remote clients read no file outside AUDIENCE_MCP_IMAGE_DIR, and a service fails at
        # start when its state cannot be opened; stdio opens it on the first tool call.
        return create_server(settings, refuse_file_paths=http, open_at_start=http)
    except SettingsChoiceError as exc:  # an unknown toolset or platform: the user fixes a setting
        logger.error("%s", exc)
        sys.exit(2)


def _oauth(args: argparse.Namespace, settings: Any) -> Any:
    """The OAuth resource server when AUDIENCE_MCP_OAUTH_ISSUER is set (and --no-auth is not), else None."""
    from audience_mcp.core.auth.resource_server import oauth_resource
    from audience_mcp.http_server import default_resource_url

    server = settings.server
    if args.no_auth or server.oauth_issuer is None:
        return None
    return oauth_resource(
        issuer=server.oauth_issuer,
        resource_url=server.oauth_resource_url or default_resource_url(args.host, args.port),
        audience=server.oauth_audience,
        jwks_url=server.oauth_jwks_url,
    )


def _auth_summary(args: argparse.Namespace, settings: Any, oauth: Any) -> str:
    if args.no_auth:
        return "no authentication"
    kinds = ["bearer token"] if settings.server.token is not None else []
    if oauth is not None:
        kinds.append(f"OAuth access tokens of {settings.server.oauth_issuer} for {oauth.auth.resource_server_url}")
    return " or ".join(kinds) + " required"


def _serve_http(args: argparse.Namespace, settings: Any) -> None:
    from audience_mcp.core.store.location import is_postgres
    from audience_mcp.http_server import build_http_app, serve_http

    if args.no_auth and (settings.server.token is not None or settings.server.oauth_issuer is not None):
        logger.warning("--no-auth: AUDIENCE_MCP_TOKEN / AUDIENCE_MCP_OAUTH_ISSUER are set but will not be required")
    oauth = _oauth(args, settings)
    server = _server(settings, http=True)
    # A shared state store means replicas: keep no session, so any of them answers any request.
    replicas = is_postgres(settings.server.state_db)
    if replicas and not settings.server.request_state_keys:
        logger.warning(
            "The state store is shared (PostgreSQL) but AUDIENCE_MCP_REQUEST_STATE_KEYS is not set: a question "
            "one replica asks can only be answered on that replica. Give every replica the same keys."
        )
    app = build_http_app(
        server,
        host=args.host,
        port=args.port,
        token=None if args.no_auth else settings.server.token,
        extra_hosts=settings.server.host_list(),
        extra_origins=settings.server.origin_list(),
        oauth=oauth,
        stateless=replicas,
    )
    logger.info(
        "Serving MCP over Streamable HTTP at http://%s:%d/mcp (%s%s%s, %s)",
        args.host,
        args.port,
        "sandbox" if settings.server.sandbox else settings.neuroflash.api_url,
        ", read-only" if settings.server.read_only else "",
        ", stateless: state on PostgreSQL" if replicas else "",
        _auth_summary(args, settings, oauth),
    )
    serve_http(
        app,
        host=args.host,
        port=args.port,
        log_level=args.log_level,
        header_timeout=settings.server.http_header_timeout_seconds,
        max_connections=settings.server.http_max_connections,
        keep_alive=settings.server.http_keep_alive_seconds,
    )


def main(argv: Sequence[str] | None = None) -> None:
    args = _parser().parse_args(argv)
    configure_logging(args.log_level)
    command = args.command or "serve"
    if command == "sandbox-api":
        from audience_mcp.core.http.urls import is_loopback
        from audience_mcp.core.sandboxkit.runner import SandboxOptions, serve
        from audience_mcp.platforms import PLATFORM_MODULES, load_platform

        if not is_loopback(args.host) and not args.allow_remote:
            # Like the server: its accounts and data would be open to the network.
            logger.error(
                "Refusing to serve the sandbox on %s: it is not a loopback address. Pass --allow-remote to mean it.",
                args.host,
            )
            sys.exit(2)
        settings = _settings({})
        options = SandboxOptions(
            db_path=args.db or settings.server.sandbox_db,
            create_limit=args.create_limit or None,
            token_lifetime_seconds=args.token_lifetime,
        )
        platforms = [load_platform(name) for name in PLATFORM_MODULES]
        mounts = [p.sandbox_mount(options) for p in platforms if p.sandbox_mount is not None]
        logger.info("Sandbox API on http://%s:%d (database %s)", args.host, args.port, options.db_path)
        serve(mounts, host=args.host, port=args.port)
        return
    if command == "check":
        _check(args)
        return
    if command == "demo":
        import anyio

        from audience_mcp.dev.demo import run_demo

        anyio.run(run_demo)
        return
    # The SDK is imported here, as shallow in the call stack as the serve path allows, and not
    # first from inside `app` (two imports deeper). CPython 3.11 keeps Python frames in 16 KiB
    # chunks that it maps and unmaps as the stack grows past one and shrinks back. The SDK's import
    # builds its pydantic models in deep recursions. Started a few frames deeper, they crossed a
    # chunk boundary back and forth about 2,900 more times (`strace -e mmap`: 3,700 maps of 16 KiB
    # against 790 from here), about 35 ms of system time per start on the benchmark machine (medians
    # of 20 starts: 0.115 s against 0.080 s). What gets imported does not change, only the order.
    import mcp.server.mcpserver  # noqa: F401

    settings = _settings({"sandbox": args.sandbox, "read_only": args.read_only, "toolsets": args.toolsets})
    configure_logging(args.log_level, settings.secret_values())
    if args.transport == "http":
        from audience_mcp.http_server import startup_refusal

        refusal = startup_refusal(
            host=args.host,
            allow_remote=args.allow_remote,
            no_auth=args.no_auth,
            token=settings.server.token,
            oauth_issuer=settings.server.oauth_issuer,
            oauth_resource_url=settings.server.oauth_resource_url,
        )
        if refusal is not None:
            logger.error(refusal)
            sys.exit(2)
    from audience_mcp.app import enabled_platforms
    from audience_mcp.core.mcp.registry import SettingsChoiceError

    try:
        enabled = enabled_platforms(settings)
    except SettingsChoiceError as exc:
        logger.error("%s", exc)
        sys.exit(2)
    if not enabled:
        logger.error(
            "No neuroflash credentials: set NEUROFLASH_CLIENT_ID and NEUROFLASH_CLIENT_SECRET "
            "(or NEUROFLASH_ACCESS_TOKEN), or APPIZER_API_KEY for Appizer, or run with --sandbox to try the "
            "server without an account."
        )
        sys.exit(2)
    if args.transport == "http":
        _serve_http(args, settings)
        return
    server = _server(settings)
    logger.info(
        "Serving MCP over stdio (%s%s)",
        "sandbox" if settings.server.sandbox else settings.neuroflash.api_url,
        ", read-only" if settings.server.read_only else "",
    )
    import anyio

    from audience_mcp.stdio_guard import serve_stdio

    # Not server.run("stdio"): the guard answers lines the SDK's stdio transport drops silently.
    try:
        anyio.run(serve_stdio, server)
    except BaseException as exc:
        from audience_mcp.core.store.database import state_store_problem

        problem = state_store_problem(exc)  # the state store could not be opened: one line, not a traceback
        if problem is None:
            raise
        logger.error("%s", problem)
        sys.exit(2)
