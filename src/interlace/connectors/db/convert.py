"""Database values as JSON values, for rows handed to flows.

- ``Decimal``: an integer when it has no fractional digits (``NUMERIC(10,0)``, MySQL's ``SUM``), a
  number when a float holds it exactly (``12.50``), text otherwise, so no digit is lost;
- ``datetime``, ``date``, ``time``: ISO 8601 text (``2024-05-01T09:30:00+00:00``, ``2024-05-01``);
- ``timedelta`` (intervals, MySQL ``TIME``): seconds, as a number;
- ``bytes``: base64 text;
- ``UUID``, IP addresses and anything else without a JSON form: text;
- arrays and JSON columns: lists and objects, their elements converted the same way.
"""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal

from sqlalchemy.engine import RowMapping

__all__ = ["json_row", "json_value"]


def json_value(value: object) -> object:
    """``value`` as a JSON value (see the module docstring)."""
    if value is None or isinstance(value, str | bool | int | float):
        return value
    if isinstance(value, Decimal):
        return _decimal(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    if isinstance(value, bytes | bytearray | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, Mapping):
        return {str(key): json_value(item) for key, item in value.items()}
    if isinstance(value, Sequence):
        return [json_value(item) for item in value]
    return str(value)


def _decimal(value: Decimal) -> object:
    if not value.is_finite():
        return str(value)
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent >= 0:
        return int(value)
    number = float(value)
    return number if Decimal(repr(number)) == value else str(value)


def json_row(row: RowMapping) -> dict[str, object]:
    """A row as a JSON object: column name to converted value."""
    return {str(key): json_value(value) for key, value in row.items()}
