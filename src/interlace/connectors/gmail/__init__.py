"""The ``gmail`` connector: send and read mail through the Gmail REST API with OAuth2.

Registered as ``gmail = "interlace.connectors.gmail:connector"``; docs/connectors/gmail.md is its
reference page. Operations keep the names users of WSO2's Gmail connector know: ``sendMail``,
``sendMailWithAttachment``, ``listAllMails``, ``readMail``, ``trashMessage``, ``listLabels`` and
``getUserProfile``.
"""

from __future__ import annotations

from interlace.connectors.gmail.compose import Attachment
from interlace.connectors.gmail.config import GmailConfig
from interlace.connectors.gmail.connection import GmailConnection
from interlace.connectors.gmail.connector import connector

__all__ = ["Attachment", "GmailConfig", "GmailConnection", "connector"]
