"""The salesforce connector as a whole: conformance, its reference page, its settings."""

from __future__ import annotations

from pathlib import Path

from interlace.connectors.salesforce import SalesforceConfig, connector
from interlace.sdk import render_connector_reference
from interlace.sdk.testing import assert_connector_conforms

REFERENCE = Path(__file__).parents[3] / "docs" / "connectors" / "salesforce.md"
SAMPLE = {"client_id": "app", "grant": "refresh_token", "client_secret": "consumer-s3cret"}


def test_the_connector_conforms() -> None:
    assert_connector_conforms(connector, sample_config=SAMPLE)


def test_the_reference_page_is_the_rendering_of_the_code() -> None:
    assert REFERENCE.read_text(encoding="utf-8") == render_connector_reference(connector), (
        "docs/connectors/salesforce.md is stale: regenerate it with render_connector_reference(connector)"
    )


def test_operations_and_trigger_are_named_after_the_rest_resources() -> None:
    assert list(connector.operations) == [
        "query", "queryMore", "create", "retrieve", "update", "upsert", "delete", "composite",
    ]  # fmt: skip
    assert list(connector.triggers) == ["poll"]


def test_settings_default_to_production_login_and_a_current_api_version() -> None:
    config = SalesforceConfig.model_validate(SAMPLE)

    assert config.token_url == "https://login.salesforce.com/services/oauth2/token"
    assert (config.api_version, config.instance_url) == ("62.0", None)
    assert "s3cret" not in repr(config) and "s3cret" not in config.model_dump_json()
