"""SOQL: ``query`` (one page, or every page with ``allPages``) and ``queryMore`` (the next page)."""

from __future__ import annotations

import re
from typing import Annotated, Any, Final

from interlace.connectors.salesforce.connection import SalesforceConnection
from interlace.sdk import InvalidInput, Param

__all__ = ["query", "query_more"]

_NEXT: Final = re.compile(r"^/services/data/v\d+\.\d/query(All)?/[A-Za-z0-9-]+$")


def _page(answer: object) -> dict[str, Any]:
    page = answer if isinstance(answer, dict) else {}
    records = page.get("records")
    return {
        "totalSize": page.get("totalSize", 0),
        "done": bool(page.get("done", True)),
        "records": records if isinstance(records, list) else [],
        "nextRecordsUrl": page.get("nextRecordsUrl") or "",
    }


async def query(
    conn: SalesforceConnection,
    soql: Annotated[
        str, Param("The SOQL query.", example="SELECT Id, Name FROM Account WHERE Industry = 'Healthcare'")
    ],
    allPages: Annotated[
        bool, Param("Follow `nextRecordsUrl` through every page and return the records together.")
    ] = False,
    includeDeleted: Annotated[
        bool, Param("Also find deleted and archived records (the queryAll resource).")
    ] = False,
) -> dict[str, Any]:
    """Run a SOQL query.

    Salesforce answers up to 2000 records a page: pass a page's `nextRecordsUrl` to queryMore for the
    next, or set `allPages` to read them all at once (one call per page).

    Returns:
        `{totalSize, done, records: [{attributes: {type, url}, Id, ...}], nextRecordsUrl}`;
        `nextRecordsUrl` is empty after the last page.
    """
    if not soql.strip():
        raise InvalidInput("salesforce.query: soql must not be empty")
    resource = "/queryAll" if includeDeleted else "/query"
    page = _page(await conn.call("query", "GET", resource, params=[("q", soql)]))
    records = list(page["records"])
    while allPages and page["nextRecordsUrl"]:
        page = _page(await conn.call("query", "GET", _next(page["nextRecordsUrl"])))
        records += page["records"]
    return {**page, "records": records}


async def query_more(
    conn: SalesforceConnection,
    nextRecordsUrl: Annotated[
        str,
        Param(
            "The `nextRecordsUrl` of the previous page.",
            example="/services/data/v62.0/query/01gxx0000000001-2000",
        ),
    ],
) -> dict[str, Any]:
    """Read the next page of a query's records.

    Returns:
        `{totalSize, done, records, nextRecordsUrl}`, as query.
    """
    return _page(await conn.call("queryMore", "GET", _next(nextRecordsUrl)))


def _next(url: str) -> str:
    if not _NEXT.match(url):
        raise InvalidInput(
            "salesforce.queryMore: nextRecordsUrl must be a page's /services/data/vXX.0/query/ID path"
            f" (got {url!r})"
        )
    return url
