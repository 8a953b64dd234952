"""The runtime: a project running under a profile, with hot redeploy."""

from interlace.runtime.runtime import Runtime

__all__ = ["Runtime"]
