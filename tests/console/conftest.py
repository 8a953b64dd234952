"""The console served by a real management server on loopback: ``shop`` around the management tests'
small project (for the fast tests over HTTP), ``healthcare_console`` around the healthcare example (for
the browser journeys), each with an admin, an operator and a monitor."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import pytest

from interlace.console import mount_console
from interlace.management import ManagementServer, UserStore
from interlace.runtime import Runtime
from interlace.stores import StoredMessage
from tests.examples.conftest import (  # noqa: F401  fixtures the healthcare console runs on
    Backend,
    backend,
    example,
    mailbox,
    running,
)
from tests.management.conftest import (
    ADMIN_PASSWORD,
    FAST_HASHER,
    MONITOR_PASSWORD,
    PROJECT,
    Managed,
    make_users,
    serve,
)
from tests.support import write_project

OPERATOR_PASSWORD = "operator-s3cret-words"  # holds a watched secret: a log line with it fails the run
PASSWORDS = {"admin": ADMIN_PASSWORD, "operator": OPERATOR_PASSWORD, "watcher": MONITOR_PASSWORD}
_CSRF = re.compile(r'name="csrf" value="([0-9a-f]+)"')


def console_users() -> UserStore:
    users = make_users()  # admin and watcher (a monitor)
    users.add("operator", OPERATOR_PASSWORD, "operator")
    return users


@dataclass
class Page:
    status: int
    text: str
    url: str

    @property
    def csrf(self) -> str:
        found = _CSRF.search(self.text)
        assert found is not None, "the page has no form"
        return found.group(1)


class Browserless:
    """A client of the console over HTTP that keeps cookies, as a browser would (no script runs)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.session = aiohttp.ClientSession(url, cookie_jar=aiohttp.CookieJar(unsafe=True))

    async def get(self, path: str, headers: dict[str, str] | None = None) -> Page:
        async with self.session.get(path, headers=headers) as answer:
            return Page(answer.status, await answer.text(), str(answer.url))

    async def post(self, path: str, form: dict[str, str], headers: dict[str, str] | None = None) -> Page:
        async with self.session.post(path, data=form, headers=headers) as answer:
            return Page(answer.status, await answer.text(), str(answer.url))

    async def login(self, user: str) -> Page:
        page = await self.post("/console/login", {"user": user, "password": PASSWORDS[user]})
        assert page.status == 200 and page.url.endswith("/console/"), page.text
        return page

    def cookie(self, name: str) -> str | None:
        for cookie in self.session.cookie_jar:
            if cookie.key == name:
                return cookie.value
        return None

    async def aclose(self) -> None:
        await self.session.close()


@pytest.fixture
async def shop(tmp_path: Path) -> AsyncIterator[Managed]:
    async with serve(write_project(tmp_path / "shop", PROJECT), [mount_console]) as managed:
        managed.server.context.users.add("operator", OPERATOR_PASSWORD, "operator")
        yield managed


@pytest.fixture
async def client(shop: Managed) -> AsyncIterator[Browserless]:
    browserless = Browserless(shop.server.url)
    yield browserless
    await browserless.aclose()


DEAD_LETTER = StoredMessage(
    "refused-payment-1",
    b'{"appointmentNumber": 1, "fee": 7000.0}',
    "application/json",
    created=1_764_700_000.0,
    attempts=3,
    last_error="the back-end refused the payment",
    origin="PaymentRequestMessageStore",
)


@pytest.fixture
async def healthcare_console(
    running: tuple[Runtime, aiohttp.ClientSession],  # noqa: F811  the imported fixture
) -> AsyncIterator[ManagementServer]:
    """The healthcare example's management server with the console, and one dead letter to replay."""
    runtime, _ = running
    await runtime.message_store("PaymentDeadLetterStore").put(DEAD_LETTER)
    users = console_users()
    assert users.hasher is FAST_HASHER
    async with ManagementServer(runtime, users, port=0, extensions=[mount_console]) as server:
        yield server
