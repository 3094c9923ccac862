"""`audience-mcp demo`: a scripted, conversation-like session through the real MCP
client against a fresh in-memory sandbox, printing each call and a short result."""

from __future__ import annotations

import json
from typing import Any

from mcp import Client

from audience_mcp.app import create_server
from audience_mcp.settings import Settings

STEPS: list[tuple[str, str, dict[str, Any]]] = [
    ("Which workspaces can I use?", "neuroflash_list_workspaces", {}),
    (
        "Draft an audience from our website (writes nothing).",
        "neuroflash_draft_audience_from_url",
        {"urls": "https://www.example.de/marketing-software"},
    ),
    (
        "Create the draft, but call it 'Website visitors'.",
        "neuroflash_create_audience",
        {"$draft": True, "name": "Website visitors"},
    ),
    (
        "Create an audience for German-speaking marketing leads aged 25-45 (messy input on purpose).",
        "neuroflash_create_audience",
        {
            "name": "  German-speaking marketing leads ",
            "min_age": "25",
            "max_age": 45,
            "residence": "DACH region",
            "gender_distribution": {"women": "55%", "men": 40, "diverse": 3},
            "interests": "content marketing, SEO; AI tools, seo",
            "needs": ["scale content production"],
            "pain_points": "manual workflows",
            "country": "Deutschland",
            "native_language": "Deutsch",
        },
    ),
    (
        "Add LinkedIn ads, drop SEO, and widen the age range to 50.",
        "neuroflash_update_audience",
        {"audience_id": "$created", "add_interests": ["LinkedIn ads"], "remove_interests": "SEO", "max_age": 50},
    ),
    (
        "Make a copy for the Austrian market.",
        "neuroflash_duplicate_audience",
        {"audience_id": "$created", "new_name": "AT leads"},
    ),
    ("How many audiences does the plan still allow?", "neuroflash_get_audience_limits", {}),
    (
        "On Appizer, make a push segment of premium users active last week (structured conditions).",
        "appizer_create_audience",
        {
            "name": "Active Premium Users",
            "conditions": [
                {"field": "plan", "op": "equals", "value": "premium"},
                {"field": "last_active", "within_days": "last week"},
            ],
        },
    ),
    ("Which Appizer segments do we have?", "appizer_list_audiences", {}),
    ("Audit my audiences and tell me what is broken.", "audit_audiences", {}),
    (
        "Delete the copy (first call: preview and confirm_token).",
        "neuroflash_delete_audience",
        {"audience_id": "$copy"},
    ),
    (
        "The user said yes: delete with the token.",
        "neuroflash_delete_audience",
        {"audience_id": "$copy", "confirm_token": "$token"},
    ),
    ("What did you change today?", "list_recent_changes", {"limit": 5}),
    ("Actually, undo the interest and age change.", "restore_change", {"change_id": "$update_change"}),
    ("What is left?", "neuroflash_list_audiences", {}),
    # Digital Audience: a CRM audience activated on an ad account, confirmed by token.
    ("Digital Audience: a campaign for the winter sale.", "digital_audience_create_campaign", {"name": "Winter sale"}),
    (
        "Add a CRM audience of repeat buyers to it.",
        "digital_audience_create_audience",
        {"name": "Repeat buyers", "campaign_id": "$da_campaign", "description": "Bought twice in 2026"},
    ),
    ("Where can I activate it?", "digital_audience_list_platform_accounts", {}),
    (
        "Activate it on Acme DE from next Monday for 30 days (first call: preview and confirm_token).",
        "digital_audience_activate_audience",
        {"audience_id": "$da_audience", "account_id": 501, "start_date": "next Monday", "end_date": "for 30 days"},
    ),
    (
        "The user said yes: activate with the token.",
        "digital_audience_activate_audience",
        {
            "audience_id": "$da_audience",
            "account_id": 501,
            "start_date": "next Monday",
            "end_date": "for 30 days",
            "confirm_token": "$da_token",
        },
    ),
]


