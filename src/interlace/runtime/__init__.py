"""The runtime: projects running side by side as deployments, swapped whole, with hot deployment."""

from interlace.runtime.runtime import ListenerPort, Runtime

__all__ = ["ListenerPort", "Runtime"]
