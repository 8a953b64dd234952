"""How `mi` prints: a list as plain columns under upper-case headers (each column as wide as its
widest cell plus three spaces, at least ten), one artifact as `Field - value` lines, as WSO2 Micro
Integrator's CLI prints them, so what an operator reads (or a script cuts) stays the same."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import typer

__all__ = ["print_detail", "print_table", "table_lines"]

_PADDING = 3
_MIN_WIDTH = 10


def table_lines(headers: Sequence[str], rows: Iterable[Sequence[str]]) -> list[str]:
    """The lines of a table: the headers, then one line per row; the last column is not padded."""
    every = [list(headers), *(list(row) for row in rows)]
    widths = [max(len(line[column]) for line in every) for column in range(len(headers))]
    padded = [max(width + _PADDING, _MIN_WIDTH) for width in widths]
    return [
        "".join(cell.ljust(padded[column]) for column, cell in enumerate(line[:-1])) + line[-1]
        for line in every
    ]


def print_table(headers: Sequence[str], rows: Iterable[Sequence[str]]) -> None:
    for line in table_lines(headers, rows):
        typer.echo(line.rstrip())


def print_detail(fields: Iterable[tuple[str, object]]) -> None:
    """``Name - OrdersAPI`` lines; a field without a value is left out."""
    for label, value in fields:
        if value is not None and value != "":
            typer.echo(f"{label} - {value}")
