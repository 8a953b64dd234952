"""What a person's browser does with a consent address: fetch the page, press a button of its form, and
follow the redirects, over real HTTP."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

import aiohttp
from yarl import URL

_INPUT = re.compile(r"<input type='hidden' name='(\w+)' value='([^']*)'>")
_FORM = re.compile(r"<form method='post' action='([^']+)'>")


@dataclass(frozen=True)
class Visit:
    """Where the browser ended and what it showed."""

    status: int
    url: str
    text: str


async def consent(url: str, decision: str, *, follow: bool = True) -> Visit:
    """Open the consent page at ``url`` and press ``decision`` (``allow`` or ``deny``). With ``follow``,
    the redirect is followed to its end; without, the visit stops at the redirect (``url`` is its
    ``Location``)."""
    async with aiohttp.ClientSession() as browser:
        async with browser.get(url) as page:
            assert page.status == 200, await page.text()
            text = await page.text()
        fields = {name: html.unescape(value) for name, value in _INPUT.findall(text)}
        action = _FORM.search(text)
        assert action is not None, text
        target = URL(url).join(URL(action.group(1)))
        form = {**fields, "decision": decision}
        async with browser.post(target, data=form, allow_redirects=follow) as answer:
            where = str(answer.url) if follow else answer.headers.get("Location", "")
            return Visit(answer.status, where, await answer.text())
