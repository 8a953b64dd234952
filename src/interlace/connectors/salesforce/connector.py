"""The ``salesforce`` connector object, with its operations and trigger (in the reference page's order)."""

from __future__ import annotations

from interlace.connectors.salesforce.composite import composite
from interlace.connectors.salesforce.connection import SalesforceConnection
from interlace.connectors.salesforce.poll import poll
from interlace.connectors.salesforce.query import query, query_more
from interlace.connectors.salesforce.records import create, delete, retrieve, update, upsert
from interlace.sdk import AuthorizationCodeGrant, Connector

__all__ = ["connector"]

connector = Connector(
    "salesforce",
    version="1.0.0",
    connection=SalesforceConnection,
    description=(
        "Query Salesforce with SOQL (every page, or one at a time), create, read, update, upsert (by an"
        " external id) and delete sObject records, and run composite requests through the REST API, as a"
        " connected app (OAuth2 JWT bearer or refresh token); and start flows from changed records (the"
        " `poll` trigger: SOQL on a watermark field, its position kept across restarts)."
    ),
    # The connection names the authorization URL (its login-url: production, sandbox or My Domain).
    authorization=AuthorizationCodeGrant(scopes=("api", "refresh_token")),
    operations=[
        ("query", query),
        ("queryMore", query_more),
        ("create", create),
        ("retrieve", retrieve),
        ("update", update),
        ("upsert", upsert),
        ("delete", delete),
        ("composite", composite),
    ],
    triggers=[poll],
)
