"""`interlace check` on hostile project files: each is one problem at its file and line, never a traceback.

Every case writes one file into a project that is otherwise clean (tests/cli/seed_project.py), so the
exact lines printed show both the problem and that it has no follow-on problems.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from interlace.cli import app
from tests.cli.seed_project import SEED, write_seed

HOSTILE = "sequences/hostile.yaml"
TOML = SEED["interlace.toml"].encode()
TAG_ADVICE = (
    "is not supported: write plain mappings, lists, text, numbers, true/false or null "
    "(quote a value that starts with '!')"
)


def check(tmp_path: Path, files: dict[str, bytes]) -> list[str]:
    """The lines `interlace check` prints for the seed project with ``files`` written over it."""
    root = write_seed(tmp_path / "project", files)
    result = CliRunner().invoke(app, ["check", str(root)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    return result.stderr.splitlines()


def one_problem(tmp_path: Path, files: dict[str, bytes]) -> str:
    lines = check(tmp_path, files)
    assert lines[-1] == "1 problem found", lines
    assert len(lines) == 2, lines
    return lines[0]


def mediator(line: bytes) -> dict[str, bytes]:
    """A sequence file whose third line is the mediator ``line``."""
    return {HOSTILE: b"sequence: Hostile\nflow:\n  - " + line + b"\n"}


def test_a_nul_byte_in_yaml_is_a_problem_at_its_line_and_column(tmp_path: Path) -> None:
    assert one_problem(tmp_path, mediator(b"log: a\x00b")) == (
        f"{HOSTILE}:3: invalid YAML: the character NUL at column 11 is not allowed (YAML files hold "
        "printable text; write it as an escape in a double-quoted string)"
    )


def test_invalid_utf8_in_yaml_names_the_byte(tmp_path: Path) -> None:
    assert one_problem(tmp_path, mediator(b"log: caf\xe9")) == (
        f"{HOSTILE}:3: the file must be UTF-8 text: byte 0xe9 at column 13 is not"
    )


def test_a_flow_nested_two_thousand_levels_deep_is_refused_not_recursed(tmp_path: Path) -> None:
    deep = b"sequence: Hostile\nflow: " + b"[" * 2000 + b"]" * 2000 + b"\n"
    assert one_problem(tmp_path, {HOSTILE: deep}) == (
        f"{HOSTILE}:2: mappings and lists nest more than 100 levels deep here: a project file needs far fewer"
    )


def test_deeply_nested_mappings_are_refused_at_the_key_whose_value_is_too_deep(tmp_path: Path) -> None:
    lines = "".join("  " * depth + f"k{depth}:\n" for depth in range(1, 150))
    text = f"sequence: Hostile\nflow: []\ndescription:\n{lines}  done: 1\n".encode()
    # Line 102 holds k99, whose value is the 101st mapping from the top of the file.
    assert one_problem(tmp_path, {HOSTILE: text}).startswith(
        f"{HOSTILE}:102: mappings and lists nest more than 100 levels deep"
    )


def test_xpath_of_a_nul_character_is_an_expression_problem(tmp_path: Path) -> None:
    problem = one_problem(tmp_path, mediator(b"variable: {name: x, value: \"${xpath('\\0')}\"}"))
    assert problem == (
        f"{HOSTILE}:3: xpath() needs an XPath of XML characters: no NUL, control characters or lone "
        "surrogates (got '\\x00') at column 1 in ${xpath('\\x00')}"
    )


def test_a_lone_surrogate_escaped_in_yaml_is_a_problem(tmp_path: Path) -> None:
    assert one_problem(tmp_path, mediator(b"log: \"${'\\ud800'}\"")) == (
        f"{HOSTILE}:3: the text \"${{'\\ud800'}}\" holds a lone surrogate (an escape such as \\ud800 that "
        "is not a Unicode character)"
    )


def test_a_lone_surrogate_escaped_in_an_expression_is_a_problem(tmp_path: Path) -> None:
    assert one_problem(tmp_path, mediator(b"log: '${''\\ud800''}'")) == (
        f"{HOSTILE}:3: \\ud800 is a lone surrogate, not a character at column 2 in ${{'\\ud800'}}"
    )


@pytest.mark.parametrize(
    ("value", "tag"),
    [
        (b"!!set {a, b}", "!!set"),
        (b"!!python/object/apply:os.system [echo]", "!!python/object/apply:os.system"),
        (b"!!python/name:os.system", "!!python/name:os.system"),
        (b"!!binary aGVsbG8=", "!!binary"),
        (b"!!timestamp 2001-12-14", "!!timestamp"),
        (b"!!omap [a: 1]", "!!omap"),
        (b"!local value", "!local"),
    ],
)
def test_a_yaml_tag_other_than_the_plain_ones_is_a_problem(tmp_path: Path, value: bytes, tag: str) -> None:
    assert (
        one_problem(tmp_path, mediator(b"log: " + value)) == f"{HOSTILE}:3: the YAML tag {tag} {TAG_ADVICE}"
    )


@pytest.mark.parametrize("value", [b"!!int x", b"!!float x", b"!!bool x"])
def test_a_plain_tag_on_a_value_it_does_not_fit_is_a_problem(tmp_path: Path, value: bytes) -> None:
    tag = value.split()[0].decode()
    assert one_problem(tmp_path, mediator(b"log: " + value)) == f"{HOSTILE}:3: 'x' is not a valid {tag}"


def test_an_unquoted_date_stays_text(tmp_path: Path) -> None:
    root = write_seed(tmp_path / "project", mediator(b"log: 2001-12-14"))
    result = CliRunner().invoke(app, ["check", str(root)])
    assert result.exit_code == 0, result.output


def test_aliases_that_expand_a_billion_times_are_refused(tmp_path: Path) -> None:
    levels = [b"l0: &l0 [x, x, x, x, x, x, x, x, x, x]"]
    levels += [b"l%d: &l%d [%s]" % (n, n, b", ".join([b"*l%d" % (n - 1)] * 10)) for n in range(1, 9)]
    text = b"sequence: Hostile\nflow: []\nparameters: []\n" + b"\n".join(levels) + b"\n"
    assert one_problem(tmp_path, {HOSTILE: text}) == (
        f"{HOSTILE}:1: its aliases (*name) expand to more than 100000 values"
    )


def test_an_alias_inside_what_it_names_is_refused(tmp_path: Path) -> None:
    assert one_problem(tmp_path, {HOSTILE: b"sequence: Hostile\nflow: &loop [*loop]\n"}) == (
        f"{HOSTILE}:2: an alias refers to the mapping or list that holds it"
    )


def test_aliases_and_merge_keys_within_bounds_still_work(tmp_path: Path) -> None:
    text = (
        b"sequence: Hostile\nflow:\n  - log: &line {message: hi, level: info}\n"
        b"  - log:\n      <<: *line\n      level: debug\n"
    )
    root = write_seed(tmp_path / "project", {HOSTILE: text})
    result = CliRunner().invoke(app, ["check", str(root)])
    assert result.exit_code == 0, result.output


def test_an_integer_of_five_thousand_digits_is_a_problem(tmp_path: Path) -> None:
    assert one_problem(tmp_path, mediator(b"respond: {status: " + b"9" * 5000 + b"}")) == (
        f"{HOSTILE}:3: an integer may have at most 1000 digits (got 5000)"
    )


def test_a_number_of_five_thousand_digits_in_an_expression_is_a_problem(tmp_path: Path) -> None:
    problem = one_problem(tmp_path, mediator(b'log: "${' + b"9" * 5000 + b'}"'))
    assert problem.startswith(f"{HOSTILE}:3: a number may have at most 1000 digits at column 1 in ${{999")
    assert problem.endswith("...}")
    assert len(problem) < 300


def test_invalid_toml_is_a_problem_at_its_line_without_follow_on_problems(tmp_path: Path) -> None:
    assert one_problem(tmp_path, {"interlace.toml": TOML + b"oops = \n"}) == (
        "interlace.toml:18: invalid TOML: Invalid value at column 8"
    )


def test_a_nul_byte_in_toml_is_a_problem(tmp_path: Path) -> None:
    toml = TOML.replace(b'name = "seed"', b'name = "se\x00ed"')
    assert one_problem(tmp_path, {"interlace.toml": toml}) == (
        "interlace.toml:2: invalid TOML: Illegal character '\\x00' at column 11"
    )


def test_invalid_utf8_in_toml_names_the_byte(tmp_path: Path) -> None:
    toml = TOML.replace(b'name = "seed"', b'name = "s\xe9ed"')
    assert one_problem(tmp_path, {"interlace.toml": toml}) == (
        "interlace.toml:2: the file must be UTF-8 text: byte 0xe9 at column 10 is not"
    )


def test_wrong_types_in_toml_are_problems_at_their_lines(tmp_path: Path) -> None:
    toml = TOML.replace(b"port = 8290", b'port = "eighty"').replace(b'name = "seed"', b"name = 5")
    toml += b"\n[profiles.qa]\nconfigs = 3\n"
    assert check(tmp_path, {"interlace.toml": toml}) == [
        "interlace.toml:2: project.name: Input should be a valid string (got 5)",
        "interlace.toml:6: server.port: Input should be a valid integer, unable to parse string as an integer "
        "(got 'eighty')",
        "interlace.toml:20: profiles.qa.configs: Input should be a valid dictionary (got 3)",
        "3 problems found",
    ]


def test_toml_nested_two_thousand_levels_deep_is_a_problem(tmp_path: Path) -> None:
    toml = TOML + b"deep = " + b"[" * 2000 + b"]" * 2000 + b"\n"
    assert one_problem(tmp_path, {"interlace.toml": toml}) == (
        "interlace.toml:18: invalid TOML: arrays or inline tables nest more than 50 levels deep"
    )


def test_an_integer_of_five_thousand_digits_in_toml_is_a_problem(tmp_path: Path) -> None:
    toml = TOML + b"[profiles.big.configs]\nbig = " + b"9" * 5000 + b"\n"
    assert one_problem(tmp_path, {"interlace.toml": toml}) == (
        "interlace.toml:19: invalid TOML: a number has more digits than the 4300 an integer may have"
    )


def test_a_broken_file_does_not_make_the_names_it_defines_unknown_elsewhere(tmp_path: Path) -> None:
    # Helper is called by the API, a task and an inbound endpoint: none of them reports it unknown.
    broken = SEED["sequences/helper.yaml"].encode() + b"  - log: \x00\n"
    problem = one_problem(tmp_path, {"sequences/helper.yaml": broken})
    assert problem.startswith("sequences/helper.yaml:6: invalid YAML: the character NUL")
