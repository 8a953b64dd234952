"""What a database failure means for the runtime: retry later, fix the settings, or fix the statement.

- Connecting fails: wrong credentials or an unknown database are :class:`FatalError`; anything else
  (refused, unreachable, timed out, pool exhausted) is :class:`RetryableError`.
- A statement fails: a lost connection, a deadlock, a serialization failure or a locked SQLite file are
  :class:`RetryableError`; every other error (syntax, constraint, type, a missing bind parameter) is
  :class:`InvalidInput` with the database's own message.

Messages name the operation, the connection and, for connection failures, the URL with its password
hidden; the revealed password is removed from any text a driver produced, in case it echoed it.
"""

from __future__ import annotations

from typing import Final

from sqlalchemy import exc as sa_exc

from interlace.sdk import ConnectorError, FatalError, InvalidInput, RetryableError

__all__ = ["StatementFailed", "connect_failure", "database_message", "statement_failure"]

# PostgreSQL SQLSTATEs (and their classes) and MySQL/MariaDB error numbers.
_FATAL_STATES: Final = frozenset({"28000", "28P01", "3D000"})
_FATAL_MYSQL: Final = frozenset({1044, 1045, 1049, 1698})
_TRANSIENT_STATE_CLASSES: Final = ("08", "40", "53", "57P")
_TRANSIENT_MYSQL: Final = frozenset({1205, 1213, 2002, 2003, 2006, 2013, 2055})
_TRANSIENT_SQLITE: Final = ("database is locked", "database table is locked", "database is busy")


class StatementFailed(Exception):  # noqa: N818 -- a signal carrying its cause, not an error of its own
    """Raised inside a unit of work to say which statement of several failed (``position``, e.g.
    ``"statement 2 of 3"``); the connection turns ``cause`` into the connector's error."""

    def __init__(self, position: str, cause: sa_exc.SQLAlchemyError) -> None:
        super().__init__(position)
        self.position = position
        self.cause = cause


def _scrub(text: str, secret: str | None) -> str:
    return text.replace(secret, "***") if secret else text


def database_message(exc: BaseException) -> str:
    """The database's own words for ``exc``, without SQLAlchemy's statement dump and links."""
    original = exc.orig if isinstance(exc, sa_exc.StatementError) and exc.orig is not None else exc
    args: tuple[object, ...] = getattr(original, "args", ())
    if len(args) >= 2 and isinstance(args[0], int) and isinstance(args[1], str):
        message = f"{args[1]} (error {args[0]})"
    elif args and isinstance(args[0], str) and args[0]:
        message = args[0]
    else:
        message = str(original) or type(original).__name__
    detail = getattr(original.__cause__, "detail", None)
    if isinstance(detail, str) and detail:
        message = f"{message}: {detail}"
    state = getattr(original, "sqlstate", None)
    if isinstance(state, str) and state and not (len(args) >= 2 and isinstance(args[0], int)):
        message = f"{message} (SQLSTATE {state})"
    return message


def _codes(exc: BaseException) -> tuple[str | None, int | None]:
    original = exc.orig if isinstance(exc, sa_exc.StatementError) else exc
    state = getattr(original, "sqlstate", None)
    args: tuple[object, ...] = getattr(original, "args", ())
    number = args[0] if args and isinstance(args[0], int) else None
    return (state if isinstance(state, str) else None), number


def connect_failure(exc: BaseException, where: str, target: str, secret: str | None) -> ConnectorError:
    """The error for a failure to get a database connection; ``target`` is the URL as shown."""
    state, number = _codes(exc)
    reason = _scrub(database_message(exc), secret)
    if state in _FATAL_STATES or number in _FATAL_MYSQL:
        return FatalError(f"{where}: the database at {target} refused the connection: {reason}")
    if isinstance(exc, sa_exc.OperationalError) and "unable to open database file" in reason:
        return FatalError(f"{where}: cannot open the SQLite database at {target}: {reason}")
    if isinstance(exc, TimeoutError | sa_exc.TimeoutError):
        reason = reason if reason != "TimeoutError" else "timed out"
    return RetryableError(f"{where}: cannot reach the database at {target}: {reason}")


def statement_failure(
    exc: sa_exc.SQLAlchemyError, where: str, secret: str | None, position: str | None = None
) -> ConnectorError:
    """The error for a statement the database (or SQLAlchemy, before sending it) refused; ``position``
    says which statement of several it was."""
    reason = _scrub(database_message(exc), secret)
    state, number = _codes(exc)
    transient = (
        (isinstance(exc, sa_exc.DBAPIError) and exc.connection_invalidated)
        or (state is not None and state.startswith(_TRANSIENT_STATE_CLASSES))
        or number in _TRANSIENT_MYSQL
        or any(marker in reason for marker in _TRANSIENT_SQLITE)
    )
    statement = f"{position}, rolled back with the whole transaction" if position else "the statement"
    if transient:
        return RetryableError(f"{where}: {statement} failed, try again: {reason}")
    return InvalidInput(f"{where}: the database refused {statement}: {reason}")
