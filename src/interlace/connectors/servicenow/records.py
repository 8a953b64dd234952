"""Table API records: ``getRecord``, ``listRecords`` (encoded queries, paged by the ``Link`` header),
``createRecord``, ``updateRecord`` (PATCH) and ``deleteRecord``."""

from __future__ import annotations

import re
from typing import Annotated, Any, Final, Literal
from urllib.parse import parse_qs, urlsplit

import orjson
from pydantic import AfterValidator, Field

from interlace.connectors.servicenow.connection import ServiceNowConnection
from interlace.sdk import Answer, FatalError, Param

__all__ = ["create_record", "delete_record", "get_record", "list_records", "update_record"]

_TABLE_NAME: Final = re.compile(r"^[a-z][a-z0-9_]*$")
_SYS_ID: Final = re.compile(r"^[0-9a-f]{32}$")
_NEXT: Final = re.compile(r"<([^>]*)>\s*;\s*rel=\"?next\"?")


def _table_name(value: str) -> str:
    if not _TABLE_NAME.match(value):
        raise ValueError("must be a table name: lower-case letters, digits and _ (incident, u_custom)")
    return value


def _sys_id(value: str) -> str:
    if not _SYS_ID.match(value):
        raise ValueError("must be a sys_id: 32 hexadecimal digits")
    return value


Table = Annotated[str, AfterValidator(_table_name), Param("The table's name.", example="incident")]
SysId = Annotated[
    str, AfterValidator(_sys_id), Param("The record's sys_id.", example="9d385017c611228701d22104cc95c371")
]
Fields = Annotated[list[str] | None, Param("The fields to answer; by default all.")]
DisplayValue = Annotated[
    Literal["false", "true", "all"],
    Param("Reference and choice fields as stored values (`false`), display values (`true`) or both (`all`)."),
]
Record = dict[str, Any]


def _query(fields: list[str] | None, display_value: str) -> list[tuple[str, str]]:
    query = [("sysparm_display_value", display_value), ("sysparm_exclude_reference_link", "true")]
    return query + ([("sysparm_fields", ",".join(fields))] if fields else [])


def _result(answer: Answer, where: str) -> Any:
    try:
        document = orjson.loads(answer.body) if answer.body else {}
    except orjson.JSONDecodeError as exc:
        raise FatalError(f"{where}: the instance answered {answer.status} without JSON") from exc
    return document.get("result") if isinstance(document, dict) else None


def _next_offset(answer: Answer) -> int | None:
    link = next((value for key, value in answer.headers.items() if key.lower() == "link"), "")
    found = _NEXT.search(link)
    offsets = parse_qs(urlsplit(found[1]).query).get("sysparm_offset") if found else None
    return int(offsets[0]) if offsets and offsets[0].isdigit() else None


async def get_record(
    conn: ServiceNowConnection, table: Table, sysId: SysId, fields: Fields = None,
    displayValue: DisplayValue = "false",
) -> Record:  # fmt: skip
    """Read a record by its sys_id; an unknown one is an INVALID_INPUT error (`No Record found`).

    Returns:
        The record: `{sys_id, number, short_description, ...}`.
    """
    answer = await conn.call(
        "getRecord", "GET", f"/api/now/table/{table}/{sysId}", params=_query(fields, displayValue)
    )
    found = _result(answer, "servicenow.getRecord")
    return found if isinstance(found, dict) else {}


async def list_records(
    conn: ServiceNowConnection,
    table: Table,
    query: Annotated[
        str | None,
        Param("An encoded query (`sysparm_query`).", example="active=true^priority=1^ORDERBYnumber"),
    ] = None,
    fields: Fields = None,
    limit: Annotated[int, Param("Most records per page."), Field(ge=1, le=10_000)] = 100,
    offset: Annotated[int, Param("Records to skip: a page's `nextOffset`."), Field(ge=0)] = 0,
    allPages: Annotated[bool, Param("Follow the `Link` header's next page through every page.")] = False,
    displayValue: DisplayValue = "false",
) -> Record:
    """List a table's records that match an encoded query, a page at a time.

    Returns:
        `{records: [...], nextOffset}`: `nextOffset` is the `offset` of the next page (from the answer's
        `Link` header), or null after the last page.
    """
    records: list[Any] = []
    while True:
        params = [
            *_query(fields, displayValue), ("sysparm_limit", str(limit)), ("sysparm_offset", str(offset)),
            *([("sysparm_query", query)] if query else []),
        ]  # fmt: skip
        answer = await conn.call("listRecords", "GET", f"/api/now/table/{table}", params=params)
        page = _result(answer, "servicenow.listRecords")
        records += page if isinstance(page, list) else []
        next_offset = _next_offset(answer)
        if not (allPages and next_offset is not None and next_offset > offset):
            return {"records": records, "nextOffset": next_offset}
        offset = next_offset


async def create_record(
    conn: ServiceNowConnection,
    table: Table,
    record: Annotated[Record, Param("The fields.", example={"short_description": "Printer down"})],
    fields: Fields = None,
) -> Record:
    """Create a record.

    Returns:
        The new record, with its `sys_id` and the fields the instance set (`number`, ...).
    """
    answer = await conn.call(
        "createRecord", "POST", f"/api/now/table/{table}", params=_query(fields, "false"), body=record
    )
    created = _result(answer, "servicenow.createRecord")
    return created if isinstance(created, dict) else {}


async def update_record(
    conn: ServiceNowConnection,
    table: Table,
    sysId: SysId,
    record: Annotated[Record, Param("The fields to change.", example={"state": "6"})],
    fields: Fields = None,
) -> Record:
    """Change fields of a record (PATCH).

    Returns:
        The record as changed.
    """
    answer = await conn.call(
        "updateRecord",
        "PATCH",
        f"/api/now/table/{table}/{sysId}",
        params=_query(fields, "false"),
        body=record,
    )
    updated = _result(answer, "servicenow.updateRecord")
    return updated if isinstance(updated, dict) else {}


async def delete_record(conn: ServiceNowConnection, table: Table, sysId: SysId) -> Record:
    """Delete a record.

    Returns:
        `{sys_id, deleted: true}`.
    """
    await conn.call("deleteRecord", "DELETE", f"/api/now/table/{table}/{sysId}")
    return {"sys_id": sysId, "deleted": True}
