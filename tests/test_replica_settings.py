"""The settings of replicas: request-state keys and a PostgreSQL URL are secrets, checked at start-up."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from audience_mcp.settings import Settings

LONG = "k" * 32


def test_a_short_request_state_key_is_refused_without_showing_it() -> None:
    with pytest.raises(ValidationError) as refused:
        Settings(_env_file=None, request_state_keys=f"{LONG},short-secret-key")  # type: ignore[call-arg]

    # What the CLI shows: the messages (cli._problems), never pydantic's echo of the input.
    message = " ".join(error["msg"] for error in refused.value.errors())
    assert "key 2 of 2 is shorter than 32 characters" in message and "token_hex(32)" in message
    assert "short-secret-key" not in message


def test_keys_are_listed_sealing_key_first_and_blank_means_none() -> None:
    rotated = Settings(_env_file=None, request_state_keys=f" {LONG}1 , {LONG}2 ")  # type: ignore[call-arg]
    blank = Settings(_env_file=None, request_state_keys="")  # type: ignore[call-arg]

    assert rotated.server.request_state_key_list() == [f"{LONG}1", f"{LONG}2"]
    assert blank.server.request_state_keys is None and blank.server.request_state_key_list() == []


def test_the_keys_and_the_database_password_are_secrets_for_the_redactor() -> None:
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        request_state_keys=LONG,
        state_db="postgresql://audience:db-password-1234@db.example.com/audiences",
    )

    assert {LONG, "db-password-1234"} <= set(settings.server.secret_values())


def test_a_sqlite_path_holds_no_secret() -> None:
    assert Settings(_env_file=None, state_db="/tmp/state.db").server.secret_values() == []  # type: ignore[call-arg]
