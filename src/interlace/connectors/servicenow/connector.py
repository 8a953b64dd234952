"""The ``servicenow`` connector object, with its operations (in the reference page's order)."""

from __future__ import annotations

from interlace.connectors.servicenow.connection import ServiceNowConnection
from interlace.connectors.servicenow.records import (
    create_record,
    delete_record,
    get_record,
    list_records,
    update_record,
)
from interlace.sdk import Connector

__all__ = ["connector"]

connector = Connector(
    "servicenow",
    version="1.0.0",
    connection=ServiceNowConnection,
    description=(
        "Read, list (encoded queries, paged), create, update and delete records of any ServiceNow table"
        " through the Table API, with basic authentication or OAuth2."
    ),
    operations=[
        ("getRecord", get_record),
        ("listRecords", list_records),
        ("createRecord", create_record),
        ("updateRecord", update_record),
        ("deleteRecord", delete_record),
    ],
)
