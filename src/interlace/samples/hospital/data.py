"""The fixed tables of the sample hospital back-end: hospitals, categories and doctors."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

from interlace.samples.hospital.shapes import Doctor

__all__ = ["CATEGORIES", "DOCTORS", "HOSPITALS"]

HOSPITALS: Final[Mapping[str, str]] = MappingProxyType(
    {
        "grandoaks": "grand oak community hospital",
        "clemency": "clemency medical center",
        "pinevalley": "pine valley community hospital",
        "willowgardens": "willow gardens general hospital",
    }
)
"""Full hospital name by path prefix."""

CATEGORIES: Final[frozenset[str]] = frozenset({"surgery", "cardiology", "gynaecology", "ent", "paediatric"})

_ROWS: Final = (
    ("thomas collins", "grandoaks", "surgery", "9.00 a.m - 11.00 a.m", 7000.0),
    ("henry parker", "grandoaks", "ent", "9.00 a.m - 11.00 a.m", 4500.0),
    ("abner jones", "grandoaks", "gynaecology", "8.00 a.m - 10.00 a.m", 11000.0),
    ("abner jones", "grandoaks", "ent", "8.00 a.m - 10.00 a.m", 6750.0),
    ("anne clement", "clemency", "surgery", "8.00 a.m - 10.00 a.m", 12000.0),
    ("thomas kirk", "clemency", "gynaecology", "9.00 a.m - 11.00 a.m", 8000.0),
    ("cailen cooper", "clemency", "paediatric", "9.00 a.m - 11.00 a.m", 5500.0),
    ("seth mears", "pinevalley", "surgery", "3.00 p.m - 5.00 p.m", 8000.0),
    ("emeline fulton", "pinevalley", "cardiology", "8.00 a.m - 10.00 a.m", 4000.0),
    ("jared morris", "willowgardens", "cardiology", "9.00 a.m - 11.00 a.m", 10000.0),
    ("henry foster", "willowgardens", "paediatric", "8.00 a.m - 10.00 a.m", 10000.0),
)

DOCTORS: Final[tuple[Doctor, ...]] = tuple(
    Doctor(name, HOSPITALS[prefix], category, availability, fee)
    for name, prefix, category, availability, fee in _ROWS
)
"""Every doctor, in table order ("the first doctor with a name" means the first here)."""
