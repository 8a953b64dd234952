"""Spreadsheets: ``createSpreadsheet`` (spreadsheets.create)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field

from interlace.connectors.sheets.connection import SheetsConnection
from interlace.sdk import Param

__all__ = ["create_spreadsheet"]


async def create_spreadsheet(
    conn: SheetsConnection,
    title: Annotated[str, Param("The spreadsheet's title.", example="Daily admissions"), Field(min_length=1)],
    sheets: Annotated[
        list[str] | None, Param("The titles of its sheets, in order; by default one sheet, `Sheet1`.")
    ] = None,
    locale: Annotated[str | None, Param("The locale of its formats (`en_US`, `fr_FR`).")] = None,
) -> dict[str, Any]:
    """Create a spreadsheet, owned by the connection's user or service account.

    Returns:
        `{spreadsheetId, spreadsheetUrl, properties: {title, ...}, sheets: [{properties: {sheetId, title}}]}`.
    """
    properties: dict[str, Any] = {"title": title} | ({"locale": locale} if locale else {})
    body: dict[str, Any] = {"properties": properties}
    if sheets:
        body["sheets"] = [{"properties": {"title": name}} for name in sheets]
    return await conn.call("createSpreadsheet", "POST", "/spreadsheets", body=body)
