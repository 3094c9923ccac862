"""Tool arguments as a model sends them: repaired where the mistake is unambiguous, refused in our voice.

The SDK validates arguments with pydantic before a tool function runs, and a failure reached
the model as pydantic's own dump ("2 validation errors for create_audienceArguments ... visit
https://errors.pydantic.dev/..."); unknown arguments were dropped without a word, so a model
believed `tone` was saved; and `true` passed for an integer became 1 (`change_id=true` acted on
change 1). `ArgumentCheckedTool` runs the SDK's tool with three changes, all read from the
published input schema:

- repairs, each reported in the result's `adjustments`: a camelCase name copied from an API
  body (`minAge` -> `min_age`) and one text where only a list is accepted (`checks: "images"`);
- refusals before anything runs: unknown arguments (naming the accepted ones) and booleans for
  numbers;
- pydantic's errors reworded: per parameter, what was sent (short) and what to send.

The happy path costs a key lookup per argument: pydantic's own validation is not repeated.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from mcp.server.mcpserver.exceptions import ToolError, UnexpectedToolError
from mcp.server.mcpserver.tools import Tool
from mcp_types import CallToolResult, TextContent
from pydantic import ValidationError

from audience_mcp.core.mcp.results import compact_json, without_lone_surrogates

_CAMEL_HUMP = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_RANGE_ERRORS = frozenset({"greater_than", "greater_than_equal", "less_than", "less_than_equal"})
_SHOWN_CHARS = 40


def snake_case(name: str) -> str:
    """`minAge` -> `min_age`; a name without humps comes back unchanged."""
    return _CAMEL_HUMP.sub("_", name).lower()


def _name(key: str) -> str:
    """An argument name as sent, safe to quote: short, and without lone surrogates (unsendable)."""
    text = str(without_lone_surrogates(key))
    return text if len(text) <= _SHOWN_CHARS else text[: _SHOWN_CHARS - 1] + "…"


def shown(value: Any) -> str:
    """What the model sent, as JSON, short enough to quote."""
    try:
        text = json.dumps(value, ensure_ascii=False, default=str)
    except ValueError:  # NaN is fine for json.dumps; only absurd ints end up here
        text = "a number with thousands of digits"
    text = str(without_lone_surrogates(text))  # an error text holding one could not be sent at all
    return text if len(text) <= _SHOWN_CHARS else text[: _SHOWN_CHARS - 1] + "…"


@dataclass(frozen=True)
class Parameter:
    """One parameter as the published schema describes it."""

    name: str
    types: tuple[str, ...]
    schema: Mapping[str, Any]

    @property
    def takes_only_lists(self) -> bool:
        return self.types == ("array",)

    @property
    def takes_numbers_not_booleans(self) -> bool:
        return "boolean" not in self.types and bool({"integer", "number"} & set(self.types))

    def expected(self) -> str:
        """What to send, in words: 'a whole number from 1 to 200', "one of 'concise', 'detailed'"."""
        schema = self.schema
        types = set(self.types)
        if "enum" in schema:
            options = ", ".join(shown(option) for option in schema["enum"])
            text = f"one of {options}"
        elif "array" in types:
            text = "a list of " + _item_words(schema.get("items"))
            if "string" in types:
                text += " (or comma-separated text)"
        elif "integer" in types:
            text = "a whole number" + _range_words(schema)
        elif "number" in types:
            text = "a number" + _range_words(schema)
        elif "object" in types:
            text = "an object" + (" or text" if "string" in types else "")
        elif types == {"boolean"}:
            text = "true or false"
        else:
            text = "text"
        description = schema.get("description")
        if not description:
            return text
        if description[:2].istitle():  # "From list_recent_changes" reads better inside a sentence
            description = description[0].lower() + description[1:]
        return f"{text} ({description})"


def _item_words(items: Any) -> str:
    if isinstance(items, dict) and "enum" in items:
        return "these names: " + ", ".join(shown(option) for option in items["enum"])
    kind = items.get("type") if isinstance(items, dict) else None
    return {"integer": "whole numbers", "number": "numbers", "object": "objects"}.get(str(kind), "text items")


def _range_words(schema: Mapping[str, Any]) -> str:
    low, high = schema.get("minimum"), schema.get("maximum")
    if low is not None and high is not None:
        return f" from {low} to {high}"
    if low is not None:
        return f" of at least {low}"
    if high is not None:
        return f" of at most {high}"
    return ""


def parameters_of(schema: Mapping[str, Any]) -> dict[str, Parameter]:
    """The parameters of a tool's published input schema, by name."""
    found: dict[str, Parameter] = {}
    for name, prop in schema.get("properties", {}).items():
        kinds = prop.get("type", ())
        if "anyOf" in prop:  # a union the compact schema kept: collect its members' types
            kinds = [option.get("type") for option in prop["anyOf"] if isinstance(option, dict)]
        kinds = kinds if isinstance(kinds, list | tuple) else [kinds]
        found[name] = Parameter(name, tuple(k for k in kinds if isinstance(k, str) and k != "null"), prop)
    return found


@dataclass(frozen=True)
class CheckedArguments:
    arguments: dict[str, Any]
    adjustments: tuple[str, ...]


class ArgumentError(ValueError):
    """Arguments refused before the tool ran; the text is for the model."""


