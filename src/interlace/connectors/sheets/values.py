"""Cell values: ``getValues``, ``appendValues``, ``updateValues`` and ``batchUpdateValues``
(spreadsheets.values.get, append, update and batchUpdate), ranges in A1 notation."""

from __future__ import annotations

import re
from typing import Annotated, Any, Final, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from interlace.connectors.sheets.connection import SheetsConnection
from interlace.sdk import Param, path_segment

__all__ = ["append_values", "batch_update_values", "get_values", "update_values"]

_SPREADSHEET_ID: Final = re.compile(r"^[A-Za-z0-9_-]{10,}$")


def _spreadsheet_id(value: str) -> str:
    if not _SPREADSHEET_ID.match(value):
        raise ValueError("must be a spreadsheet id: letters, digits, - and _ (from the spreadsheet's URL)")
    return value


SpreadsheetId = Annotated[
    str,
    AfterValidator(_spreadsheet_id),
    Param(
        "The spreadsheet's id (in its URL: /spreadsheets/d/ID/edit).",
        example="1BxiMVs0XRA5nFMdKvBdBZjgmUUqptlbs74OgvE2upms",
    ),
]
Range = Annotated[str, Param("The range in A1 notation.", example="Patients!A1:C"), Field(min_length=1)]
Rows = list[list[Any]]
_ROWS = Param(
    "The values, a list per row (per column with `majorDimension: COLUMNS`).",
    example=[["P-1042", "Ann Smith", 42]],
)
Dimension = Annotated[
    Literal["ROWS", "COLUMNS"], Param("Whether each inner list is a row (`ROWS`) or a column (`COLUMNS`).")
]
InputOption = Annotated[
    Literal["RAW", "USER_ENTERED"],
    Param(
        "`USER_ENTERED`: values are read as if typed (numbers, dates, formulas); `RAW`: stored as they are."
    ),
]


def _values(spreadsheet: str, cells: str, suffix: str = "") -> str:
    return f"/spreadsheets/{spreadsheet}/values/{path_segment(cells, 'range')}{suffix}"


async def get_values(
    conn: SheetsConnection,
    spreadsheetId: SpreadsheetId,
    range: Range,
    majorDimension: Dimension = "ROWS",
    valueRenderOption: Annotated[
        Literal["FORMATTED_VALUE", "UNFORMATTED_VALUE", "FORMULA"],
        Param(
            "Values as shown (`FORMATTED_VALUE`), as stored (`UNFORMATTED_VALUE`) or formulas (`FORMULA`)."
        ),
    ] = "FORMATTED_VALUE",
) -> dict[str, Any]:
    """Read the values of a range (spreadsheets.values.get); empty trailing rows and cells are left out.

    Returns:
        `{range, majorDimension, values: [[...], ...]}`; `values` is empty for an empty range.
    """
    params = [("majorDimension", majorDimension), ("valueRenderOption", valueRenderOption)]
    answer = await conn.call("getValues", "GET", _values(spreadsheetId, range), params=params)
    return {"values": [], **answer}


async def append_values(
    conn: SheetsConnection,
    spreadsheetId: SpreadsheetId,
    range: Annotated[
        str, Param("A range whose table the rows are appended after, in A1 notation.", example="Patients!A1")
    ],
    values: Annotated[Rows, _ROWS],
    valueInputOption: InputOption = "USER_ENTERED",
    insertDataOption: Annotated[
        Literal["INSERT_ROWS", "OVERWRITE"],
        Param(
            "Insert new rows for the values (`INSERT_ROWS`) or write over the cells after the table"
            " (`OVERWRITE`)."
        ),
    ] = "INSERT_ROWS",
    majorDimension: Dimension = "ROWS",
) -> dict[str, Any]:
    """Append rows after the table found in a range (spreadsheets.values.append).

    Returns:
        `{spreadsheetId, tableRange, updates: {updatedRange, updatedRows, updatedColumns, updatedCells}}`.
    """
    params = [("valueInputOption", valueInputOption), ("insertDataOption", insertDataOption)]
    body: dict[str, Any] = {"majorDimension": majorDimension, "values": values}
    return await conn.call(
        "appendValues", "POST", _values(spreadsheetId, range, ":append"), params=params, body=body
    )


async def update_values(
    conn: SheetsConnection,
    spreadsheetId: SpreadsheetId,
    range: Range,
    values: Annotated[Rows, _ROWS],
    valueInputOption: InputOption = "USER_ENTERED",
    majorDimension: Dimension = "ROWS",
) -> dict[str, Any]:
    """Write values into a range (spreadsheets.values.update).

    Returns:
        `{spreadsheetId, updatedRange, updatedRows, updatedColumns, updatedCells}`.
    """
    body: dict[str, Any] = {"range": range, "majorDimension": majorDimension, "values": values}
    path = _values(spreadsheetId, range)
    return await conn.call(
        "updateValues", "PUT", path, params=[("valueInputOption", valueInputOption)], body=body
    )


class ValueRange(BaseModel):
    """One range of a batch update and its values."""

    model_config = ConfigDict(extra="forbid")

    range: str = Field(min_length=1)
    values: Rows
    majorDimension: Literal["ROWS", "COLUMNS"] = "ROWS"  # noqa: N815 -- Google's name, as flows write it


async def batch_update_values(
    conn: SheetsConnection,
    spreadsheetId: SpreadsheetId,
    data: Annotated[
        list[ValueRange],
        Param(
            "The ranges and their values: `[{range, values, majorDimension}]`.",
            example=[{"range": "Patients!A2:B2", "values": [["P-1042", "Ann"]]}],
        ),
        Field(min_length=1),
    ],
    valueInputOption: InputOption = "USER_ENTERED",
) -> dict[str, Any]:
    """Write several ranges in one call (spreadsheets.values.batchUpdate); all or none are written.

    Returns:
        `{spreadsheetId, totalUpdatedRows, totalUpdatedColumns, totalUpdatedCells, totalUpdatedSheets,
        responses: [{updatedRange, ...}]}`.
    """
    body: dict[str, Any] = {
        "valueInputOption": valueInputOption,
        "data": [item.model_dump() for item in data],
    }
    return await conn.call(
        "batchUpdateValues", "POST", f"/spreadsheets/{spreadsheetId}/values:batchUpdate", body=body
    )
