"""The ``gmail`` connector object, with its operations (in the reference page's order)."""

from __future__ import annotations

from interlace.connectors.gmail.account import get_user_profile, list_labels
from interlace.connectors.gmail.connection import GmailConnection
from interlace.connectors.gmail.messages import list_all_mails, read_mail, trash_message
from interlace.connectors.gmail.sending import send_mail, send_mail_with_attachment
from interlace.sdk import AuthorizationCodeGrant, Connector

__all__ = ["connector"]

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
    operations=[
        ("sendMail", send_mail),
        ("sendMailWithAttachment", send_mail_with_attachment),
        ("listAllMails", list_all_mails),
        ("readMail", read_mail),
        ("trashMessage", trash_message),
        ("listLabels", list_labels),
        ("getUserProfile", get_user_profile),
    ],
)
