"""The development mailbox's HTTP application: Gmail API, OAuth2 token and consent endpoints, web pages
and JSON API.

One aiohttp application on one port serves all of them, so a connection's ``api_url`` and ``token_url``
can both point at the same base URL (``token_url`` is ``<base>/token``).
"""

from __future__ import annotations

from aiohttp import web

from interlace.samples.mailbox.box import Mailbox
from interlace.samples.mailbox.consent import add_consent_routes
from interlace.samples.mailbox.gmail_api import add_gmail_routes
from interlace.samples.mailbox.oauth import add_oauth_routes
from interlace.samples.mailbox.state import AUTHORITY_KEY, MAILBOX_KEY
from interlace.samples.mailbox.tokens import TokenAuthority
from interlace.samples.mailbox.web import add_web_routes

__all__ = ["create_app"]


def create_app(mailbox: Mailbox, authority: TokenAuthority) -> web.Application:
    """An application serving *mailbox*, with access tokens issued and checked by *authority*."""
    app = web.Application()
    app[MAILBOX_KEY] = mailbox
    app[AUTHORITY_KEY] = authority
    add_gmail_routes(app.router)
    add_oauth_routes(app.router)
    add_consent_routes(app.router)
    add_web_routes(app.router)
    return app
