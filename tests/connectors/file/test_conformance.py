"""The file connector conforms to the SDK's checks and its reference page is current."""

from __future__ import annotations

from pathlib import Path

from interlace.connectors.file import connector
from interlace.sdk import render_connector_reference
from interlace.sdk.testing import assert_connector_conforms

PAGE = Path(__file__).parents[3] / "docs" / "connectors" / "file.md"


def test_the_connector_conforms() -> None:
    # a server's settings, so that the secrecy checks see the password and the private key
    assert_connector_conforms(connector, sample_config={"protocol": "sftp", "host": "files.example.com"})


def test_the_reference_page_is_the_rendering_of_the_connector() -> None:
    assert PAGE.read_text(encoding="utf-8") == render_connector_reference(connector), (
        "docs/connectors/file.md is stale: regenerate it with render_connector_reference(connector)"
    )
