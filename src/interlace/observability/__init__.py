"""Logs (with correlation ids), and later metrics and traces."""

from interlace.observability.logging import configure_logging

__all__ = ["configure_logging"]
