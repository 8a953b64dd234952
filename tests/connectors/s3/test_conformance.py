"""The s3 connector conforms to the SDK's checks and its reference page is current."""

from __future__ import annotations

from pathlib import Path

from interlace.connectors.s3 import connector
from interlace.sdk import render_connector_reference
from interlace.sdk.testing import assert_connector_conforms

PAGE = Path(__file__).parents[3] / "docs" / "connectors" / "s3.md"


def test_the_connector_conforms() -> None:
    assert_connector_conforms(connector)


def test_the_reference_page_is_the_rendering_of_the_connector() -> None:
    assert PAGE.read_text(encoding="utf-8") == render_connector_reference(connector), (
        "docs/connectors/s3.md is stale: regenerate it with render_connector_reference(connector)"
    )
