"""Authorizing a Gmail connection against the development mailbox's authorization server, with a browser
driven over real HTTP: the refresh token lands in the project's token store and the next deployment's
first operation uses it."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import aiohttp
import pytest

from interlace.cli.authorize import authorize_connection, oauth2_connections, scopes_used
from interlace.cli.grant_status import grant_statuses
from interlace.connectors.gmail.scopes import SEND
from interlace.message import MessageContext
from interlace.model import load_project
from interlace.runtime import Runtime
from interlace.samples.mailbox import DevMailbox, start_dev_mailbox
from interlace.sdk import AuthorizationError, start_authorization
from tests.connections.consent_browser import Visit, consent

TOKEN_PREFIXES = ("dev-rt-", "dev-at-", "dev-code-", "dev-secret")

SEQUENCE = """\
sequence: Notify
flow:
  - gmail.sendMail: {connection: mail, to: patient@example.com, subject: Hello, messageBody: hi}
"""


@pytest.fixture
async def mailbox() -> AsyncIterator[DevMailbox]:
    async with await start_dev_mailbox(port=0, smtp_port=None) as running:
        yield running


def write_project(root: Path, mailbox: DevMailbox) -> Path:
    files = {
        "interlace.toml": '[project]\nname = "mail"\n\n[profiles.dev.secrets]\nCLIENT_SECRET = "dev-secret"\n',
        "connections/mail.yaml": (
            f"connection: mail\nconnector: gmail\napi-url: {mailbox.url}\ntoken-url: {mailbox.token_url}\n"
            f"authorization-url: {mailbox.authorization_url}\n"
            "client-id: interlace-dev\nclient-secret: ${secret.CLIENT_SECRET}\n"
        ),
        "sequences/notify.yaml": SEQUENCE,
    }
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


class Browser:
    """Opens consent addresses the way ``webbrowser.open`` would, pressing one button."""

    def __init__(self, decision: str) -> None:
        self.decision = decision
        self.visits: list[asyncio.Task[Visit]] = []

    def __call__(self, url: str) -> bool:
        self.visits.append(asyncio.get_running_loop().create_task(consent(url, self.decision)))
        return True


async def test_authorizing_stores_a_refresh_token_that_the_next_deployment_sends_mail_with(
    tmp_path: Path, mailbox: DevMailbox
) -> None:
    root = write_project(tmp_path, mailbox)
    shown: list[str] = []
    browser = Browser("allow")
    granted = await authorize_connection(
        load_project(root, "dev"), "mail", show=shown.append, open_browser=browser, timeout=60
    )
    visit = await browser.visits[0]
    assert visit.status == 200 and "Return to the terminal" in visit.text
    assert visit.url.startswith("http://127.0.0.1:")
    assert granted.scopes == (SEND,)
    consent_url = next(line for line in shown if mailbox.authorization_url in line).split("\n")[-1]
    query = parse_qs(urlsplit(consent_url).query)
    assert query["code_challenge_method"] == ["S256"] and query["access_type"] == ["offline"]
    assert query["scope"] == [SEND]
    for line in shown:
        assert not any(prefix in line for prefix in TOKEN_PREFIXES), line
    assert b"dev-" not in (root / ".interlace" / "tokens").read_bytes()

    async with Runtime(root, profile="dev") as runtime:
        await runtime.artifacts.sequences["Notify"].mediate(MessageContext())
    assert [message.subject for message in mailbox.messages] == ["Hello"]
    outcomes = [(r.grant_type, r.outcome) for r in mailbox.token_requests]
    assert outcomes == [("authorization_code", "issued"), ("refresh_token", "issued")]


async def test_the_runtime_notes_each_refresh_for_the_status_view_without_the_token(
    tmp_path: Path, mailbox: DevMailbox
) -> None:
    root = write_project(tmp_path, mailbox)
    await authorize_connection(
        load_project(root, "dev"), "mail", show=lambda _: None, open_browser=Browser("allow"), timeout=60
    )
    async with Runtime(root, profile="dev") as runtime:
        await runtime.artifacts.sequences["Notify"].mediate(MessageContext())
    (row,) = await grant_statuses(load_project(root, "dev"))
    assert row["refreshToken"] == "stored" and row["lastRefresh"].endswith(" ok")
    assert row["scopes"] == [SEND]  # as the refresh answered: the scopes consented to
    notes = (root / ".interlace" / "notes.json").read_text()
    assert not any(prefix in notes for prefix in TOKEN_PREFIXES)


async def test_an_http_connection_with_oauth2_is_authorized_with_the_scopes_asked_for(
    tmp_path: Path, mailbox: DevMailbox
) -> None:
    root = write_project(tmp_path, mailbox)
    (root / "connections/api.yaml").write_text(
        f"connection: api\nconnector: http\nbase-url: {mailbox.url}\nauth:\n  type: oauth2\n"
        f"  grant: refresh_token\n  token-url: {mailbox.token_url}\n  client-id: interlace-dev\n"
        f"  client-secret: ${{secret.CLIENT_SECRET}}\n  authorization-url: {mailbox.authorization_url}\n"
    )
    granted = await authorize_connection(
        load_project(root, "dev"),
        "api",
        extra_scopes=("orders.read",),
        show=lambda _: None,
        open_browser=Browser("allow"),
        timeout=60,
    )
    assert granted.scopes == ("orders.read",)
    rows = {row["name"]: row for row in await grant_statuses(load_project(root, "dev"))}
    assert rows["api"]["refreshToken"] == "stored" and rows["mail"]["refreshToken"] == "none"


async def test_denied_consent_is_reported_with_what_to_do(tmp_path: Path, mailbox: DevMailbox) -> None:
    root = write_project(tmp_path, mailbox)
    browser = Browser("deny")
    with pytest.raises(AuthorizationError) as refused:
        await authorize_connection(
            load_project(root, "dev"), "mail", show=lambda _: None, open_browser=browser, timeout=60
        )
    assert refused.value.error == "access_denied"
    assert "choose Allow" in refused.value.message and "test users" in refused.value.message
    assert "refused" in (await browser.visits[0]).text
    assert not (root / ".interlace" / "tokens").exists()


async def test_no_redirect_within_the_timeout_says_how_to_go_on(tmp_path: Path, mailbox: DevMailbox) -> None:
    root = write_project(tmp_path, mailbox)
    with pytest.raises(AuthorizationError) as late:
        await authorize_connection(load_project(root, "dev"), "mail", show=lambda _: None, timeout=0.2)
    assert late.value.error == "timeout" and "--timeout" in late.value.message


async def code_for(url: str) -> dict[str, str]:
    """The redirect's query after "Allow", without following it."""
    visit = await consent(url, "allow", follow=False)
    assert visit.status == 303
    return {key: values[0] for key, values in parse_qs(urlsplit(visit.url).query).items()}


