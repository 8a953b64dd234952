"""The suite's secret guard itself: it sees records of every level and recognises each secret."""

from __future__ import annotations

import logging

from tests.conftest import SECRETS, SecretWatch


def test_the_guard_catches_a_secret_at_debug_level_and_in_tracebacks() -> None:
    watch = SecretWatch()
    logger = logging.getLogger("interlace.test.secret-watch")
    logger.addHandler(watch)
    logger.propagate = False  # these lines hold secrets on purpose: keep them from the suite's own guard
    try:
        logger.debug("token is %s", SECRETS[0])
        try:
            raise ValueError(SECRETS[1])
        except ValueError:
            logger.exception("failed")
        logger.info("nothing to see")
    finally:
        logger.removeHandler(watch)
        logger.propagate = True
    assert len(watch.leaks) == 2
    assert watch.records == 3
