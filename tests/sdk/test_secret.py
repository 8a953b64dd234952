from __future__ import annotations

import logging
from collections.abc import Callable

import pydantic
import pytest

from interlace.sdk import MASK, ConnectionConfig, FatalError, Secret

PASSWORD = "hunter2-very-secret"


class MailConfig(ConnectionConfig):
    """How to reach the mail server."""

    host: str
    """The server's host name."""

    password: Secret
    """The account's password."""

    token: Secret | None = None
    """An access token."""


def _config() -> MailConfig:
    return MailConfig.model_validate({"host": "mail.example.com", "password": PASSWORD})


def test_a_plain_string_validates_into_a_secret_that_reveals_it() -> None:
    config = _config()
    assert isinstance(config.password, Secret)
    assert config.password.reveal() == PASSWORD


def test_a_secret_validates_from_json_and_from_another_secret() -> None:
    from_json = MailConfig.model_validate_json('{"host": "h", "password": "%s"}' % PASSWORD)  # noqa: UP031
    from_secret = MailConfig(host="h", password=Secret(PASSWORD))
    assert from_json.password.reveal() == from_secret.password.reveal() == PASSWORD


@pytest.mark.parametrize(
    "render",
    [repr, str, lambda value: f"{value}", lambda value: f"{value!r}", ascii, lambda value: "%s" % value],  # noqa: UP031
    ids=["repr", "str", "f-string", "f-string-repr", "ascii", "percent"],
)
def test_no_rendering_of_a_secret_or_its_config_shows_the_value(render: Callable[[object], str]) -> None:
    config = _config()
    for shown in (render(config.password), render(config)):
        assert PASSWORD not in shown
        assert MASK in shown


def test_a_format_spec_formats_the_mask() -> None:
    assert f"{_config().password:>12}" == f"  {MASK}"


def test_dumps_show_the_mask_instead_of_the_value() -> None:
    config = _config()
    assert config.model_dump()["password"] == MASK
    assert config.model_dump(mode="json")["password"] == MASK
    assert PASSWORD not in config.model_dump_json()
    assert f'"password":"{MASK}"' in config.model_dump_json()


def test_log_lines_formatting_the_config_show_no_secret(caplog: pytest.LogCaptureFixture) -> None:
    config = _config()
    with caplog.at_level(logging.INFO):
        logging.getLogger("test.secret").info("config %s / %r", config, config)
        logging.getLogger("test.secret").info("password %s", config.password)
    assert caplog.records
    assert PASSWORD not in caplog.text
    assert MASK in caplog.text


def test_an_error_that_includes_the_config_shows_no_secret() -> None:
    config = _config()
    error = FatalError(f"cannot log in with {config}")
    assert PASSWORD not in str(error)
    assert PASSWORD not in repr(ValueError(config))


def test_a_validation_error_of_the_config_does_not_repeat_the_input() -> None:
    with pytest.raises(pydantic.ValidationError) as caught:
        MailConfig.model_validate({"password": PASSWORD})  # host missing: the whole input is "at fault"
    assert PASSWORD not in str(caught.value)


def test_a_secret_that_is_not_a_string_is_rejected_without_echoing_it() -> None:
    with pytest.raises(pydantic.ValidationError) as caught:
        MailConfig.model_validate({"host": "h", "password": 12345678})
    assert "12345678" not in str(caught.value)
    assert caught.value.errors()[0]["msg"] == "Input should be a valid string"


def test_secrets_compare_by_value_but_never_equal_a_plain_string() -> None:
    assert Secret("a") == Secret("a")
    assert Secret("a") != Secret("b")
    assert Secret("a") != "a"
    assert hash(Secret("a")) == hash(Secret("a"))


def test_a_copied_config_keeps_its_secret() -> None:
    config = _config()
    assert config.model_copy().password.reveal() == PASSWORD


def test_the_json_schema_marks_secrets_write_only_and_shows_no_value() -> None:
    class WithDefault(ConnectionConfig):
        """Defaults."""

        key: Secret = Secret("default-secret-value")
        """A key."""

    schema = WithDefault.model_json_schema()
    assert schema["properties"]["key"]["writeOnly"] is True
    assert schema["properties"]["key"]["format"] == "password"
    assert "default-secret-value" not in str(schema)


def test_a_secret_holds_only_strings() -> None:
    with pytest.raises(TypeError, match="a Secret holds a string"):
        Secret(b"bytes")  # type: ignore[arg-type]
