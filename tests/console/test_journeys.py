"""The console's user journeys in a real headless Chromium (Debian's, driven by Playwright; no browser
is ever downloaded) over the healthcare example: logging in, finding the healthcare API, the stores and
processors, following the API's diagram to a called sequence, switching the payment processor off and
on, replaying a dead letter, and a monitor who cannot operate. Screenshots of the main pages go to build/screenshots/ for review.

Every wait is on a selector or a navigation, with Playwright's deadline; nothing sleeps."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, async_playwright, expect

from interlace.management import ManagementServer
from interlace.runtime import Runtime
from tests.console.conftest import DEAD_LETTER, PASSWORDS

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"
WAIT_MS = 30_000

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="needs Debian's chromium (apt-get install chromium)"
)


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield launched
        await launched.close()


@pytest.fixture
async def page(browser: Browser) -> AsyncIterator[Page]:
    context = await browser.new_context(viewport={"width": 1440, "height": 900})
    context.set_default_timeout(WAIT_MS)
    opened = await context.new_page()
    yield opened
    await context.close()


async def _screenshot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


async def _log_in(page: Page, server: ManagementServer, user: str) -> None:
    await page.goto(server.url + "/console/")
    await page.get_by_label("User name").fill(user)
    await page.get_by_label("Password").fill(PASSWORDS[user])
    await page.get_by_role("button", name="Log in").click()
    await expect(page.get_by_role("heading", name="Projects")).to_be_visible()


async def test_a_wrong_password_shows_an_error_then_the_right_one_logs_in(
    page: Page, healthcare_console: ManagementServer
) -> None:
    await page.goto(healthcare_console.url + "/console/")
    await page.get_by_label("User name").fill("admin")
    await page.get_by_label("Password").fill("not-the-password")
    await page.get_by_role("button", name="Log in").click()
    await expect(page.locator("#login-error")).to_have_text("wrong user name or password")
    await _screenshot(page, "login-refused")
    await page.get_by_label("Password").fill(PASSWORDS["admin"])
    await page.get_by_role("button", name="Log in").click()
    await expect(page.get_by_role("link", name="healthcare")).to_be_visible()
    await _screenshot(page, "projects")


async def test_logging_in_and_reaching_a_project_with_the_keyboard_only(
    page: Page, healthcare_console: ManagementServer
) -> None:
    await page.goto(healthcare_console.url + "/console/")
    await expect(page.get_by_label("User name")).to_be_focused()
    await page.keyboard.type("watcher")
    await page.keyboard.press("Tab")
    await page.keyboard.type(PASSWORDS["watcher"])
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("heading", name="Projects")).to_be_visible()
    project = page.get_by_role("link", name="healthcare")
    for _ in range(10):  # skip link, brand, navigation, log out, then the project
        await page.keyboard.press("Tab")
        if await project.evaluate("link => link === document.activeElement"):
            break
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("heading", name="healthcare")).to_be_visible()


async def test_finding_the_healthcare_api_its_stores_and_processors(
    page: Page, healthcare_console: ManagementServer
) -> None:
    await _log_in(page, healthcare_console, "watcher")
    await page.get_by_role("link", name="healthcare").click()
    await expect(page.get_by_role("link", name="HealthcareAPI")).to_be_visible()
    await expect(page.locator("#store-PaymentDeadLetterStore .depth")).to_have_text("1")
    await expect(page.locator("#processor-PaymentRequestProcessor")).to_contain_text(
        "PaymentRequestMessageStore"
    )
    await _screenshot(page, "project")
    await page.get_by_role("link", name="HealthcareAPI").click()
    await expect(page.get_by_role("heading", name="HealthcareAPI")).to_be_visible()
    await expect(page.locator("td.methods").first).to_be_visible()
    await _screenshot(page, "api")


async def test_the_healthcare_api_diagram_leads_to_a_called_sequence(
    page: Page, healthcare_console: ManagementServer
) -> None:
    await _log_in(page, healthcare_console, "watcher")
    await page.get_by_role("link", name="healthcare").click()
    await page.get_by_role("link", name="HealthcareAPI").click()
    reserve = page.locator('svg[data-flow="HealthcareAPI/categories/{category}/reserve"]')
    await expect(reserve).to_be_visible()
    # The diagram's own stylesheet applies (allowed by its hash in the Content-Security-Policy).
    stroke = await reserve.locator(".node rect").first.evaluate("rect => getComputedStyle(rect).strokeWidth")
    assert stroke == "1.5px"
    caller = reserve.locator('.node[data-link="sequence:RejectBackendStatus"]').first
    await caller.click()
    details = page.locator(".node-details:visible")
    await expect(details).to_contain_text("apis/healthcare.yaml:")
    await _screenshot(page, "api-diagram")
    await details.get_by_role("link", name="Open the sequence RejectBackendStatus").click()
    await expect(page.get_by_role("heading", name="RejectBackendStatus")).to_be_visible()
    await expect(page.locator('svg[data-flow="sequence:RejectBackendStatus"] .node').first).to_be_visible()
    await page.go_back()
    await reserve.locator('.node[data-link="sequence:RejectBackendStatus"]').last.focus()
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("heading", name="RejectBackendStatus")).to_be_visible()


async def test_deactivating_and_reactivating_the_payment_processor(
    page: Page, healthcare_console: ManagementServer, running: tuple[Runtime, object]
) -> None:
    runtime, _ = running
    await _log_in(page, healthcare_console, "operator")
    await page.get_by_role("link", name="healthcare").click()
    row = page.locator("#processor-PaymentRequestProcessor")
    await expect(row.locator(".status")).to_have_text("active")
    await row.get_by_role("button", name="Deactivate").click()
    await expect(page.get_by_role("status")).to_contain_text("processor PaymentRequestProcessor deactivated")
    await expect(row.locator(".status")).to_have_text("inactive")
    assert runtime.services.state("processor", "PaymentRequestProcessor").status == "inactive"
    await _screenshot(page, "processor-deactivated")
    await row.get_by_role("button", name="Activate").click()
    await expect(page.get_by_role("status")).to_contain_text("processor PaymentRequestProcessor activated")
    await expect(row.locator(".status")).to_have_text("active")


async def test_the_live_state_refreshes_without_reloading_the_page(
    page: Page, healthcare_console: ManagementServer, running: tuple[Runtime, object]
) -> None:
    runtime, _ = running
    await _log_in(page, healthcare_console, "watcher")
    await page.get_by_role("link", name="healthcare").click()
    await expect(page.locator("#store-PaymentDeadLetterStore .depth")).to_have_text("1")
    await page.evaluate("window.notReloaded = true")
    await runtime.message_store("PaymentDeadLetterStore").purge()
    await expect(page.locator("#store-PaymentDeadLetterStore .depth")).to_have_text("0")
    assert await page.evaluate("window.notReloaded") is True


async def test_browsing_the_dead_letters_and_replaying_one(
    page: Page, healthcare_console: ManagementServer, running: tuple[Runtime, object]
) -> None:
    runtime, _ = running
    await runtime.services.deactivate("processor", "PaymentRequestProcessor")  # the replayed one stays
    await _log_in(page, healthcare_console, "operator")
    await page.goto(healthcare_console.url + "/console/stores/PaymentDeadLetterStore")
    await page.get_by_role("link", name=DEAD_LETTER.id).click()
    await expect(page.get_by_label("Payload")).to_have_value(DEAD_LETTER.payload.decode())
    await expect(page.locator(".facts")).to_contain_text("the back-end refused the payment")
    await _screenshot(page, "dead-letter")
    await page.get_by_role("button", name="Replay").click()
    await expect(page.get_by_role("status")).to_contain_text(f"message {DEAD_LETTER.id} replayed")
    await expect(page.locator("#messages")).to_contain_text("The store is empty.")
    [replayed] = await runtime.message_store("PaymentRequestMessageStore").browse()
    assert (replayed.id, replayed.attempts) == (DEAD_LETTER.id, 0)


async def test_purging_a_store_asks_for_a_confirmation_first(
    page: Page, healthcare_console: ManagementServer, running: tuple[Runtime, object]
) -> None:
    runtime, _ = running
    await _log_in(page, healthcare_console, "admin")
    await page.goto(healthcare_console.url + "/console/stores/PaymentDeadLetterStore")
    await page.get_by_role("link", name="Purge…").click()
    await expect(page.get_by_role("heading", name="Purge PaymentDeadLetterStore?")).to_be_visible()
    assert await runtime.message_store("PaymentDeadLetterStore").size() == 1
    await page.locator("#confirm").click()
    await expect(page.get_by_role("status")).to_contain_text("store PaymentDeadLetterStore purged")
    assert await runtime.message_store("PaymentDeadLetterStore").size() == 0


async def test_a_viewer_sees_but_cannot_operate(page: Page, healthcare_console: ManagementServer) -> None:
    await _log_in(page, healthcare_console, "watcher")
    await page.get_by_role("link", name="healthcare").click()
    await expect(page.locator("#processor-PaymentRequestProcessor")).to_be_visible()
    await expect(page.get_by_role("button", name="Deactivate")).to_have_count(0)
    await expect(page.get_by_role("button", name="Roll back to the previous version")).to_have_count(0)
    await page.goto(
        healthcare_console.url + "/console/stores/PaymentDeadLetterStore/messages/" + DEAD_LETTER.id
    )
    await expect(page.get_by_role("button", name="Replay")).to_have_count(0)
    await expect(page.locator(".payload")).to_contain_text("appointmentNumber")


async def test_changing_a_log_level_and_following_the_log(
    page: Page, healthcare_console: ManagementServer
) -> None:
    logger = logging.getLogger("interlace.management")
    level = logger.level
    try:
        await _log_in(page, healthcare_console, "admin")
        await page.get_by_role("link", name="Logs").click()
        select = page.get_by_label("Level of interlace.management", exact=True)
        await select.select_option("DEBUG")
        await page.locator("form", has=select).get_by_role("button", name="Set").click()
        await expect(page.get_by_role("status")).to_contain_text(
            "logger interlace.management now logs at DEBUG"
        )
        await expect(page.locator("#log")).to_contain_text(
            "set the level of logger interlace.management to DEBUG"
        )
        await _screenshot(page, "logs")
    finally:
        logger.setLevel(level)
