"""Logs (with correlation ids) and the server's Prometheus metrics."""

from interlace.observability.logging import configure_logging

__all__ = ["configure_logging"]
