"""The ``sheets`` connector object, with its operations (in the reference page's order)."""

from __future__ import annotations

from interlace.connectors.sheets.config import SPREADSHEETS_SCOPE
from interlace.connectors.sheets.connection import SheetsConnection
from interlace.connectors.sheets.spreadsheets import create_spreadsheet
from interlace.connectors.sheets.values import append_values, batch_update_values, get_values, update_values
from interlace.sdk import AuthorizationCodeGrant, Connector

__all__ = ["connector"]

connector = Connector(
    "sheets",
    version="1.0.0",
    connection=SheetsConnection,
    description=(
        "Read, append, update and batch-update cell values and create spreadsheets through the Google"
        " Sheets API v4, with a user's OAuth2 grant or a service account's key."
    ),
    # Without access_type=offline Google issues no refresh token; prompt=consent makes it issue one again.
    authorization=AuthorizationCodeGrant(
        authorization_url="https://accounts.google.com/o/oauth2/v2/auth",
        scopes=(SPREADSHEETS_SCOPE,),
        params={"access_type": "offline", "prompt": "consent"},
    ),
    operations=[
        ("getValues", get_values),
        ("appendValues", append_values),
        ("updateValues", update_values),
        ("batchUpdateValues", batch_update_values),
        ("createSpreadsheet", create_spreadsheet),
    ],
)
