"""sObject records: ``create``, ``retrieve``, ``update``, ``upsert`` (by an external id) and ``delete``."""

from __future__ import annotations

from typing import Annotated, Any

from interlace.connectors.salesforce.connection import SalesforceConnection
from interlace.connectors.salesforce.names import ApiName, RecordId
from interlace.sdk import Param, path_segment

__all__ = ["create", "delete", "retrieve", "update", "upsert"]

Record = dict[str, Any]

_SOBJECT = Param("The sObject type's API name.", example="Account")
_ID = Param("The record's id.", example="001xx000003DGb2AAG")
_FIELDS = Param("The record's fields by API name.", example={"Name": "Grand Oak", "Industry": "Healthcare"})


def _path(sobject: str, *rest: str) -> str:
    return "/sobjects/" + "/".join([sobject, *(path_segment(part) for part in rest)])


def _record(answer: object) -> Record:
    return answer if isinstance(answer, dict) else {}


async def create(
    conn: SalesforceConnection, sObject: Annotated[ApiName, _SOBJECT], record: Annotated[Record, _FIELDS]
) -> Record:
    """Create a record.

    Returns:
        `{id, success, errors}`: the new record's id.
    """
    return _record(await conn.call("create", "POST", _path(sObject), body=record))


async def retrieve(
    conn: SalesforceConnection,
    sObject: Annotated[ApiName, _SOBJECT],
    id: Annotated[RecordId, _ID],
    fields: Annotated[list[ApiName] | None, Param("The fields to read; by default all.")] = None,
) -> Record:
    """Read a record by its id; an unknown id is an INVALID_INPUT error (`NOT_FOUND`).

    Returns:
        The record: `{attributes: {type, url}, Id, Name, ...}`.
    """
    params = [("fields", ",".join(fields))] if fields else None
    return _record(await conn.call("retrieve", "GET", _path(sObject, id), params=params))


async def update(
    conn: SalesforceConnection,
    sObject: Annotated[ApiName, _SOBJECT],
    id: Annotated[RecordId, _ID],
    record: Annotated[Record, Param("The fields to change, by API name.", example={"Rating": "Hot"})],
) -> Record:
    """Change fields of a record.

    Returns:
        `{id, success: true}`.
    """
    await conn.call("update", "PATCH", _path(sObject, id), body=record)
    return {"id": id, "success": True}


async def upsert(
    conn: SalesforceConnection,
    sObject: Annotated[ApiName, _SOBJECT],
    externalIdField: Annotated[ApiName, Param("The external id field to match on.", example="Patient_Id__c")],
    externalId: Annotated[str, Param("The external id's value.", example="P-1042")],
    record: Annotated[Record, Param("The record's fields, without the external id field.")],
) -> Record:
    """Create the record whose external id field has this value, or update it when it exists; a value
    that matches several records is an INVALID_INPUT error (Salesforce answers 300).

    Returns:
        `{id, created, success}`: `created` is true when the record was new.
    """
    answer = await conn.call("upsert", "PATCH", _path(sObject, externalIdField, externalId), body=record)
    return {"success": True, **_record(answer)}


async def delete(
    conn: SalesforceConnection, sObject: Annotated[ApiName, _SOBJECT], id: Annotated[RecordId, _ID]
) -> Record:
    """Delete a record (to the org's recycle bin).

    Returns:
        `{id, success: true}`.
    """
    await conn.call("delete", "DELETE", _path(sObject, id))
    return {"id": id, "success": True}
