"""The ``slack`` connector object, with its operations and trigger (in the reference page's order)."""

from __future__ import annotations

from interlace.connectors.slack.connection import SlackConnection
from interlace.connectors.slack.conversations import (
    get_conversation_history,
    list_conversations,
    lookup_user_by_email,
)
from interlace.connectors.slack.events import events
from interlace.connectors.slack.files import upload_file
from interlace.connectors.slack.messages import post_message, update_message
from interlace.sdk import Connector

__all__ = ["connector"]

connector = Connector(
    "slack",
    version="1.0.0",
    connection=SlackConnection,
    description=(
        "Post and update messages, list conversations and read their history, look up users and upload"
        " files through the Slack Web API with an app's bot token; and start flows from the Events"
        " API (the `events` trigger: signed requests checked, the URL verification answered, Slack's"
        " retries delivered once)."
    ),
    operations=[
        ("postMessage", post_message),
        ("updateMessage", update_message),
        ("listConversations", list_conversations),
        ("getConversationHistory", get_conversation_history),
        ("lookupUserByEmail", lookup_user_by_email),
        ("uploadFile", upload_file),
    ],
    triggers=[events],
)
