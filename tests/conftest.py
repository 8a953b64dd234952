"""Suite-wide guards on every log line: no secret that the tests use ever reaches one, and no line
written by Interlace's formatters holds a raw control character.

Every record logged anywhere during the run (at every level, by Interlace and by the libraries it
uses) is checked for the credentials the tests give connections, connectors and servers, and is
written with the text and the JSON formats of ``interlace.observability``: a record must come out as
one line (a traceback on following lines that start with a space) with every control character
escaped, whatever hostile values the tests sent. One found fails the run, naming the logger and the
line. Under xdist each worker watches its own records and hands what it found to the controlling
process, which reports for the whole run.

The servers the tests start (``interlace run``) run as one process unless a test asks for workers
(``INTERLACE_WORKERS=1``; ``--workers N`` overrides it).

Also: a test marked ``needs(SERVICE, ...)`` is marked ``services`` too (``-m "not services"`` leaves it
out), and fails at once when a service it needs does not answer (see :mod:`tests.addresses`); the Kafka
broker and the SQS server, when the environment names none, are started once per session: once per
xdist worker, each on ports of its own.
"""

from __future__ import annotations

import logging
import os
import re
import traceback
from collections.abc import Iterator
from typing import Any

import pytest
from moto.server import ThreadedMotoServer

from interlace.observability.logging import json_formatter, text_formatter
from tests.addresses import KAFKA, SQS, unreachable
from tests.connectors.kafka.broker import tansu
from tests.support import unused_port

# The secrets the suite hands to Interlace: development credentials, passwords and tokens of tests.
SECRETS = ("dev-secret", "dev-refresh-token", "open-sesame", "hunter2-secret", "s3cret", "t0ken")
# What the development mailbox issues: refresh and access tokens, authorization codes.
SECRETS += ("dev-rt-", "dev-at-", "dev-code-")
os.environ.setdefault("INTERLACE_WORKERS", "1")
RAW_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
FORMATTERS = (text_formatter(), json_formatter())


def raw_controls(written: str) -> list[str]:
    """The lines of a written record that hold a raw control character, or that continue it (after
    the first line) without starting with a space."""
    first, *rest = written.split("\n")
    return [
        line for line in (first, *rest) if RAW_CONTROL.search(line) or (line is not first and line[:1] != " ")
    ]


_CLIENT_LOGGERS = ("urllib3",)


class SecretWatch(logging.Handler):
    """Collects every log record that contains one of the secrets."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.leaks: list[str] = []
        self.unescaped: list[str] = []
        self.records = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.records += 1
        if record.name.startswith(_CLIENT_LOGGERS):
            # the test's own HTTP client (schemathesis drives requests) logs the URLs it fuzzed, and
            # Hypothesis draws strings from the suite's constants: a secret there is the test's doing
            return
        try:
            text = record.getMessage()
        except Exception:
            text = f"{record.msg} {record.args}"
        if record.exc_info:
            text += "".join(traceback.format_exception(*record.exc_info))
        for secret in SECRETS:
            if secret in text:
                self.leaks.append(f"{record.name} ({record.levelname}): {text[:300]}")
        for formatter in FORMATTERS:
            bad = raw_controls(formatter.format(record))
            if bad:
                self.unescaped.append(f"{record.name} ({record.levelname}): {bad[0][:300]!r}")


_WATCH = SecretWatch()


def pytest_configure(config: pytest.Config) -> None:
    root = logging.getLogger()
    root.addHandler(_WATCH)
    root.setLevel(logging.DEBUG)


_FOUND = {"leaks": "contain a secret", "unescaped": "hold a raw control character"}
_FROM_WORKERS: dict[str, list[str]] = {kind: [] for kind in _FOUND}


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: object) -> None:
    """(xdist, in the controlling process) What a worker's guard found, sent at its session's end."""
    found = getattr(node, "workeroutput", {}).get("secret_watch", {})
    for kind, lines in found.items():
        _FROM_WORKERS[kind].extend(lines)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    logging.getLogger().removeHandler(_WATCH)
    found = {kind: getattr(_WATCH, kind) + _FROM_WORKERS[kind] for kind in _FOUND}
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:
        # An xdist worker: the controlling process reports for the whole run.
        workeroutput["secret_watch"] = found
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    for kind, what in _FOUND.items():
        if found[kind]:
            lines = [f"{len(found[kind])} log line(s) {what}:", *found[kind][:20]]
            if reporter is not None:
                reporter.write_line("\n".join(lines), red=True)
            session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.get_closest_marker("needs") is not None:
            item.add_marker(pytest.mark.services)


_ANSWERED: set[str] = set()  # services found answering once: not asked again for every test


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    names = {name for mark in item.iter_markers("needs") for name in mark.args} - _ANSWERED
    problems = unreachable(sorted(names))
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)
    _ANSWERED.update(names)


@pytest.fixture(scope="session")
def kafka_bootstrap() -> Iterator[str]:
    """``HOST:PORT`` of a Kafka broker: ``INTERLACE_TEST_KAFKA_URL``'s, or a Tansu started for the session."""
    if KAFKA.given:
        yield f"{KAFKA.host}:{KAFKA.port}"
        return
    with tansu() as address:
        yield address


@pytest.fixture(scope="session")
def sqs_endpoint() -> Iterator[str]:
    """The URL of an SQS API: ``INTERLACE_TEST_SQS_URL``, or a moto server started for the session."""
    if SQS.given:
        yield SQS.url
        return
    port = unused_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()
