"""The gmail connector as a whole: conformance, its reference page, its settings, and secrets kept out
of logs and errors."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from interlace.connectors.gmail import GmailConfig, GmailConnection, connector
from interlace.samples.mailbox import DevMailbox
from interlace.sdk import ConnectorError, render_connector_reference
from interlace.sdk.testing import assert_connector_conforms

REFERENCE = Path(__file__).parents[3] / "docs" / "connectors" / "gmail.md"


def test_the_connector_conforms() -> None:
    assert_connector_conforms(connector)


def test_the_reference_page_is_the_rendering_of_the_code() -> None:
    assert REFERENCE.read_text(encoding="utf-8") == render_connector_reference(connector)


def test_the_operations_are_named_as_wso2_users_know_them() -> None:
    assert list(connector.operations) == [
        "sendMail", "sendMailWithAttachment", "listAllMails", "readMail", "trashMessage", "listLabels",
        "getUserProfile",
    ]  # fmt: skip


def test_settings_default_to_googles_urls_and_the_granting_user() -> None:
    config = GmailConfig.model_validate({"client-id": "app", "client-secret": "s", "refresh-token": "r"})

    assert config.api_url == "https://gmail.googleapis.com"
    assert config.token_url == "https://oauth2.googleapis.com/token"
    assert (config.grant, config.user_id, config.timeout) == ("refresh_token", "me", 30.0)


def test_a_mistyped_flow_parameter_is_found_before_anything_runs() -> None:
    problems = connector.get_operation("sendMail").validate_static({"to": "a@example.com", "mesageBody": "x"})

    assert [str(problem) for problem in problems] == [
        "unknown parameter 'mesageBody' for gmail.sendMail (did you mean 'messageBody'?)"
    ]


async def test_no_secret_shows_in_any_log_line_or_error(
    start_mailbox: Callable[..., Awaitable[DevMailbox]],
    config_for: Callable[..., GmailConfig],
    token_store: Any,
    credentials: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    shown: list[str] = []
    seen_tokens: list[str] = []
    mailbox = await start_mailbox(rotate_refresh_tokens=True)
    gmail = GmailConnection(config_for(mailbox), name="patientMail", token_store=token_store)
    async with mailbox, gmail:

        async def run(operation: str, **values: object) -> None:
            try:
                await connector.get_operation(operation).invoke(gmail, values)
            except ConnectorError as exc:
                shown.extend([str(exc), repr(exc), str(exc.__cause__ or "")])
            seen_tokens.append(await gmail.tokens.token())

        await gmail.ping()
        await run("sendMail", to="a@example.com", subject="s", messageBody="b")
        mailbox.expire_access_tokens()
        await run("listAllMails")
        await run("readMail", id="0123456789abcdef")
        await run("sendMail", to="not an address")
        shown.append(repr(gmail))
        mailbox.revoke(token_store.tokens["patientMail"])
        await run("getUserProfile")
    secrets = {*credentials.secrets, *seen_tokens, *token_store.tokens.values()}
    assert len(secrets) >= 5  # two configured, the access tokens seen, the rotated refresh token
    text = caplog.text + "\n".join(shown)
    assert "invalid_grant" in text  # the revoked grant was reported...
    assert [secret for secret in secrets if secret in text] == []  # ...and nothing secret with it


async def test_token_store_can_be_set_after_the_connection_is_built(
    mailbox: DevMailbox, config_for: Callable[..., GmailConfig], token_store: Any, credentials: Any
) -> None:
    gmail = GmailConnection(config_for(mailbox, **{"refresh-token": "rotated-away"}), name="patientMail")
    assert gmail.token_store is None
    token_store.tokens["patientMail"] = credentials.refresh_token

    gmail.token_store = token_store

    assert gmail.token_store is token_store
    async with gmail:
        await gmail.ping()  # works only with the stored refresh token