async def test_the_server_refuses_a_code_with_another_pkce_verifier(
    tmp_path: Path, mailbox: DevMailbox
) -> None:
    root = write_project(tmp_path, mailbox)
    mail = oauth2_connections(load_project(root, "dev"))["mail"]
    assert mail.connector.authorization is not None
    pending = start_authorization("mail", mail.connector.authorization, mail.settings, "http://127.0.0.1:1/")
    forged = dataclasses.replace(pending, verifier="x" * 64)
    query = await code_for(pending.consent_url)
    async with aiohttp.ClientSession() as session:
        with pytest.raises(AuthorizationError) as refused:
            await forged.complete(query, session)
        assert refused.value.error == "invalid_grant" and "PKCE" in refused.value.message
        # The code was spent by the refused attempt: the right verifier cannot use it either.
        with pytest.raises(AuthorizationError):
            await pending.complete(query, session)
        granted = await pending.complete(await code_for(pending.consent_url), session)
    assert granted.refresh_token is not None


async def test_a_redirect_with_another_state_is_refused_before_any_exchange(
    tmp_path: Path, mailbox: DevMailbox
) -> None:
    root = write_project(tmp_path, mailbox)
    mail = oauth2_connections(load_project(root, "dev"))["mail"]
    assert mail.connector.authorization is not None
    started = start_authorization("mail", mail.connector.authorization, mail.settings, "http://127.0.0.1:1/")
    other = start_authorization("mail", mail.connector.authorization, mail.settings, "http://127.0.0.1:1/")
    query = await code_for(other.consent_url)
    async with aiohttp.ClientSession() as session:
        with pytest.raises(AuthorizationError) as refused:
            await started.complete(query, session)
    assert refused.value.error == "state_mismatch"
    assert [r.grant_type for r in mailbox.token_requests] == []


def test_scopes_come_from_the_operations_the_project_runs_on_the_connection(tmp_path: Path) -> None:
    root = tmp_path
    (root / "interlace.toml").write_text('[project]\nname = "mail"\n')
    (root / "connections").mkdir()
    for name in ("mail", "other"):
        (root / f"connections/{name}.yaml").write_text(
            f"connection: {name}\nconnector: gmail\nclient-id: x\nclient-secret: s3cret\n"
        )
    (root / "sequences").mkdir()
    (root / "sequences/read.yaml").write_text(
        SEQUENCE + "  - gmail.listAllMails: {connection: mail}\n  - gmail.sendMail: {connection: other,"
        " to: a@example.com, subject: s, messageBody: b}\n"
    )
    project = load_project(root)
    mail = oauth2_connections(project)["mail"]
    scopes = scopes_used(project, "mail", mail.connector)
    assert scopes == (SEND, "https://www.googleapis.com/auth/gmail.readonly")
