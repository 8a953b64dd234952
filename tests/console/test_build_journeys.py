"""The console's journeys that trace a message and build a flow, in a real headless Chromium (Debian's,
driven by Playwright; no browser is ever downloaded) over the healthcare example: tracing a reserve
request and finding the payment processor's delivery of it, adding a `log` step through its form and
seeing the redeployed flow log it, and deploying a bundle uploaded in the console. Screenshots go to
build/screenshots/ for review (the step form in the dark scheme too).

Every wait is on a selector, a navigation or an event, with a deadline; nothing sleeps."""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path

import aiohttp
import pytest
from playwright.async_api import Page, expect

from interlace.management import ManagementServer
from interlace.observability.tracing import MESSAGE_TRACER
from interlace.runtime import Runtime
from interlace.runtime.bundles import build_bundle
from interlace.samples.mailbox import DevMailbox
from tests.console.test_journeys import CHROMIUM, _log_in, _screenshot, browser, page
from tests.examples.conftest import Backend, prod_env
from tests.observability.test_message_traces import tracer
from tests.support import eventually

__all__ = ["browser", "page", "tracer"]  # fixtures: the browser, its page, no trace kept across tests

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="needs Debian's chromium (apt-get install chromium)"
)
EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "healthcare"
RESERVE = "/healthcare/categories/surgery/reserve"


async def test_tracing_a_reserve_request_and_finding_its_settlement(
    page: Page,
    healthcare_console: ManagementServer,
    running: tuple[Runtime, aiohttp.ClientSession],
    backend: Backend,
) -> None:
    _, client = running
    await _log_in(page, healthcare_console, "admin")
    await page.get_by_role("link", name="healthcare").click()
    await page.get_by_role("link", name="HealthcareAPI").click()
    await expect(page.locator("#tracing")).to_contain_text("Message tracing is off")
    await page.get_by_role("button", name="Trace messages").click()
    await expect(page.get_by_role("status")).to_contain_text("message tracing on for HealthcareAPI")
    await expect(page.locator("#tracing")).to_contain_text("Message tracing is on")

    request = json.loads((EXAMPLE / "request.json").read_text())
    async with client.post(
        RESERVE, json=request, headers={"X-Correlation-ID": "reserve-journey-1"}
    ) as answer:
        assert answer.status == 200
    await backend.settled(1)

    def delivered() -> bool:
        found = MESSAGE_TRACER.find(correlation_id="reserve-journey-1", kind="processor", name=None, limit=5)
        return bool(found) and found[0].outcome != "running"

    await eventually(delivered, what="the processor's delivery is traced")

    await page.reload()
    choice = page.get_by_label("Message trace")
    option = choice.locator("option", has_text="reserve-journey-1")
    await choice.select_option(value=await option.get_attribute("value"))
    await page.get_by_role("button", name="Lay over the diagram").click()
    reserve = page.locator('svg[data-flow="HealthcareAPI/categories/{category}/reserve"]')
    await expect(reserve.locator('.node.state-visited[data-kind="store"]')).to_have_count(1)
    joined = page.locator("#joined-traces")
    await expect(joined).to_contain_text("reserve-journey-1")
    delivery = joined.get_by_role("link", name="processor PaymentRequestProcessor")
    await expect(delivery).to_be_visible()
    await _screenshot(page, "trace-reserve")

    await delivery.click()
    await expect(page.get_by_role("heading", name="PaymentRequestProcessingSequence")).to_be_visible()
    settle = page.locator('svg[data-flow="sequence:PaymentRequestProcessingSequence"]')
    await expect(settle.locator('.node.state-visited[data-kind="call"]')).to_have_count(1)
    await expect(page.locator("#joined-traces")).to_contain_text("api HealthcareAPI")
    await _screenshot(page, "trace-settlement")


async def test_adding_a_log_step_through_its_form_and_seeing_the_redeployed_flow_log_it(
    page: Page,
    healthcare_console: ManagementServer,
    running: tuple[Runtime, aiohttp.ClientSession],
    caplog: pytest.LogCaptureFixture,
) -> None:
    runtime, client = running
    await _log_in(page, healthcare_console, "admin")
    await page.get_by_role("link", name="healthcare").click()
    await page.get_by_role("link", name="HealthcareAPI").click()
    doctors = page.locator('svg[data-flow="HealthcareAPI/querydoctor/{category}"]')
    await doctors.locator('.node[data-kind="call"]').focus()  # with the keyboard: Enter, Tab, Enter
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("link", name="Change this step")).to_be_focused()
    await page.keyboard.press("Tab")
    await expect(page.get_by_role("link", name="Add a step after it")).to_be_focused()
    await page.keyboard.press("Enter")

    await expect(page.get_by_role("heading", name="Add a step at apis/healthcare.yaml")).to_be_visible()
    await page.get_by_label("Kind of step").fill("log")
    await page.get_by_role("button", name="Show its form").click()
    await page.get_by_label("message").fill("Doctors of ${params.pathParams.category} found")
    await page.get_by_label("level").select_option("warning")
    await _screenshot(page, "add-log-step")
    await page.emulate_media(color_scheme="dark")
    await _screenshot(page, "add-log-step-dark")
    await page.emulate_media(color_scheme="light")
    await page.get_by_role("button", name="Add, check and redeploy").click()

    await expect(page.get_by_role("status")).to_contain_text("log step added at apis/healthcare.yaml:11")
    await expect(page.get_by_role("status")).to_contain_text("redeployed")
    await expect(doctors.locator('.node[data-kind="log"]')).to_have_count(2)
    source = (runtime.deployments.active("healthcare").root / "apis" / "healthcare.yaml").read_text()
    assert "      - call: QueryDoctorEP\n      - log:\n" in source
    assert "# 1. Keep what later steps need" in source  # the file's comments are kept

    with caplog.at_level(logging.WARNING, logger="interlace.flow"):
        async with client.get("/healthcare/querydoctor/surgery") as answer:
            assert answer.status == 200
    assert "Doctors of surgery found" in caplog.text
    await page.get_by_role("link", name="Logs").click()
    await expect(page.locator("#log")).to_contain_text("Doctors of surgery found")
    await _screenshot(page, "logged-by-the-added-step")


async def test_deploying_a_bundle_uploaded_in_the_console(
    page: Page,
    healthcare_console: ManagementServer,
    running: tuple[Runtime, aiohttp.ClientSession],
    example: Path,
    backend: Backend,
    mailbox: DevMailbox,
    tmp_path: Path,
) -> None:
    runtime, _ = running
    source = Path(shutil.copytree(example, tmp_path / "next"))
    toml = source / "interlace.toml"
    toml.write_text(toml.read_text().replace('version = "1.0.0"', 'version = "1.1.0"', 1))
    bundle = build_bundle(source, tmp_path / "dist", profile="prod", env=prod_env(backend.url, mailbox))
    await _log_in(page, healthcare_console, "admin")
    await page.locator("#bundle").set_input_files(str(bundle))
    await page.get_by_role("button", name="Deploy", exact=True).click()
    await expect(page.get_by_role("status")).to_contain_text("healthcare 1.1.0 deployed and active")
    await expect(page.get_by_role("row", name="healthcare")).to_contain_text("1.1.0")
    assert runtime.deployments.active("healthcare").version == "1.1.0"
    await _screenshot(page, "bundle-deployed")
