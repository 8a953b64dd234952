"""The names that go into request paths and SOQL: sObject types, fields and record ids, checked so
that a value of a flow can never change what is asked."""

from __future__ import annotations

import re
from typing import Annotated, Final

from pydantic import AfterValidator

__all__ = ["ApiName", "RecordId"]

_API_NAME: Final = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
_RECORD_ID: Final = re.compile(r"^[A-Za-z0-9]{15}([A-Za-z0-9]{3})?$")


def _api_name(value: str) -> str:
    if not _API_NAME.match(value):
        raise ValueError("must be an API name: a letter, then letters, digits and _ (Account, Order__c)")
    return value


def _record_id(value: str) -> str:
    if not _RECORD_ID.match(value):
        raise ValueError("must be a Salesforce record id: 15 or 18 letters and digits")
    return value


ApiName = Annotated[str, AfterValidator(_api_name)]
"""An sObject type or field API name (``Account``, ``External_Id__c``)."""
RecordId = Annotated[str, AfterValidator(_record_id)]
"""A record id (``001xx000003DGb2AAG``)."""
