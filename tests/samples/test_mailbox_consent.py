"""The development mailbox's authorization endpoint and its authorization_code grant, over real HTTP:
what a browser and a client see, as Google shows it."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import AsyncIterator
from urllib.parse import parse_qs, urlencode, urlsplit

import aiohttp
import pytest
from tests.connections.consent_browser import consent

from interlace.samples.mailbox import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, DevMailbox, start_dev_mailbox

VERIFIER = "v" * 50
REDIRECT = "http://127.0.0.1:5/back"


def challenge(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


@pytest.fixture
async def mailbox() -> AsyncIterator[DevMailbox]:
    async with await start_dev_mailbox(port=0, smtp_port=None) as running:
        yield running


def consent_url(mailbox: DevMailbox, **changes: str) -> str:
    query = {
        "response_type": "code",
        "client_id": DEFAULT_CLIENT_ID,
        "redirect_uri": REDIRECT,
        "scope": "https://www.googleapis.com/auth/gmail.send",
        "state": "st4te",
        "code_challenge": challenge(VERIFIER),
        "code_challenge_method": "S256",
        **changes,
    }
    return f"{mailbox.authorization_url}?{urlencode(query)}"


def redirected(location: str) -> dict[str, str]:
    assert location.startswith(REDIRECT), location
    return {key: values[0] for key, values in parse_qs(urlsplit(location).query).items()}


async def exchange(mailbox: DevMailbox, code: str, **changes: str) -> tuple[int, dict[str, str]]:
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": REDIRECT,
        "client_id": DEFAULT_CLIENT_ID,
        "client_secret": DEFAULT_CLIENT_SECRET,
        "code_verifier": VERIFIER,
        **changes,
    }
    async with aiohttp.ClientSession() as session, session.post(mailbox.token_url, data=form) as answer:
        return answer.status, await answer.json()


async def test_allow_redirects_with_a_code_that_works_once_with_its_verifier(mailbox: DevMailbox) -> None:
    visit = await consent(consent_url(mailbox), "allow", follow=False)
    back = redirected(visit.url)
    assert back["state"] == "st4te" and back["code"].startswith("dev-code-")
    status, tokens = await exchange(mailbox, back["code"])
    assert status == 200 and tokens["refresh_token"].startswith("dev-rt-")
    assert tokens["scope"] == "https://www.googleapis.com/auth/gmail.send"
    status, again = await exchange(mailbox, back["code"])
    assert (status, again["error"]) == (400, "invalid_grant")


async def test_the_token_endpoint_checks_the_verifier_and_the_redirect_uri(mailbox: DevMailbox) -> None:
    code = redirected((await consent(consent_url(mailbox), "allow", follow=False)).url)["code"]
    status, refused = await exchange(mailbox, code, code_verifier="w" * 50)
    assert (status, refused["error"], refused["error_description"]) == (
        400,
        "invalid_grant",
        "Invalid code verifier.",
    )
    code = redirected((await consent(consent_url(mailbox), "allow", follow=False)).url)["code"]
    status, refused = await exchange(mailbox, code, redirect_uri="http://127.0.0.1:6/back")
    assert (status, refused["error"]) == (400, "redirect_uri_mismatch")


async def test_deny_redirects_with_access_denied_and_the_state(mailbox: DevMailbox) -> None:
    back = redirected((await consent(consent_url(mailbox), "deny", follow=False)).url)
    assert back == {
        "error": "access_denied",
        "error_description": "The user denied access.",
        "state": "st4te",
    }


async def test_a_redirect_uri_that_is_not_loopback_or_an_unknown_client_stays_on_the_page(
    mailbox: DevMailbox,
) -> None:
    async with aiohttp.ClientSession() as browser:
        for changes in ({"redirect_uri": "http://example.com/back"}, {"client_id": "stranger"}):
            async with browser.get(consent_url(mailbox, **changes), allow_redirects=False) as page:
                assert page.status == 400 and "Error 400" in await page.text()


async def test_a_consent_request_without_pkce_is_sent_back_as_invalid_request(mailbox: DevMailbox) -> None:
    async with aiohttp.ClientSession() as browser:
        url = consent_url(mailbox, code_challenge_method="plain")
        async with browser.get(url, allow_redirects=False) as page:
            assert page.status == 303
            back = redirected(page.headers["Location"])
    assert back["error"] == "invalid_request" and back["state"] == "st4te"
