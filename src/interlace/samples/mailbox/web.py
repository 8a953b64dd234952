"""What the development mailbox shows: server-rendered pages for people, a JSON API for tools.

- ``GET /``: every message, newest first (time, from, to, subject, attachments count).
- ``GET /messages/{id}``: one message: headers, text body, HTML body (as source, and rendered in a
  sandboxed frame without scripts), attachments, a link to the raw message.
- ``GET /messages/{id}/raw``: the exact bytes received, as ``message/rfc822``.
- ``GET /api/messages`` → ``{"messages": [...], "count"}`` (newest first, shape of
  ``ReceivedMail.to_json``); ``GET /api/messages/{id}`` adds ``raw`` and ``rawBase64``;
  ``DELETE /api/messages`` forgets them all → ``{"deleted": n}``. Unknown ids answer 404 ``{"error"}``.

Every value from a message is HTML-escaped; pages forbid scripts through their Content-Security-Policy.
"""

from __future__ import annotations

import html
from typing import Final

import orjson
from aiohttp import web

from interlace.samples.mailbox.mail import ReceivedMail
from interlace.samples.mailbox.state import MAILBOX_KEY

__all__ = ["add_web_routes"]

_CSP: Final = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-src 'self'"
_STYLE: Final = (
    "body{font-family:system-ui,sans-serif;margin:2em;color:#222}"
    "table{border-collapse:collapse;width:100%}"
    "td,th{border-bottom:1px solid #ddd;padding:.4em;text-align:left}"
    "pre{background:#f6f6f6;padding:1em;white-space:pre-wrap;word-break:break-word}"
    "iframe{width:100%;height:24em;border:1px solid #ddd}.muted{color:#777}"
)


def add_web_routes(router: web.UrlDispatcher) -> None:
    router.add_get("/", _index)
    router.add_get("/messages/{id}/raw", _raw)
    router.add_get("/messages/{id}", _message_page)
    router.add_get("/api/messages", _api_list)
    router.add_delete("/api/messages", _api_clear)
    router.add_get("/api/messages/{id}", _api_message)


async def _index(request: web.Request) -> web.Response:
    messages = request.app[MAILBOX_KEY].messages
    rows = "".join(_row(message) for message in messages)
    body = f"<h1>Development mailbox <span class='muted'>({len(messages)})</span></h1>" + (
        f"<table><tr><th>Received</th><th>From</th><th>To</th><th>Subject</th><th>Via</th></tr>{rows}</table>"
        if messages
        else "<p class='muted'>No mail yet.</p>"
    )
    return _page("Development mailbox", body)


def _row(message: ReceivedMail) -> str:
    link = f"/messages/{_e(message.id)}"
    subject = _e(message.subject) or "<span class='muted'>(no subject)</span>"
    count = len(message.attachments)
    clip = f" <span class='muted'>({count} attachment{'s' if count > 1 else ''})</span>" if count else ""
    trashed = " <span class='muted'>(trash)</span>" if "TRASH" in message.labels else ""
    return (
        f"<tr><td>{_e(message.received_at.strftime('%Y-%m-%d %H:%M:%S'))}</td><td>{_e(message.sender)}</td>"
        f"<td>{_e(', '.join(message.to))}</td><td><a href='{link}'>{subject}</a>{clip}{trashed}</td>"
        f"<td>{_e(message.source)}</td></tr>"
    )


async def _message_page(request: web.Request) -> web.Response:
    message = _find(request)
    headers = "".join(
        f"<tr><th>{_e(name)}</th><td>{_e(str(value))}</td></tr>" for name, value in message.parsed().items()
    )
    attachments = "".join(
        f"<li>{_e(a.filename or '(unnamed)')} "
        f"<span class='muted'>{_e(a.content_type)}, {a.size} bytes</span></li>"
        for a in message.attachments
    )
    sections = [
        f"<p><a href='/'>&larr; all mail</a> · <a href='/messages/{_e(message.id)}/raw'>raw message</a></p>",
        f"<h1>{_e(message.subject) or '(no subject)'}</h1>",
        f"<p class='muted'>id {_e(message.id)}, received {_e(message.received_at.isoformat())} via "
        f"{_e(message.source)}; envelope from {_e(message.envelope_from or '-')} to "
        f"{_e(', '.join(message.envelope_to) or '-')}; labels {_e(', '.join(message.labels))}</p>",
        f"<h2>Headers</h2><table>{headers}</table>",
    ]
    if message.text is not None:
        sections.append(f"<h2>Text</h2><pre>{_e(message.text)}</pre>")
    if message.html is not None:
        sections.append(
            f"<h2>HTML</h2><iframe sandbox='' srcdoc=\"{_e(message.html)}\"></iframe>"
            f"<details><summary>source</summary><pre>{_e(message.html)}</pre></details>"
        )
    if attachments:
        sections.append(f"<h2>Attachments</h2><ul>{attachments}</ul>")
    return _page(message.subject or "(no subject)", "".join(sections))


async def _raw(request: web.Request) -> web.Response:
    message = _find(request)
    return web.Response(body=message.raw, content_type="message/rfc822")


async def _api_list(request: web.Request) -> web.Response:
    messages = request.app[MAILBOX_KEY].messages
    return _json({"messages": [message.to_json() for message in messages], "count": len(messages)})


async def _api_message(request: web.Request) -> web.Response:
    return _json(_find(request).to_json(include_raw=True))


async def _api_clear(request: web.Request) -> web.Response:
    return _json({"deleted": request.app[MAILBOX_KEY].clear()})


def _find(request: web.Request) -> ReceivedMail:
    message_id = request.match_info["id"]
    message = request.app[MAILBOX_KEY].find(message_id)
    if message is None:
        raise web.HTTPNotFound(
            text=orjson.dumps({"error": f"no message with id {message_id}"}).decode(),
            content_type="application/json",
        )
    return message


def _page(title: str, body: str) -> web.Response:
    document = (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{_e(title)}</title><style>{_STYLE}</style></head><body>{body}</body></html>"
    )
    return web.Response(
        text=document, content_type="text/html", charset="utf-8", headers={"Content-Security-Policy": _CSP}
    )


def _json(value: object) -> web.Response:
    return web.Response(body=orjson.dumps(value), content_type="application/json")


def _e(text: str) -> str:
    return html.escape(text, quote=True)
