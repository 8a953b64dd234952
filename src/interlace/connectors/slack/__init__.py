"""The ``slack`` connector: the Slack Web API with an app's bot token, and the Events API as a trigger.

Registered as ``slack = "interlace.connectors.slack:connector"``; docs/connectors/slack.md is its
reference page. Operations are named as flows write them, after the Web API methods they call:
``postMessage`` (chat.postMessage), ``updateMessage`` (chat.update), ``listConversations``
(conversations.list), ``getConversationHistory`` (conversations.history), ``lookupUserByEmail``
(users.lookupByEmail) and ``uploadFile`` (files.getUploadURLExternal and files.completeUploadExternal).
"""

from __future__ import annotations

from interlace.connectors.slack.config import SlackConfig
from interlace.connectors.slack.connection import SlackConnection
from interlace.connectors.slack.connector import connector

__all__ = ["SlackConfig", "SlackConnection", "connector"]
