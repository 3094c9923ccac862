"""Write the MCP client config a bundle host would derive from an unpacked bundle's manifest.json.

    python3 .ci/host_config.py UNPACKED_DIR OUT.json [KEY=VALUE ...] [--pass NAME ...]

Does what an MCPB host does at install time (as in @anthropic-ai/mcpb's getMcpConfigForManifest):
`${__dirname}` becomes the bundle directory, `${user_config.KEY}` the user's value or the
manifest's default (booleans as "true"/"false"). The result, {"mcpServers": {NAME: {command,
args, env}}}, is the config format the MCP Inspector reads with --config/--server.
Fails when a placeholder is left over, since a host would pass it to the server verbatim.
`--pass NAME` adds this machine's NAME to the server's env (CA bundle, caches: plumbing a
desktop host's environment provides, which the Inspector does not pass to a stdio server).
"""

from __future__ import annotations

import argparse
import json
import os
import re
from pathlib import Path
from typing import Any

PLACEHOLDER = re.compile(r"\$\{([^}]+)\}")


def as_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def substitute(value: Any, variables: dict[str, str]) -> Any:
    if isinstance(value, str):
        return PLACEHOLDER.sub(lambda m: variables.get(m.group(1), m.group(0)), value)
    if isinstance(value, list):
        return [substitute(item, variables) for item in value]
    if isinstance(value, dict):
        return {key: substitute(item, variables) for key, item in value.items()}
    return value


def host_config(bundle_dir: Path, overrides: dict[str, str]) -> dict[str, Any]:
    manifest = json.loads((bundle_dir / "manifest.json").read_text(encoding="utf-8"))
    options: dict[str, Any] = manifest.get("user_config", {})
    unknown = set(overrides) - set(options)
    if unknown:
        raise SystemExit(f"no such user_config key: {', '.join(sorted(unknown))}")
    variables = {"__dirname": str(bundle_dir.resolve())}
    for key, option in options.items():
        if "default" in option:
            variables[f"user_config.{key}"] = as_text(option["default"])
    variables.update({f"user_config.{key}": value for key, value in overrides.items()})
    config = manifest["server"]["mcp_config"]
    server = {k: substitute(config[k], variables) for k in ("command", "args", "env") if k in config}
    left = PLACEHOLDER.findall(json.dumps(server))
    if left:
        raise SystemExit(f"placeholders a host would pass on verbatim: {', '.join(sorted(set(left)))}")
    return {"mcpServers": {manifest["name"]: server}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("bundle_dir", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("user_config", nargs="*", metavar="KEY=VALUE", help="a user's setting")
    parser.add_argument("--pass", dest="passed", action="append", default=[], metavar="NAME")
    args = parser.parse_args()
    overrides = dict(item.split("=", 1) for item in args.user_config)
    config = host_config(args.bundle_dir, overrides)
    for server in config["mcpServers"].values():
        server.setdefault("env", {}).update({name: os.environ[name] for name in args.passed if name in os.environ})
    args.out.write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
