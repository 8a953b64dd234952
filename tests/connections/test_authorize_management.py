"""Authorizing a connection of a running server through the management API: an admin gets the consent
address, the browser comes back to the management port, and the connection sends mail with the grant."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from yarl import URL

from interlace.connectors.gmail.scopes import SEND
from interlace.management import ManagementServer, TokenIssuer
from interlace.management.resources.authorizations import CALLBACK
from interlace.message import MessageContext
from interlace.runtime import Runtime
from interlace.samples.mailbox import DevMailbox, start_dev_mailbox
from interlace.sdk import FatalError
from tests.connections.consent_browser import consent
from tests.connections.test_authorize_flow import TOKEN_PREFIXES, write_project
from tests.management.conftest import ADMIN_PASSWORD, MONITOR_PASSWORD, assert_documented, make_users


@dataclass
class Server:
    runtime: Runtime
    session: aiohttp.ClientSession
    mailbox: DevMailbox

    async def call(self, method: str, path: str, token: str | None = None, **kwargs: Any) -> tuple[int, Any]:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        async with self.session.request(method, path, headers=headers, **kwargs) as answer:
            body = await answer.json()
            assert_documented(method, path, answer.status, body)
            return answer.status, body

    async def token(self, user: str = "admin", password: str = ADMIN_PASSWORD) -> str:
        status, body = await self.call("POST", "/management/login", json={"user": user, "password": password})
        assert status == 200, body
        return str(body["token"])


@pytest.fixture
async def server(tmp_path: Path) -> AsyncIterator[Server]:
    async with await start_dev_mailbox(port=0, smtp_port=None) as mailbox:
        root = write_project(tmp_path, mailbox)
        async with Runtime(root, profile="dev") as runtime:
            management = ManagementServer(
                runtime, make_users(), port=0, tokens=TokenIssuer(b"k" * 32, 3600.0)
            )
            async with management, aiohttp.ClientSession(management.url) as session:
                yield Server(runtime, session, mailbox)


async def test_an_admin_authorizes_a_connection_and_it_sends_mail_with_the_grant(server: Server) -> None:
    admin = await server.token()
    status, started = await server.call("POST", "/management/connections/mail/authorization", admin)
    assert status == 200, started
    assert started["scopes"] == [SEND] and started["redirectUri"].endswith(CALLBACK)
    assert started["consentUrl"].startswith(server.mailbox.authorization_url)

    visit = await consent(started["consentUrl"], "allow")
    assert visit.status == 200, visit.text
    assert '"authorized":true' in visit.text.replace(" ", "")
    assert not any(prefix in visit.text for prefix in TOKEN_PREFIXES)

    await server.runtime.artifacts.sequences["Notify"].mediate(MessageContext())
    assert [message.subject for message in server.mailbox.messages] == ["Hello"]


async def test_a_connection_that_failed_for_want_of_a_grant_works_once_authorized_without_a_restart(
    server: Server,
) -> None:
    notify = server.runtime.artifacts.sequences["Notify"]
    with pytest.raises(FatalError, match="no refresh token is configured or stored"):
        await notify.mediate(MessageContext())
    admin = await server.token()
    _, started = await server.call("POST", "/management/connections/mail/authorization", admin)
    assert (await consent(started["consentUrl"], "allow")).status == 200
    await notify.mediate(MessageContext())
    assert len(server.mailbox.messages) == 1


async def test_a_denied_consent_answers_400_with_what_to_do_and_the_state_works_once(server: Server) -> None:
    admin = await server.token()
    _, started = await server.call("POST", "/management/connections/mail/authorization", admin)
    visit = await consent(started["consentUrl"], "deny")
    assert visit.status == 400 and "access_denied" in visit.text and "choose Allow" in visit.text
    state = URL(visit.url).query["state"]
    status, body = await server.call("GET", CALLBACK, params={"state": state, "code": "x"})
    assert status == 404 and "start it again" in body["error"]["message"]


async def test_only_admins_start_authorizations_of_oauth2_connections(server: Server) -> None:
    status, _ = await server.call("POST", "/management/connections/mail/authorization")
    assert status == 401
    monitor = await server.token("watcher", MONITOR_PASSWORD)
    status, _ = await server.call("POST", "/management/connections/mail/authorization", monitor)
    assert status == 403
    admin = await server.token()
    status, body = await server.call("POST", "/management/connections/nope/authorization", admin)
    assert status == 404 and "mail" in body["error"]["message"]
