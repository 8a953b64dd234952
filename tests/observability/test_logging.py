"""Log formats: a record is one line, whatever control characters its values hold."""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Iterator

import orjson
import pytest

from interlace.observability.logging import (
    configure_logging,
    enter_log_scope,
    escape_control,
    leave_log_scope,
    set_trace_id_source,
)
from tests.conftest import RAW_CONTROL, raw_controls

TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} ")

HOSTILE = "a\nb\r\x00\x1b[31m\x7f\x85\u2028z"


def test_control_characters_are_escaped_and_printable_text_kept() -> None:
    assert escape_control(HOSTILE) == "a\\nb\\r\\x00\\x1b[31m\\x7f\\x85\\u2028z"
    assert escape_control("héllo wörld / ok") == "héllo wörld / ok"


@pytest.fixture
def written() -> Iterator[io.StringIO]:
    stream = io.StringIO()
    level = logging.getLogger().level
    yield stream
    logging.getLogger().setLevel(level)
    for handler in list(logging.getLogger().handlers):
        if getattr(handler, "_interlace", False):
            logging.getLogger().removeHandler(handler)


def _log_hostile() -> None:
    log = logging.getLogger("interlace.test.hostile")
    log.warning(
        "path %s", "/x\n2026-01-01 INFO interlace.management.audit forged", extra={"correlation_id": "c\r\n"}
    )
    try:
        raise ValueError("bad\nINFO forged from an exception")
    except ValueError:
        log.exception("failed with %s", HOSTILE)


def test_text_logs_hold_one_line_per_record_and_tracebacks_indented(written: io.StringIO) -> None:
    configure_logging("INFO", stream=written)
    _log_hostile()
    lines = written.getvalue().splitlines()
    records = [line for line in lines if not line.startswith(" ")]
    assert len(records) == 2
    assert "forged" in records[0] and "\\n" in records[0] and "[c\\r\\n]" in records[0]
    assert any("INFO forged from an exception" in line for line in lines[2:])
    assert not [line for line in lines if RAW_CONTROL.search(line)]
    assert all(line.startswith(" ") or TIMESTAMP.match(line) for line in lines)


def test_json_logs_hold_one_object_per_line_with_values_escaped(written: io.StringIO) -> None:
    configure_logging("INFO", "json", stream=written)
    _log_hostile()
    lines = written.getvalue().splitlines()
    assert len(lines) == 2
    first, second = (orjson.loads(line) for line in lines)
    assert first["message"].startswith("path /x\\n2026")
    assert first["correlationId"] == "c\\r\\n"
    assert "Traceback" in second["exception"] and "\\x1b" in second["message"]


def test_the_guard_recognises_a_raw_control_character_and_an_unindented_continuation() -> None:
    assert raw_controls("a\x1b[31m") == ["a\x1b[31m"]
    assert raw_controls("record\nforged line") == ["forged line"]
    assert raw_controls("record\n  Traceback") == []


def test_json_lines_carry_the_flows_correlation_id_artifact_and_trace_id(written: io.StringIO) -> None:
    configure_logging("INFO", "json", stream=written)
    log = logging.getLogger("interlace.test.scope")
    log.info("outside any flow")
    scope = enter_log_scope("c-7", "OrdersAPI")
    set_trace_id_source(lambda: "4bf92f3577b34da6a3ce929d0e0e4736")
    try:
        log.info("inside the flow")
        log.info("own id wins", extra={"correlation_id": "c-own"})
    finally:
        set_trace_id_source(None)
        leave_log_scope(scope)
    log.info("after the flow")
    outside, inside, own, after = (orjson.loads(line) for line in written.getvalue().splitlines())
    assert set(outside) == {"time", "level", "logger", "correlationId", "message"}
    assert outside["correlationId"] == "-" and outside["level"] == "INFO"
    assert outside["logger"] == "interlace.test.scope"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", outside["time"])
    assert inside["correlationId"] == "c-7" and inside["artifact"] == "OrdersAPI"
    assert inside["traceId"] == "4bf92f3577b34da6a3ce929d0e0e4736"
    assert own["correlationId"] == "c-own" and own["artifact"] == "OrdersAPI"
    assert "artifact" not in after and "traceId" not in after
