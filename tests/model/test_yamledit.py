"""Editing a flow's step in YAML text: the rest of the file stays as written, whatever its indentation."""

from __future__ import annotations

import pytest

from interlace.errors import ConfigError
from interlace.model.yamledit import insert_step, replace_step, step_at

FLUSH = """\
# dashes at the key's own indentation
sequence: Flush
flow:
- log: first    # one
- respond:
    status: 200
"""
INDENTED = """\
sequence: Indented
flow:
    -   log: first
    -   drop
"""


def test_a_step_is_added_in_the_files_own_indentation() -> None:
    edited = insert_step(FLUSH, ["flow", 1], {"log": {"message": "x"}}, "s.yaml")
    assert edited == FLUSH.replace("- respond:", "- log:\n    message: x\n- respond:")
    edited = insert_step(INDENTED, ["flow", 2], {"log": "last"}, "s.yaml")
    assert edited == INDENTED + "    -   log: last\n"


def test_a_step_of_the_same_kind_changes_only_its_options_that_differ() -> None:
    edited = replace_step(FLUSH, ["flow", 1], {"respond": {"status": 201}}, "s.yaml")
    assert edited == FLUSH.replace("status: 200", "status: 201")
    assert replace_step(FLUSH, ["flow", 0], step_at(FLUSH, ["flow", 0], "s.yaml"), "s.yaml") == FLUSH


@pytest.mark.parametrize(
    ("path", "message"),
    [
        (["flow", 7], "has no step at"),
        (["nothing", 0], "has nothing at"),
        (["sequence", 0], "has no flow at"),
        (["flow"], "ends with a position"),
    ],
)
def test_a_place_that_is_not_a_step_is_refused(path: list[str | int], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        replace_step(FLUSH, path, {"log": "x"}, "s.yaml")


def test_a_step_is_one_mediator() -> None:
    with pytest.raises(ConfigError, match="a step is one mediator"):
        insert_step(FLUSH, ["flow", 0], {"log": "x", "drop": None}, "s.yaml")
