"""The ``salesforce`` connector: a Salesforce org's REST API as a connected app, and a polling trigger.

Registered as ``salesforce = "interlace.connectors.salesforce:connector"``; docs/connectors/salesforce.md
is its reference page. Operations: ``query`` and ``queryMore`` (SOQL, paged by ``nextRecordsUrl``),
``create``, ``retrieve``, ``update``, ``upsert`` and ``delete`` (sObject records) and ``composite``;
the ``poll`` trigger reads changed records in the order of a watermark field.
"""

from __future__ import annotations

from interlace.connectors.salesforce.config import SalesforceConfig
from interlace.connectors.salesforce.connection import SalesforceConnection
from interlace.connectors.salesforce.connector import connector

__all__ = ["SalesforceConfig", "SalesforceConnection", "connector"]
