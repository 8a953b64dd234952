from __future__ import annotations

import pytest

from interlace.errors import ConfigError, InterlaceError
from interlace.sdk import (
    ConnectorError,
    FatalError,
    InvalidInput,
    RegistryError,
    RetryableError,
    UnknownConnectorError,
)


@pytest.mark.parametrize(
    ("error", "status", "code"),
    [
        (ConnectorError, 502, "CONNECTOR_ERROR"),
        (RetryableError, 503, "CONNECTOR_UNAVAILABLE"),
        (FatalError, 502, "CONNECTOR_FAILED"),
        (InvalidInput, 400, "INVALID_INPUT"),
    ],
)
def test_connector_errors_are_sorted_by_what_the_runtime_does(
    error: type[ConnectorError], status: int, code: str
) -> None:
    raised = error("smtp.example.com:587 refused the login")
    assert isinstance(raised, ConnectorError)
    assert isinstance(raised, InterlaceError)
    assert (raised.status, raised.code) == (status, code)
    assert str(raised) == "smtp.example.com:587 refused the login"


def test_a_retryable_error_carries_the_peers_retry_hint() -> None:
    assert RetryableError("throttled", retry_after=2.5).retry_after == 2.5
    assert RetryableError("reset").retry_after is None


def test_lookup_and_registry_errors_are_not_connector_failures() -> None:
    assert issubclass(UnknownConnectorError, ConfigError)
    assert not issubclass(UnknownConnectorError, ConnectorError)
    assert not issubclass(RegistryError, ConnectorError)
