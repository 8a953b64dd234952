"""YAML with lines: keys and items remember their lines; duplicates are errors; YAML 1.2 booleans."""

from __future__ import annotations

import pytest

from interlace.errors import ConfigError
from interlace.model.yamlsource import LineDict, LineList, line_of, load_yaml

DOCUMENT = """\
api: Orders
context: /orders
resources:
  - methods: [GET]
    flow:
      - log: hi
      - respond: {}
  - uri-template: /x
"""


def test_mappings_and_sequences_keep_the_lines_of_keys_and_items() -> None:
    tree = load_yaml(DOCUMENT, "apis/orders.yaml")
    assert isinstance(tree, LineDict)
    assert tree.line == 1
    assert tree.key_lines == {"api": 1, "context": 2, "resources": 3}
    resources = tree["resources"]
    assert isinstance(resources, LineList)
    assert resources.item_lines == [4, 8]
    flow = resources[0]["flow"]
    assert flow.item_lines == [6, 7]
    assert resources[0].key_lines == {"methods": 4, "flow": 5}


def test_line_of_finds_a_path_or_its_nearest_parent() -> None:
    tree = load_yaml(DOCUMENT, "apis/orders.yaml")
    assert line_of(tree, ("resources", 0, "flow", 1)) == 7
    assert line_of(tree, ("resources", 1, "uri-template")) == 8
    assert line_of(tree, ("resources", 0, "missing", "deeper")) == 4
    assert line_of(tree, ("resources", 5)) == 3


def test_a_duplicate_key_names_both_lines() -> None:
    with pytest.raises(ConfigError) as caught:
        load_yaml("a: 1\nb:\n  x: 1\n  y: 2\n  x: 3\n", "f.yaml")
    assert str(caught.value.location) == "f.yaml:5"
    assert caught.value.message == "duplicate key 'x' (first at line 3)"


@pytest.mark.parametrize("word", ["on", "off", "yes", "no", "y", "n", "On", "YES"])
def test_yaml_1_1_boolean_words_stay_strings(word: str) -> None:
    tree = load_yaml(f"{word}: {word}\n", "f.yaml")
    assert tree == {word: word}


def test_true_and_false_are_booleans_and_keys_are_spelled_as_written() -> None:
    tree = load_yaml("a: true\nb: False\ntrue: 1\nfalse: 2\n42: 3\nnull: 4\n", "f.yaml")
    assert tree == {"a": True, "b": False, "true": 1, "false": 2, "42": 3, "null": 4}


def test_invalid_yaml_at_the_end_is_reported_at_the_last_line_with_its_context() -> None:
    with pytest.raises(ConfigError) as caught:
        load_yaml("a: 1\nb: [1, 2\n", "f.yaml")
    assert str(caught.value.location) == "f.yaml:2"
    assert caught.value.message == (
        "invalid YAML: expected ',' or ']', but got '<stream end>' (while parsing a flow sequence at line 2)"
    )


def test_a_problem_inside_the_text_is_reported_at_its_own_line() -> None:
    with pytest.raises(ConfigError) as caught:
        load_yaml("a: 1\nb: c: d\ne: 2\n", "f.yaml")
    assert str(caught.value.location) == "f.yaml:2"
    assert caught.value.message == "invalid YAML: mapping values are not allowed here"


def test_a_merged_mapping_is_overridden_by_the_keys_written_beside_it() -> None:
    tree = load_yaml("base: &b {a: 1, b: 2}\nc:\n  <<: *b\n  b: 3\n", "f.yaml")
    assert tree["c"] == {"a": 1, "b": 3}
    assert tree["c"].key_lines["b"] == 4
    with pytest.raises(ConfigError, match=r"duplicate key 'b' \(first at line 4\)"):
        load_yaml("base: &b {a: 1}\nc:\n  <<: *b\n  b: 3\n  b: 4\n", "f.yaml")


def test_dates_and_times_stay_text() -> None:
    assert load_yaml("day: 2001-12-14\nat: 2001-12-14T21:59:43Z\n", "f.yaml") == {
        "day": "2001-12-14",
        "at": "2001-12-14T21:59:43Z",
    }


@pytest.mark.parametrize(
    "text", ["a: !!set {x}\n", "a: !!binary aGk=\n", "a: !x y\n", "a: !!python/none ''\n"]
)
def test_tags_other_than_the_plain_ones_are_refused_at_their_line(text: str) -> None:
    with pytest.raises(ConfigError, match="is not supported") as caught:
        load_yaml("ok: 1\n" + text, "f.yaml")
    assert str(caught.value.location) == "f.yaml:2"


def test_explicit_plain_tags_are_accepted() -> None:
    assert load_yaml("a: !!str 12\nb: !!int '7'\nc: !!float 1\n", "f.yaml") == {"a": "12", "b": 7, "c": 1.0}
