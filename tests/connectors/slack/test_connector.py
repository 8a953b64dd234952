"""The slack connector as a whole: conformance, its reference page, its settings."""

from __future__ import annotations

from pathlib import Path

from interlace.connectors.slack import SlackConfig, connector
from interlace.sdk import render_connector_reference
from interlace.sdk.testing import assert_connector_conforms

REFERENCE = Path(__file__).parents[3] / "docs" / "connectors" / "slack.md"


def test_the_connector_conforms() -> None:
    assert_connector_conforms(connector)


def test_the_reference_page_is_the_rendering_of_the_code() -> None:
    assert REFERENCE.read_text(encoding="utf-8") == render_connector_reference(connector)


def test_operations_are_named_after_the_web_api_methods_they_call() -> None:
    assert list(connector.operations) == [
        "postMessage", "updateMessage", "listConversations", "getConversationHistory", "lookupUserByEmail",
        "uploadFile",
    ]  # fmt: skip
    assert list(connector.triggers) == ["events"]


def test_settings_default_to_slacks_api_and_keep_the_token_and_signing_secret_secret() -> None:
    config = SlackConfig.model_validate({"token": "xoxb-1-t0ken", "signing-secret": "s3cret-1"})

    assert config.api_url == "https://slack.com/api"
    assert "t0ken" not in repr(config) and "s3cret" not in config.model_dump_json()