def _short(data: Any, limit: int = 300) -> str:
    text = json.dumps(data, ensure_ascii=False)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _summary(tool: str, data: dict[str, Any]) -> list[str]:
    lines = []
    if "adjustments" in data:
        lines += [f"adjusted: {a}" for a in data["adjustments"]]
    if tool == "neuroflash_update_audience":
        lines += [f"changed {c['field']}: {_short(c['old'], 80)} -> {_short(c['new'], 80)}" for c in data["changed"]]
    elif tool == "appizer_create_audience":
        lines.append(f"{data['user_count']} users reached by '{data['criteria']}'")
        lines += [f"warning: {w}" for w in data["warnings"]]
    elif tool == "appizer_list_audiences":
        name, users = data["columns"].index("name"), data["columns"].index("user_count")
        lines.append(", ".join(f"{row[name]} ({row[users]} users)" for row in data["audiences"]))
    elif tool == "neuroflash_list_audiences":
        name = data["columns"].index("name")
        lines.append(f"{data['total']} audience(s): " + ", ".join(str(row[name]) for row in data["audiences"]))
    elif tool == "neuroflash_delete_audience":
        lines.append(f"{data['status']}: {data['message']}")
    elif tool == "digital_audience_activate_audience":
        lines.append(f"{data['status']}: {_short(data.get('preview'), 200)}")
        if data.get("segment_id"):
            lines.append(f"flow {data['flow_id']}, segment {data['segment_id']}")
    elif tool == "audit_audiences":
        summary = data["summary"]
        lines.append(f"{summary['audiences_scanned']} audience(s) scanned, {summary['findings']} finding(s)")
        lines += [f"{f['severity']}: {f['problem']} fix: {f['fix']}" for f in data["findings"][:3]]
    elif tool == "list_recent_changes":
        lines += [f"#{c['change_id']} {c['action']} {c['audience_name']} ({c['status']})" for c in data["changes"]]
    elif tool == "restore_change":
        lines.append(f"{data['status']}: {data['message']}")
        lines += [f"changed {c['field']}: {_short(c['old'], 80)} -> {_short(c['new'], 80)}" for c in data["changed"]]
    elif tool == "neuroflash_draft_audience_from_url":
        lines.append("arguments: " + _short(data["arguments"], 200))
    elif tool.startswith("digital_audience_"):
        lines.append(_short(data))
    elif isinstance(audience := data.get("audience") or data.get("duplicate"), dict):
        lines.append(f"audience {audience['id']}: {_short({k: audience[k] for k in ('name', 'min_age', 'max_age')})}")
    else:
        lines.append(_short(data))
    return lines


async def run_demo() -> None:
    settings = Settings(sandbox=True, sandbox_db=":memory:", state_db=":memory:", read_only=False, workspace_id=None)
    server = create_server(settings)
    refs: dict[str, str] = {}
    print("audience-mcp demo: a session through the MCP client against the built-in sandbox\n")
    async with Client(server) as client:
        tools = await client.list_tools()
        print(f"{len(tools.tools)} tools: {', '.join(t.name for t in tools.tools)}\n")
        drafted: dict[str, Any] = {}
        for say, tool, raw_args in STEPS:
            args = {
                k: refs.get(v[1:], v) if isinstance(v, str) and v.startswith("$") else v for k, v in raw_args.items()
            }
            if args.pop("$draft", False):  # the draft's arguments, passed on with the user's change
                args = {**drafted, **args}
            print(f"user> {say}")
            print(f"  call {tool}({_short(args, 200)})")
            result = await client.call_tool(tool, args)
            if result.is_error:
                print(f"  error: {result.content[0].text if result.content else '?'}\n")  # type: ignore[union-attr]
                continue
            data: dict[str, Any] = result.structured_content or {}
            for line in _summary(tool, data):
                print(f"  -> {line}")
            if tool == "neuroflash_draft_audience_from_url":
                drafted = data["arguments"]
            if tool == "neuroflash_create_audience" and "$draft" not in raw_args:
                refs["created"] = data["audience"]["id"]
            if tool == "neuroflash_update_audience":
                refs["update_change"] = data["change_id"]
            if tool == "neuroflash_duplicate_audience":
                refs["copy"] = data["duplicate"]["id"]
            if tool == "neuroflash_delete_audience" and data.get("confirm_token"):
                refs["token"] = data["confirm_token"]
            if tool == "digital_audience_create_campaign":
                refs["da_campaign"] = data["campaign_id"]
            if tool == "digital_audience_create_audience":
                refs["da_audience"] = data["audience"]["id"]
            if tool == "digital_audience_activate_audience" and data.get("confirm_token"):
                refs["da_token"] = data["confirm_token"]
            print()
    print("Done. Run the server for a real client with: audience-mcp --sandbox")
