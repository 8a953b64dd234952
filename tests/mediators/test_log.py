"""The log mediator: level, category, message template, headers and the full message."""

from __future__ import annotations

import logging

import pytest

from .conftest import CompileFlows
from .harness import message


async def test_log_writes_the_rendered_message_at_its_level(
    compile_flows: CompileFlows, caplog: pytest.LogCaptureFixture
) -> None:
    flows = compile_flows(flow='- log: {level: warning, message: "hello ${payload.name}, ${vars.n}"}')
    caplog.set_level(logging.DEBUG, logger="interlace.flow")
    ctx = message({"name": "Ada"}, variables={"n": 3})
    await flows.run(ctx)
    [record] = [r for r in caplog.records if r.name == "interlace.flow"]
    assert record.levelno == logging.WARNING
    assert record.getMessage() == "hello Ada, 3"
    assert record.correlation_id == ctx.correlation_id  # type: ignore[attr-defined]


async def test_log_shorthand_is_an_info_message(
    compile_flows: CompileFlows, caplog: pytest.LogCaptureFixture
) -> None:
    flows = compile_flows(flow='- log: "got ${payload.id}"')
    caplog.set_level(logging.INFO, logger="interlace.flow")
    await flows.run(message({"id": 7}))
    assert [(r.levelno, r.getMessage()) for r in caplog.records] == [(logging.INFO, "got 7")]


async def test_log_goes_to_its_category_and_is_skipped_below_the_logger_level(
    compile_flows: CompileFlows, caplog: pytest.LogCaptureFixture
) -> None:
    flows = compile_flows(
        flow="""
        - log: {level: debug, message: quiet, category: orders.audit}
        - log: {level: error, message: loud, category: orders.audit}
        """
    )
    caplog.set_level(logging.INFO, logger="orders.audit")
    await flows.run()
    assert [(r.name, r.levelname, r.getMessage()) for r in caplog.records] == [
        ("orders.audit", "ERROR", "loud")
    ]


async def test_log_with_headers_appends_them(
    compile_flows: CompileFlows, caplog: pytest.LogCaptureFixture
) -> None:
    flows = compile_flows(flow="- log: {message: in, headers: true}")
    caplog.set_level(logging.INFO, logger="interlace.flow")
    await flows.run(message({"a": 1}, headers={"X-One": "1", "Accept": "text/plain"}))
    assert caplog.records[0].getMessage() == "in | headers=X-One: 1, Accept: text/plain"


async def test_log_full_appends_headers_and_payload_text(
    compile_flows: CompileFlows, caplog: pytest.LogCaptureFixture
) -> None:
    flows = compile_flows(flow="- log: {full: true}")
    caplog.set_level(logging.INFO, logger="interlace.flow")
    await flows.run(message({"a": [1, 2]}, headers={"X-One": "1"}))
    assert caplog.records[0].getMessage() == 'headers=X-One: 1 | payload={"a":[1,2]}'


async def test_log_full_shows_a_binary_payload_by_its_size(
    compile_flows: CompileFlows, caplog: pytest.LogCaptureFixture
) -> None:
    flows = compile_flows(flow="- log: {message: bytes, full: true}")
    caplog.set_level(logging.INFO, logger="interlace.flow")
    await flows.run(message(text="\x00\x01", content_type="application/octet-stream"))
    assert (
        caplog.records[0].getMessage()
        == "bytes | headers= | payload=Payload(application/octet-stream, 2 bytes)"
    )
