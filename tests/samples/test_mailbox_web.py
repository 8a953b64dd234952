"""The development mailbox's web page, JSON API and client function, over real HTTP."""

from __future__ import annotations

import asyncio
import smtplib
import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from email.message import EmailMessage

import aiohttp
import pytest
from tests.support import START, deadline

from interlace.errors import EndpointError
from interlace.samples.mailbox import DevMailbox, fetch_messages, parse_mail, start_dev_mailbox

HOSTILE_SUBJECT = "<script>alert('x')</script> & more"


def send(port: int, subject: str = "Payment Status", html: str | None = None) -> None:
    mail = EmailMessage()
    mail["From"] = "payments@hospital.example"
    mail["To"] = "john.doe@example.com"
    mail["Subject"] = subject
    mail.set_content("Settled: 5600.0")
    if html is not None:
        mail.add_alternative(html, subtype="html")
    with smtplib.SMTP("127.0.0.1", port, timeout=5) as client:
        client.send_message(mail)


@pytest.fixture
async def mailbox() -> AsyncIterator[DevMailbox]:
    async with await start_dev_mailbox(port=0, smtp_port=0) as started:
        yield started


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as client:
        yield client


async def smtp(mailbox: DevMailbox, subject: str = "Payment Status", html: str | None = None) -> None:
    assert mailbox.smtp_port is not None
    await asyncio.to_thread(send, mailbox.smtp_port, subject, html)


async def get_text(session: aiohttp.ClientSession, url: str) -> tuple[int, str, aiohttp.ClientResponse]:
    async with session.get(url) as response:
        return response.status, await response.text(), response


async def test_index_lists_messages_newest_first_and_escapes_them(
    mailbox: DevMailbox, session: aiohttp.ClientSession
) -> None:
    await smtp(mailbox, "older")
    await smtp(mailbox, HOSTILE_SUBJECT)

    status, page, response = await get_text(session, mailbox.url + "/")

    assert status == 200
    assert response.content_type == "text/html"
    assert "script-src" not in response.headers["Content-Security-Policy"]
    assert "<script>" not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; more" in page
    assert page.index("&lt;script&gt;") < page.index("older")
    assert f"/messages/{mailbox.messages[0].id}" in page


async def test_message_page_shows_headers_bodies_and_escaped_html(
    mailbox: DevMailbox, session: aiohttp.ClientSession
) -> None:
    await smtp(mailbox, "Receipt", html='<p onclick="steal()">Paid</p><script>bad()</script>')
    [message] = mailbox.messages

    status, page, _ = await get_text(session, f"{mailbox.url}/messages/{message.id}")
    raw_status, raw, raw_response = await get_text(session, f"{mailbox.url}/messages/{message.id}/raw")

    assert status == 200
    assert "Settled: 5600.0" in page
    assert "<script>bad()</script>" not in page
    assert "&lt;script&gt;bad()&lt;/script&gt;" in page
    assert "sandbox=''" in page
    assert "john.doe@example.com" in page
    assert raw_status == 200
    assert raw_response.content_type == "message/rfc822"
    assert raw.encode() == message.raw


async def test_unknown_message_page_is_404(mailbox: DevMailbox, session: aiohttp.ClientSession) -> None:
    status, _, _ = await get_text(session, f"{mailbox.url}/messages/0000000000000000")
    api_status, _, _ = await get_text(session, f"{mailbox.url}/api/messages/0000000000000000")

    assert (status, api_status) == (404, 404)


async def test_json_api_lists_shows_and_clears(mailbox: DevMailbox, session: aiohttp.ClientSession) -> None:
    await smtp(mailbox)

    async with session.get(f"{mailbox.url}/api/messages") as response:
        listing = await response.json()
    [summary] = listing["messages"]
    async with session.get(f"{mailbox.url}/api/messages/{summary['id']}") as response:
        detail = await response.json()
    async with session.delete(f"{mailbox.url}/api/messages") as response:
        cleared = await response.json()

    assert listing["count"] == 1
    assert summary["subject"] == "Payment Status"
    assert summary["to"] == ["john.doe@example.com"]
    assert summary["text"].strip() == "Settled: 5600.0"
    assert "raw" not in summary
    assert "Subject: Payment Status" in detail["raw"]
    assert cleared == {"deleted": 1}
    assert mailbox.messages == []


async def test_fetch_messages_reads_a_running_mailbox(mailbox: DevMailbox) -> None:
    await smtp(mailbox, "first")
    await smtp(mailbox, "second")

    messages = await fetch_messages(mailbox.url + "/")

    assert [message["subject"] for message in messages] == ["second", "first"]


async def test_fetch_messages_names_an_unreachable_mailbox(unused_tcp_port: int) -> None:
    url = f"http://127.0.0.1:{unused_tcp_port}"
    with pytest.raises(EndpointError, match=url):
        await fetch_messages(url)


async def test_module_runs_the_mailbox_and_prints_where_it_listens() -> None:
    arguments = ["-m", "interlace.samples.mailbox", "--port", "0", "--smtp-port", "0"]
    process = await asyncio.create_subprocess_exec(sys.executable, *arguments, stdout=asyncio.subprocess.PIPE)
    try:
        assert process.stdout is not None
        async with deadline(START):
            first = (await process.stdout.readline()).decode()
            web = (await process.stdout.readline()).decode()
        assert first.startswith("development mailbox for ")
        url = web.split()[-1]
        assert await fetch_messages(url) == []
    finally:
        process.terminate()
        await process.wait()


def test_parsing_never_fails_on_a_malformed_message() -> None:
    raw = (
        b"From: not an address <<<\r\nTo: ,,,\r\nSubject: =?bogus?q?x?=\r\n"
        b"Content-Type: text/plain; charset=nope\r\n\r\n\xff\xfe body"
    )

    mail = parse_mail(
        raw,
        message_id="00000000000000aa",
        thread_id="00000000000000aa",
        received_at=datetime(2025, 6, 1, tzinfo=UTC),
        source="smtp",
        labels=("INBOX",),
        history_id=2,
        envelope_to=["x@example.com"],
    )

    assert mail.raw == raw
    assert mail.text is not None and "body" in mail.text
    assert mail.bcc == ("x@example.com",)
