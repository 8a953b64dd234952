from __future__ import annotations

import re
from typing import Annotated

import pytest
from pydantic import Field

from interlace.sdk import Connection, ConnectionConfig, Connector, Param, Secret
from interlace.sdk.testing import assert_connector_conforms, conformance_problems

from .kv import connector


def test_the_example_connector_conforms() -> None:
    assert_connector_conforms(connector)


class LeakyConfig(ConnectionConfig):
    host: str
    password: str
    """The password, typed as a plain string."""

    api_key: Annotated[Secret, Field(examples=["x"])]
    """An API key."""


class LeakyConnection(Connection[LeakyConfig]):
    def __repr__(self) -> str:
        return f"LeakyConnection({self.config.api_key.reveal()})"


leaky = Connector("leaky", version="", connection=LeakyConnection)


@leaky.operation
async def send(
    conn: LeakyConnection,
    to: str,
    clientSecret: str,
    count: Annotated[int, Param("How many.", example="many")] = 1,
) -> None:
    pass


@leaky.trigger
async def events(conn: LeakyConnection):  # type: ignore[no-untyped-def]
    yield None


HOW_TO_DESCRIBE = "(Param(...) or the docstring's Args: section)"


def test_every_problem_is_listed() -> None:
    assert conformance_problems(leaky, sample_config={"host": "h", "password": "p"}) == [
        "the connector has no version",
        "the connector has no description (Connector(..., description=...))",
        "the settings class LeakyConfig has no docstring",
        "setting 'host' has no description (an attribute docstring under it)",
        "setting 'password' looks secret: type it Secret so it is never shown",
        "operation leaky.send has no docstring",
        f"operation leaky.send: parameter 'to' has no description {HOW_TO_DESCRIBE}",
        f"operation leaky.send: parameter 'clientSecret' has no description {HOW_TO_DESCRIBE}",
        "operation leaky.send: parameter 'clientSecret' looks secret: type it Secret or mark it"
        " Param(..., secret=True)",
        "operation leaky.send: parameter 'count': its example does not fit its type integer",
        "trigger leaky.events has no docstring",
        "a secret shows in repr(connection)",
    ]


def test_secrecy_needs_a_sample_config_when_required_settings_have_no_example() -> None:
    problems = conformance_problems(leaky)
    assert (
        "cannot build a sample connection config to check that secrets stay hidden: give ['host', 'password']"
        " a default or Field(examples=[...]), or pass sample_config"
    ) in problems


def test_the_assertion_lists_the_problems() -> None:
    with pytest.raises(
        AssertionError, match=re.escape("connector 'leaky' does not conform:\n- the connector has no version")
    ):
        assert_connector_conforms(leaky)


@pytest.mark.parametrize(
    ("name", "secret"),
    [
        ("password", True),
        ("refresh_token", True),
        ("refreshToken", True),
        ("client-secret", True),
        ("apiKey", True),
        ("token_url", False),
        ("key", False),
        ("secret_name", False),
        ("tokens_used", False),
    ],
)
def test_names_that_look_secret(name: str, secret: bool) -> None:
    from interlace.sdk.spec import looks_secret

    assert looks_secret(name) is secret
