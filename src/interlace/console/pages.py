"""Rendering pages: the Jinja2 templates shipped with the package (autoescaped), and the one-shot
notice or error a page shows after an action redirected to it (a short-lived cookie).

Jinja2 and the diagrams' stylesheet are loaded by the first page rendered, not when the console is
mounted: a server nobody opens the console of never loads them."""

from __future__ import annotations

import base64
import functools
import hashlib
from typing import TYPE_CHECKING, Any, Final, Literal
from urllib.parse import quote, unquote

import orjson
from aiohttp import web

from interlace.management.context import iso_time

if TYPE_CHECKING:
    from jinja2 import Environment

__all__ = ["Notice", "flash", "redirect", "render", "safe_back"]

_FLASH: Final = "interlace_console_notice"
_MAX_NOTICE: Final = 1000
Notice = tuple[Literal["notice", "error"], str]


@functools.cache
def _headers() -> dict[str, str]:
    from interlace.diagrams.svg import STYLE

    diagram_style = "sha256-" + base64.b64encode(hashlib.sha256(STYLE.encode()).digest()).decode()
    return {
        "Cache-Control": "no-store",
        # Only the console's own script and stylesheet run; no other site may frame a page (clickjacking)
        # or receive a form of it.
        # The flow diagrams' own stylesheet, inline in their SVG, is allowed by its hash.
        "Content-Security-Policy": (
            "default-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'; "
            f"style-src 'self' '{diagram_style}'"
        ),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
    }


@functools.cache
def _templates() -> Environment:
    from jinja2 import Environment, PackageLoader, select_autoescape

    templates = Environment(
        loader=PackageLoader("interlace.console", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    templates.filters["timestamp"] = iso_time
    return templates


def render(request: web.Request, template: str, status: int = 200, **values: Any) -> web.Response:
    """The page ``template`` for ``values``, with the notice an earlier action left (then forgotten)."""
    notice = _notice_of(request)
    text = _templates().get_template(template).render(notice=notice, path=request.path, **values)
    response = web.Response(text=text, status=status, content_type="text/html", charset="utf-8")
    response.headers.update(_headers())
    if notice is not None:
        response.del_cookie(_FLASH, path="/console")
    return response


def flash(response: web.StreamResponse, kind: Literal["notice", "error"], text: str) -> None:
    """Show ``text`` on the next page this browser renders."""
    value = quote(orjson.dumps([kind, text[:_MAX_NOTICE]]).decode("utf-8"))
    response.set_cookie(_FLASH, value, path="/console", httponly=True, samesite="Strict", max_age=60)


def redirect(location: str) -> web.Response:
    """The answer to a form post: see ``location`` (303, so a reload does not post again)."""
    return web.Response(status=303, headers={"Location": location})


def safe_back(location: object, default: str = "/console/") -> str:
    """``location`` when it is a page of the console, else ``default`` (no redirect leaves the console)."""
    if isinstance(location, str) and location.startswith("/console/") and "//" not in location:
        return location
    return default


def _notice_of(request: web.Request) -> Notice | None:
    raw = request.cookies.get(_FLASH)
    if not raw:
        return None
    try:
        kind, text = orjson.loads(unquote(raw))
    except (orjson.JSONDecodeError, ValueError, TypeError):
        return None
    if kind not in ("notice", "error") or not isinstance(text, str):
        return None
    return (kind, text)
