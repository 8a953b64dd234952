"""The reference page lists every operation of the management API (and no other)."""

from __future__ import annotations

import re
from pathlib import Path

from interlace.management.app import all_routes

PAGE = Path(__file__).resolve().parents[2] / "docs" / "reference" / "management.md"


def test_the_reference_page_lists_every_operation_with_its_role() -> None:
    listed = set(re.findall(r"^\| `(\w+) (/management\S*)` \| (\w+) \|", PAGE.read_text(), re.MULTILINE))
    served = {(route.method, route.path, route.required_access) for route in all_routes()}
    assert listed == served
