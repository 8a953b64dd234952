from __future__ import annotations

import pydantic
import pytest

from interlace.sdk import Connection, ConnectionConfig, FatalError, Secret

from .kv import KvConfig, KvConnection


def test_settings_are_written_in_kebab_case_and_read_in_snake_case() -> None:
    config = KvConfig.model_validate({"max-keys": 3})
    assert config.max_keys == 3
    assert KvConfig.model_validate({"max_keys": 4}).max_keys == 4


def test_unknown_settings_are_rejected() -> None:
    with pytest.raises(pydantic.ValidationError, match="extra_forbidden"):
        KvConfig.model_validate({"name-space": "x"})


def test_settings_are_frozen() -> None:
    config = KvConfig()
    with pytest.raises(pydantic.ValidationError):
        config.namespace = "other"  # type: ignore[misc]


def test_attribute_docstrings_describe_the_settings() -> None:
    assert KvConfig.model_fields["max_keys"].description == "How many keys the store holds at most."


def test_the_settings_class_is_taken_from_the_type_argument() -> None:
    assert KvConnection.config_class is KvConfig

    class Pooled(KvConnection):
        pass

    assert Pooled.config_class is KvConfig


def test_a_connection_without_a_settings_class_has_none() -> None:
    class Bare(Connection):  # type: ignore[type-arg]
        pass

    assert getattr(Bare, "config_class", None) is None


async def test_async_with_opens_and_closes_the_connection() -> None:
    connection = KvConnection(KvConfig(), name="cache")
    async with connection as opened:
        assert opened is connection
        assert (connection.opened, connection.closed) == (1, 0)
        await connection.ping()
    assert (connection.opened, connection.closed) == (1, 1)
    assert connection.name == "cache"
    assert repr(connection) == "KvConnection(name='cache')"


async def test_a_refused_open_is_a_fatal_error_naming_the_connection() -> None:
    connection = KvConnection(KvConfig(password=Secret("wrong")), name="cache")
    with pytest.raises(FatalError, match="refused the password of connection cache"):
        await connection.open()


async def test_the_default_lifecycle_does_nothing() -> None:
    class Plain(ConnectionConfig):
        """Nothing."""

    class PlainConnection(Connection[Plain]):
        pass

    async with PlainConnection(Plain()) as connection:
        await connection.ping()
    assert connection.name == "default"
