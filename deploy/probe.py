"""Exit 0 when URL answers 200, else 1: the container's health check and the pod's probes.

``python /opt/interlace/probe.py http://127.0.0.1:9164/management/ready`` (standard library only, so the
slim image needs no curl). The management API listens on loopback by default, so the probe runs inside
the container, beside the server.
"""

from __future__ import annotations

import sys
import urllib.error
import urllib.request


def main() -> int:
    url = sys.argv[1]
    try:
        with urllib.request.urlopen(url, timeout=3) as answer:
            return 0 if answer.status == 200 else 1
    except (urllib.error.URLError, OSError):
        return 1


if __name__ == "__main__":
    sys.exit(main())
