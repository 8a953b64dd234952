"""The flow diagrams in the console, without a browser: drawn by the management API, placed inline in
the API's and the sequence's pages, with a kept message trace laid over them on demand."""

from __future__ import annotations

import base64
import hashlib
import re

from interlace.message import MessageContext
from interlace.observability.tracing import MESSAGE_TRACER
from tests.console.conftest import Browserless
from tests.management.conftest import Managed
from tests.observability.test_message_traces import tracer

__all__ = ["tracer"]  # autouse: no message traced before or after each test

PROJECT_PAGE = "/console/projects/shop"


async def test_the_api_page_draws_each_resource_with_its_nodes(client: Browserless) -> None:
    await client.login("watcher")
    page = await client.get(PROJECT_PAGE + "/apis/OrdersAPI")
    assert page.status == 200
    assert page.text.count("<svg") == 2
    assert 'data-flow="OrdersAPI/{id}"' in page.text and 'data-flow="OrdersAPI/"' in page.text
    assert 'data-kind="store"' in page.text
    assert 'data-location="apis/orders.yaml:7"' in page.text
    ids = re.findall(r' id="([^"]+)"', page.text)
    assert len(ids) == len(set(ids)), "two diagrams in one page keep their element ids apart"


async def test_a_sequence_is_linked_from_the_project_and_drawn_on_its_page(client: Browserless) -> None:
    await client.login("watcher")
    project = await client.get(PROJECT_PAGE)
    assert f'href="{PROJECT_PAGE}/sequences/Audit"' in project.text
    page = await client.get(PROJECT_PAGE + "/sequences/Audit")
    assert page.status == 200
    assert 'data-flow="sequence:Audit"' in page.text and page.text.count('data-kind="log"') == 2
    missing = await client.get(PROJECT_PAGE + "/sequences/Audi")
    assert missing.status == 404
    assert "did you mean" in missing.text


async def test_a_kept_trace_is_chosen_and_laid_over_the_diagram(shop: Managed, client: Browserless) -> None:
    MESSAGE_TRACER.switch("sequence", "Audit", True)
    assert await shop.runtime.artifacts.sequences["Audit"].mediate(MessageContext(correlation_id="c0ffee"))
    await client.login("watcher")
    page = await client.get(PROJECT_PAGE + "/sequences/Audit")
    [number] = re.findall(r'<option value="(\d+)"', page.text)
    assert "c0ffee" in page.text and "data-steps=" not in page.text
    traced = await client.get(f"{PROJECT_PAGE}/sequences/Audit?trace={number}")
    assert "interlace-diagram traced" in traced.text and traced.text.count("data-steps=") == 2


async def test_the_diagrams_stylesheet_is_allowed_by_its_hash_and_nothing_else_inline(
    shop: Managed, client: Browserless
) -> None:
    await client.login("watcher")
    async with client.session.get(PROJECT_PAGE + "/sequences/Audit") as answer:
        policy = answer.headers["Content-Security-Policy"]
        text = await answer.text()
    [style] = re.findall(r"<style>(.*?)</style>", text, re.DOTALL)
    digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
    assert f"style-src 'self' 'sha256-{digest}'" in policy
    assert " style=" not in text and "<script>" not in text
