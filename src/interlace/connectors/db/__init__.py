"""The ``db`` connector: SQL on SQLite, PostgreSQL and MariaDB/MySQL through SQLAlchemy's async engines;
its triggers poll tables for new rows (``db.poll``) and listen to PostgreSQL notifications
(``db.listen``)."""

from __future__ import annotations

from interlace.connectors.db.config import DbConfig
from interlace.connectors.db.connection import DbConnection
from interlace.connectors.db.convert import json_value
from interlace.connectors.db.cursor import CURSOR_TABLE
from interlace.connectors.db.operations import Statement, connector

__all__ = ["CURSOR_TABLE", "DbConfig", "DbConnection", "Statement", "connector", "json_value"]
