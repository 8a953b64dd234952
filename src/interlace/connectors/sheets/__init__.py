"""The ``sheets`` connector: Google Sheets API v4 cell values and spreadsheets.

Registered as ``sheets = "interlace.connectors.sheets:connector"``; docs/connectors/sheets.md is its
reference page. Operations: ``getValues``, ``appendValues``, ``updateValues``, ``batchUpdateValues``
(spreadsheets.values) and ``createSpreadsheet``.
"""

from __future__ import annotations

from interlace.connectors.sheets.config import SheetsConfig
from interlace.connectors.sheets.connection import SheetsConnection
from interlace.connectors.sheets.connector import connector

__all__ = ["SheetsConfig", "SheetsConnection", "connector"]
