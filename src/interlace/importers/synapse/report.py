"""The import report: every construct of the source, converted, approximated (and how) or unsupported.

Each finding names its source file and line, so a user can check the approximations and port the
unsupported parts by hand. Nothing of the source is left out of the report.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

__all__ = ["Finding", "Origin", "Report", "Status"]

Status = Literal["converted", "approximated", "unsupported"]


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a construct was written: the file (as the user knows it) and its line."""

    file: str
    line: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass(frozen=True, slots=True)
class Finding:
    """One construct of the source and what became of it (``note`` says how, or why not)."""

    status: Status
    origin: Origin
    construct: str
    note: str = ""

    def __str__(self) -> str:
        note = f": {self.note}" if self.note else ""
        return f"{self.origin}: {self.status} {self.construct}{note}"


@dataclass(slots=True)
class Report:
    """The findings of one import, in the order they were made."""

    findings: list[Finding] = field(default_factory=list)

    def add(self, status: Status, origin: Origin, construct: str, note: str = "") -> None:
        self.findings.append(Finding(status, origin, construct, note))

    def of(self, status: Status) -> list[Finding]:
        return [finding for finding in self.findings if finding.status == status]

    def in_source_order(self) -> list[Finding]:
        """The findings by file and line (those of one line in the order they were made)."""
        return sorted(self.findings, key=lambda finding: (finding.origin.file, finding.origin.line))

    @property
    def complete(self) -> bool:
        """True when nothing was approximated or left out."""
        return all(finding.status == "converted" for finding in self.findings)
