"""The sample hospital back-end of the healthcare example, for the imported tutorial project."""

from tests.examples.conftest import backend

__all__ = ["backend"]
