"""The settings of a Slack connection: the app's bot token and signing secret, and where the Web API is."""

from __future__ import annotations

from pydantic import Field

from interlace.sdk import ConnectionConfig, Secret

__all__ = ["SlackConfig"]


class SlackConfig(ConnectionConfig):
    """How to call the Slack Web API as an app, and how to check that events come from Slack.

    Operations need ``token``; the ``events`` trigger needs ``signing-secret``. A connection used only
    to receive events may leave the token out, and one used only to call the API the signing secret.
    """

    token: Secret | None = None
    """The app's bot token (``xoxb-...``), from the app's OAuth & Permissions page; sent as a bearer token."""

    signing_secret: Secret | None = None
    """The app's signing secret (Basic Information, App Credentials): the Events API's requests are
    signed with it."""

    api_url: str = "https://slack.com/api"
    """Base URL of the Web API; a method's name is appended (``/chat.postMessage``)."""

    timeout: float = Field(default=30.0, gt=0)
    """Seconds to wait for an answer of the Web API or of a file upload."""