def check_arguments(tool: str, parameters: Mapping[str, Parameter], arguments: Mapping[str, Any]) -> CheckedArguments:
    """The arguments with unambiguous mistakes repaired (and said), or ArgumentError saying what to send."""
    checked: dict[str, Any] = {}
    adjustments: list[str] = []
    unknown: list[str] = []
    for key, value in arguments.items():
        name = key
        if name not in parameters:
            renamed = snake_case(key)
            if renamed in parameters and renamed not in arguments:
                adjustments.append(f"{key}: read as {renamed}")
                name = renamed
            else:
                unknown.append(key)
                continue
        checked[name] = value
    twice = [key for key in unknown if snake_case(key) in arguments and snake_case(key) != key]
    if twice:
        pairs = ", ".join(f"{_name(key)} and {snake_case(key)}" for key in twice)
        raise ArgumentError(f"Both {pairs} given; nothing was sent. Send only {', '.join(map(snake_case, twice))}.")
    if unknown:
        raise ArgumentError(_unknown_message(tool, parameters, unknown))
    problems: list[str] = []
    for name, value in checked.items():
        parameter = parameters[name]
        if _placeholder(value):
            problems.append(
                f"{name}: got {shown(value)}, a placeholder (as in an audit's fix); send the real value, asking the "
                "user for it if it is not known."
            )
        elif isinstance(value, bool) and parameter.takes_numbers_not_booleans:
            problems.append(f"{name}: got {shown(value)}; send {parameter.expected()}.")
        elif isinstance(value, str) and parameter.takes_only_lists and not value.lstrip().startswith("["):
            # One text where a list belongs ("images" for checks): a list of it, split at commas.
            items = [item.strip() for item in value.replace("\n", ",").split(",") if item.strip()]
            checked[name] = items
            adjustments.append(f"{name}: read the text {shown(value)} as the list {shown(items)}")
    if problems:
        raise ArgumentError(_refusal(tool, problems))
    return CheckedArguments(checked, tuple(adjustments))


# What an audit's fix writes where the model must fill in a value ("name='...'", "add_interests=[...]").
# Stored verbatim they would become an audience named "...", so they are refused wherever they appear.
_PLACEHOLDERS = frozenset({"...", "…", "[...]", "<...>", "<value>", "TODO"})


def _placeholder(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip() in _PLACEHOLDERS
    if isinstance(value, list):
        return any(isinstance(item, str) and item.strip() in _PLACEHOLDERS for item in value)
    return False


def _unknown_message(tool: str, parameters: Mapping[str, Parameter], unknown: list[str]) -> str:
    names = list(parameters)
    hints = []
    for key in unknown[:10]:
        close = difflib.get_close_matches(
            snake_case(key[:100]), names, n=2, cutoff=0.8
        )  # typos only: a loose match misleads
        if close:
            hints.append(f"for {_name(key)} perhaps {' or '.join(close)}")
    hint = f" ({'; '.join(hints)})" if hints else ""
    label = "Unknown argument" if len(unknown) == 1 else "Unknown arguments"
    return (
        f"{label}: {', '.join(map(_name, unknown))}{hint}; nothing was sent. {tool} accepts: {', '.join(names)}. "
        "Call it again with only these, or tell the user the other values cannot be stored."
    )


def _refusal(tool: str, problems: list[str]) -> str:
    return " ".join(problems) + f" Nothing was sent; call {tool} again with corrected arguments."


def validation_message(
    tool: str, parameters: Mapping[str, Parameter], arguments: Mapping[str, Any], error: ValidationError
) -> str:
    """pydantic's errors as one sentence per parameter: what was sent and what to send."""
    by_parameter: dict[str, set[str]] = {}
    for detail in error.errors():
        loc = detail.get("loc") or ("",)
        by_parameter.setdefault(str(loc[0]), set()).add(str(detail.get("type", "")))
    problems = []
    for name, kinds in by_parameter.items():
        parameter = parameters.get(name)
        expected = parameter.expected() if parameter is not None else "a valid value"
        if "missing" in kinds:
            problems.append(f"{name}: missing; send {expected}.")
            continue
        sent = shown(arguments.get(name))
        if kinds <= _RANGE_ERRORS:
            problems.append(f"{name}: {sent} is out of range; send {expected}.")
        elif kinds <= {"literal_error", "enum"}:
            problems.append(f"{name}: {sent} is not one of the options; send {expected}.")
        else:
            problems.append(f"{name}: got {sent}; send {expected}.")
    return _refusal(tool, problems)


def with_adjustments(result: Any, adjustments: tuple[str, ...]) -> Any:
    """The result with the argument repairs added to its `adjustments` (a list the model is told to relay)."""
    if not adjustments or not isinstance(result, CallToolResult) or result.is_error:
        return result
    structured = result.structured_content
    if not isinstance(structured, dict):
        return result
    earlier = structured.get("adjustments")
    structured = {**structured, "adjustments": [*adjustments, *(earlier if isinstance(earlier, list) else [])]}
    return CallToolResult(
        content=[TextContent(type="text", text=compact_json(structured))], structured_content=structured
    )


class ArgumentCheckedTool(Tool):
    """The SDK's Tool, with arguments checked and errors worded as this module describes."""

    @cached_property
    def published_parameters(self) -> dict[str, Parameter]:
        return parameters_of(self.parameters)

    async def run(self, arguments: dict[str, Any], context: Any, convert_result: bool = False) -> Any:
        parameters = self.published_parameters
        try:
            checked = check_arguments(self.name, parameters, arguments)
        except ArgumentError as exc:
            raise ToolError(f"Error executing tool {self.name}: {exc}") from None
        try:
            result = await super().run(checked.arguments, context, convert_result=convert_result)
        except ToolError as exc:
            if isinstance(exc, UnexpectedToolError) or not isinstance(exc.__cause__, ValidationError):
                raise
            message = validation_message(self.name, parameters, checked.arguments, exc.__cause__)
            # Chained to the ValidationError, so the server still logs which fields were refused.
            raise ToolError(f"Error executing tool {self.name}: {message}") from exc.__cause__
        return with_adjustments(result, checked.adjustments)
