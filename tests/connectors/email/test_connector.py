from __future__ import annotations

import re
from pathlib import Path

import pytest
from pydantic import ValidationError

from interlace.connectors.email import connector
from interlace.connectors.email.config import EmailConfig, Endpoint
from interlace.sdk import render_connector_reference
from interlace.sdk.testing import assert_connector_conforms

PAGE = Path(__file__).parents[3] / "docs" / "connectors" / "email.md"


def test_the_connector_conforms() -> None:
    assert_connector_conforms(connector, sample_config={"host": "smtp.example.com", "username": "me"})


def test_the_reference_page_is_the_rendering_of_the_connector() -> None:
    assert PAGE.read_text(encoding="utf-8") == render_connector_reference(connector), (
        "docs/connectors/email.md is stale: write render_connector_reference(connector) to it"
    )


def test_operations_are_named_as_flows_write_them() -> None:
    assert list(connector.operations) == ["send", "list", "read", "move", "delete", "markSeen"]


@pytest.mark.parametrize(
    ("settings", "smtp"),
    [
        ({}, Endpoint("mail.example.com", 587, "starttls")),
        ({"port": 465}, Endpoint("mail.example.com", 465, "tls")),
        ({"port": 2525}, Endpoint("mail.example.com", 2525, "starttls")),
        ({"security": "tls"}, Endpoint("mail.example.com", 465, "tls")),
        ({"security": "none"}, Endpoint("mail.example.com", 25, "none")),
        ({"security": "none", "port": 1025}, Endpoint("mail.example.com", 1025, "none")),
    ],
)
def test_smtp_security_and_port_follow_each_other(settings: dict[str, object], smtp: Endpoint) -> None:
    assert EmailConfig.model_validate({"host": "mail.example.com", **settings}).smtp_endpoint() == smtp


@pytest.mark.parametrize(
    ("settings", "imap"),
    [
        ({}, Endpoint("mail.example.com", 993, "tls")),
        ({"imap-port": 143}, Endpoint("mail.example.com", 143, "starttls")),
        ({"imap-security": "starttls"}, Endpoint("mail.example.com", 143, "starttls")),
        ({"imap-security": "none"}, Endpoint("mail.example.com", 143, "none")),
    ],
)
def test_imap_security_and_port_follow_each_other(settings: dict[str, object], imap: Endpoint) -> None:
    config = EmailConfig.model_validate({"imap-host": "mail.example.com", **settings})
    assert config.imap_endpoint() == imap
    assert config.smtp_endpoint() is None


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({}, "set host (to send with SMTP), imap-host (to read with IMAP), or both"),
        ({"host": "h", "username": "me"}, "username and password go together"),
        ({"host": "h", "security": "ssl"}, "'none', 'starttls' or 'tls'"),
        ({"host": "h", "port": 70000}, "less than 65536"),
        ({"host": "h", "timeout": 0}, "greater than 0"),
        ({"host": "h", "smtp-host": "x"}, "Extra inputs are not permitted"),
    ],
)
def test_settings_that_cannot_work_are_refused(settings: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError, match=re.escape(message)):
        EmailConfig.model_validate(settings)


def test_the_password_is_never_shown_by_the_settings() -> None:
    config = EmailConfig.model_validate({"host": "h", "username": "me", "password": "hunter2-secret"})
    assert "hunter2-secret" not in repr(config) + str(config.model_dump()) + config.model_dump_json()
