from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from interlace.errors import ConfigError, InterlaceError
from interlace.sdk import (
    ConnectorError,
    FatalError,
    InvalidInput,
    RegistryError,
    RetryableError,
    UnknownConnectorError,
    retry_after_seconds,
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


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        ("7", 7.0),
        (" 1.5 ", 1.5),
        ("-3", 0.0),
        ("Wed, 21 Oct 2015 07:28:00 GMT", 0.0),
        ("soon", None),
        ("", None),
        (None, None),
    ],
)
def test_retry_after_reads_seconds_or_an_http_date(header: str | None, seconds: float | None) -> None:
    assert retry_after_seconds(header) == seconds


def test_retry_after_of_a_future_http_date_is_the_time_until_it() -> None:
    moment = datetime.now(UTC) + timedelta(seconds=120)

    waited = retry_after_seconds(format_datetime(moment, usegmt=True))

    assert waited is not None and 100 < waited <= 120
