"""A connector's connection: its settings (:class:`ConnectionConfig`) and live object (:class:`Connection`).

Users declare connections in ``connections/*.yaml`` with kebab-case keys (``client-id``); the settings'
docs come from attribute docstrings, so they are written once and shown in docs, JSON Schema and forms.
"""

from __future__ import annotations

from types import TracebackType
from typing import Any, ClassVar, Generic, Self, TypeVar, get_args, get_origin

from pydantic import BaseModel, ConfigDict

from interlace.sdk.oauth2 import OAuth2Settings, TokenStore

__all__ = ["ConfigT", "Connection", "ConnectionConfig"]


def _kebab(name: str) -> str:
    return name.replace("_", "-")


class ConnectionConfig(BaseModel):
    """Base of a connector's connection settings: strict, frozen, kebab-case keys, documented fields.

    Declare each setting with a type, a default where one makes sense, and an attribute docstring::

        class RedisConfig(ConnectionConfig):
            \"\"\"Where and how to reach Redis.\"\"\"

            url: str = "redis://localhost:6379/0"
            \"\"\"The server's URL.\"\"\"
            password: Secret | None = None
            \"\"\"The password, if the server needs one.\"\"\"

    Validation errors never repeat the input, so a mistyped secret is not echoed into a log.
    """

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        alias_generator=_kebab,
        populate_by_name=True,
        use_attribute_docstrings=True,
        hide_input_in_errors=True,
    )


ConfigT = TypeVar("ConfigT", bound=ConnectionConfig, covariant=True)


class Connection(Generic[ConfigT]):
    """A live connection of a connector, built from validated settings: clients, sessions, pools.

    Contract, for connector authors:

    - **Who calls.** The runtime builds one object per named connection (``Connection(config,
      name="patientMail")``), calls :meth:`open` once, lazily, before the first operation or trigger that
      needs it, :meth:`ping` when the connection is tested (``interlace connection test``) or
      health-checked, and :meth:`aclose` once when the connection is undeployed or replaced by an edited
      one, after the operations in flight on it have finished. ``async with`` does ``open``/``aclose``.
    - **Concurrency.** One object is shared by all concurrent operations on that connection, so its
      methods and the clients it holds must be safe to use from concurrent tasks. A connector whose
      client is not (one socket, one transaction at a time) declares ``pool_size`` on its
      :class:`~interlace.sdk.Connector`: the runtime then keeps up to that many objects and hands each to
      one operation at a time.
    - **Errors.** Raise :class:`~interlace.sdk.RetryableError` when trying again later may succeed
      (unreachable host, timeout), :class:`~interlace.sdk.FatalError` when it will not until the settings
      change (wrong credentials, revoked grant). Any other exception is a bug in the connector; the
      runtime reports it and does not retry. A connection whose ``open`` failed is opened again on next
      use; ``aclose`` must not raise and must be safe to call after a failed or missing ``open``.

    The settings class is the type argument: ``class RedisConnection(Connection[RedisConfig])``.
    """

    config_class: ClassVar[type[ConnectionConfig]]
    """The settings class, taken from the type argument of ``Connection[...]``."""

    token_store: TokenStore | None = None
    """Where rotated OAuth2 refresh tokens are kept across restarts; the runtime sets it before
    :meth:`open`. A connection that uses :class:`~interlace.sdk.OAuth2Tokens` passes it on."""

    def __init__(self, config: ConfigT, *, name: str = "default") -> None:
        self._config = config
        self._name = name

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        for base in getattr(cls, "__orig_bases__", ()):
            origin = get_origin(base)
            if isinstance(origin, type) and issubclass(origin, Connection):
                (argument,) = get_args(base)
                if isinstance(argument, type) and issubclass(argument, ConnectionConfig):
                    cls.config_class = argument

    @property
    def config(self) -> ConfigT:
        """The validated settings this connection was built from."""
        return self._config

    @property
    def name(self) -> str:
        """The connection's name in the project (for messages: ``"SMTP login failed on patientMail"``)."""
        return self._name

    def oauth2_settings(self) -> OAuth2Settings | None:
        """The OAuth2 client of a connection that logs in with user grants (client id and secret, token
        URL, maybe its own authorization URL), for authorizing an account; ``None`` (the default) when
        the connection does not use OAuth2. Called without :meth:`open`."""
        return None

    async def open(self) -> None:
        """Acquire what the connection needs (clients, sessions, a login); by default nothing."""

    async def ping(self) -> None:
        """Check that the peer answers with these settings; return normally if it does. By default
        nothing is checked: override it whenever the peer offers a cheap call."""

    async def aclose(self) -> None:
        """Release everything :meth:`open` acquired; by default nothing."""

    async def __aenter__(self) -> Self:
        await self.open()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self._name!r})"
