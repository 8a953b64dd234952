"""The ``gmail`` connector object; its operations register on it from their own modules."""

from __future__ import annotations

from interlace.connectors.gmail.connection import GmailConnection
from interlace.sdk import AuthorizationCodeGrant, Connector

__all__ = ["MODIFY", "READ", "SEND", "connector"]

SEND = "https://www.googleapis.com/auth/gmail.send"
READ = "https://www.googleapis.com/auth/gmail.readonly"
MODIFY = "https://www.googleapis.com/auth/gmail.modify"

connector = Connector(
    "gmail",
    version="1.0.0",
    connection=GmailConnection,
    description=(
        "Send, list, read and trash mail and read labels and the profile of a Gmail mailbox through the"
        " Gmail REST API, with OAuth2 tokens refreshed as needed."
    ),
    # Without access_type=offline Google issues no refresh token; prompt=consent makes it issue one again.
    authorization=AuthorizationCodeGrant(
        authorization_url="https://accounts.google.com/o/oauth2/v2/auth",
        params={"access_type": "offline", "prompt": "consent"},
    ),
)
