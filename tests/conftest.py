"""Suite-wide guard: no secret that the tests use ever reaches a log line.

Every record logged anywhere during the run (at every level, by Interlace and by the libraries it
uses) is checked for the credentials the tests give connections, connectors and servers. One found
fails the run, naming the logger and the line.
"""

from __future__ import annotations

import logging
import traceback

import pytest

# The secrets the suite hands to Interlace: development credentials, passwords and tokens of tests.
SECRETS = ("dev-secret", "dev-refresh-token", "open-sesame", "hunter2-secret", "s3cret", "t0ken")
# What the development mailbox issues: refresh and access tokens, authorization codes.
SECRETS += ("dev-rt-", "dev-at-", "dev-code-")


class SecretWatch(logging.Handler):
    """Collects every log record that contains one of the secrets."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.leaks: list[str] = []
        self.records = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.records += 1
        try:
            text = record.getMessage()
        except Exception:
            text = f"{record.msg} {record.args}"
        if record.exc_info:
            text += "".join(traceback.format_exception(*record.exc_info))
        for secret in SECRETS:
            if secret in text:
                self.leaks.append(f"{record.name} ({record.levelname}): {text[:300]}")


_WATCH = SecretWatch()


def pytest_configure(config: pytest.Config) -> None:
    root = logging.getLogger()
    root.addHandler(_WATCH)
    root.setLevel(logging.DEBUG)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    logging.getLogger().removeHandler(_WATCH)
    if _WATCH.leaks:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        lines = [f"{len(_WATCH.leaks)} log line(s) contain a secret:", *_WATCH.leaks[:20]]
        if reporter is not None:
            reporter.write_line("\n".join(lines), red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
