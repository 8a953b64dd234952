"""The ``servicenow`` connector: records of a ServiceNow instance's tables through the Table API.

Registered as ``servicenow = "interlace.connectors.servicenow:connector"``; docs/connectors/servicenow.md
is its reference page. Operations: ``getRecord``, ``listRecords``, ``createRecord``, ``updateRecord``
and ``deleteRecord``.
"""

from __future__ import annotations

from interlace.connectors.servicenow.config import ServiceNowConfig
from interlace.connectors.servicenow.connection import ServiceNowConnection
from interlace.connectors.servicenow.connector import connector

__all__ = ["ServiceNowConfig", "ServiceNowConnection", "connector"]
