"""Log levels changed at run time, and the recent log lines the management server keeps."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from interlace.management import RecentLogs
from tests.management.conftest import Managed


@pytest.fixture(autouse=True)
def keep_levels() -> Iterator[None]:
    names = ["interlace.processors", "interlace.not-yet-logging"]
    levels = {name: logging.getLogger(name).level for name in names}
    yield
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)


async def test_loggers_are_listed_with_their_levels(managed: Managed, monitor: str) -> None:
    items = (await managed.call("GET", "/management/logging", token=monitor)).json["items"]
    names = [item["name"] for item in items]
    assert "root" in names
    assert "interlace.management" in names
    assert all(
        name == "root" or name.startswith("interlace") or item["level"] != "NOTSET"
        for name, item in zip(names, items, strict=True)
    )
    root = (await managed.call("GET", "/management/logging/root", token=monitor)).json
    assert root["level"] == logging.getLevelName(logging.getLogger().level)


async def test_a_loggers_level_is_changed_at_run_time(managed: Managed, admin: str) -> None:
    changed = await managed.call(
        "PUT", "/management/logging/interlace.processors", token=admin, json={"level": "WARNING"}
    )
    assert changed.json == {"name": "interlace.processors", "level": "WARNING", "effectiveLevel": "WARNING"}
    assert logging.getLogger("interlace.processors").level == logging.WARNING
    back = await managed.call(
        "PUT", "/management/logging/interlace.processors", token=admin, json={"level": "NOTSET"}
    )
    assert back.json["level"] == "NOTSET"


async def test_a_level_is_set_for_an_interlace_logger_that_has_not_logged_yet(
    managed: Managed, admin: str
) -> None:
    answer = await managed.call(
        "PUT", "/management/logging/interlace.not-yet-logging", token=admin, json={"level": "DEBUG"}
    )
    assert answer.status == 200
    assert logging.getLogger("interlace.not-yet-logging").level == logging.DEBUG


async def test_unknown_loggers_and_levels_are_refused(managed: Managed, admin: str) -> None:
    unknown = await managed.call(
        "PUT", "/management/logging/some.library", token=admin, json={"level": "DEBUG"}
    )
    assert unknown.status == 404
    assert (await managed.call("GET", "/management/logging/some.library", token=admin)).status == 404
    assert "some.library" not in logging.root.manager.loggerDict
    bad = await managed.call("PUT", "/management/logging/interlace", token=admin, json={"level": "LOUD"})
    assert bad.status == 400
    assert bad.json["error"]["message"].startswith("body/level: 'LOUD' is not one of")
    root = await managed.call("PUT", "/management/logging/root", token=admin, json={"level": "NOTSET"})
    assert root.status == 400


async def test_recent_log_lines_are_shown_oldest_first_and_filtered(managed: Managed, admin: str) -> None:
    logging.getLogger("interlace.flow").warning("order %s refused", 7, extra={"correlation_id": "c-7"})
    logging.getLogger("interlace.flow").info("order %s accepted", 8)
    logging.getLogger("interlace.stores").error("store down")
    lines = (await managed.call("GET", "/management/logs", token=admin, params={"level": "WARNING"})).json[
        "items"
    ]
    assert [(line["logger"], line["level"], line["message"]) for line in lines] == [
        ("interlace.flow", "WARNING", "order 7 refused"),
        ("interlace.stores", "ERROR", "store down"),
    ]
    assert lines[0]["correlationId"] == "c-7"
    flow = (
        await managed.call(
            "GET", "/management/logs", token=admin, params={"logger": "interlace.flow", "limit": "1"}
        )
    ).json
    assert [line["message"] for line in flow["items"]] == ["order 8 accepted"]


def test_the_ring_buffer_keeps_the_newest_lines_and_exception_text_without_traceback() -> None:
    logs = RecentLogs(capacity=2)
    logger = logging.getLogger("interlace.test-ring")
    logger.addHandler(logs)
    try:
        logger.warning("one")
        logger.warning("two")
        try:
            raise ValueError("broken")
        except ValueError:
            logger.exception("three")
    finally:
        logger.removeHandler(logs)
    assert [line.message for line in logs.lines()] == ["two", "three | ValueError: broken"]


async def test_the_log_handler_is_removed_when_the_server_stops(managed: Managed) -> None:
    assert managed.server.logs in logging.getLogger().handlers
    await managed.server.aclose()
    assert managed.server.logs not in logging.getLogger().handlers


def test_recent_lines_hold_control_characters_escaped() -> None:
    logs = RecentLogs(capacity=2)
    logger = logging.getLogger("interlace.test-ring")
    logger.addHandler(logs)
    try:
        logger.warning("path /x\n\x1b[2Jforged", extra={"correlation_id": "c\r"})
    finally:
        logger.removeHandler(logs)
    [line] = logs.lines()
    assert (line.message, line.correlation_id) == ("path /x\\n\\x1b[2Jforged", "c\\r")


async def test_a_follower_gets_only_the_lines_after_the_last_it_saw(managed: Managed, monitor: str) -> None:
    probe = logging.getLogger("interlace.follow.probe")
    probe.warning("one")
    query = {"logger": "interlace.follow.probe"}
    seen = (await managed.call("GET", "/management/logs", token=monitor, params=query)).json["items"]
    assert [item["message"] for item in seen] == ["one"]
    probe.warning("two")
    probe.warning("three")
    after = {**query, "after": str(seen[-1]["seq"])}
    newer = (await managed.call("GET", "/management/logs", token=monitor, params=after)).json["items"]
    assert [item["message"] for item in newer] == ["two", "three"]
    assert newer[0]["seq"] > seen[-1]["seq"]
