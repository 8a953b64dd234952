"""Property test: whatever is done to a project's files, `interlace check` answers with problems (exit 1,
each `file:line: message`) or none (exit 0), and never with a traceback.

The project is tests/cli/seed_project.py (every kind of artifact and mediator); one of its files gets
bytes inserted, removed or flipped, hostile YAML (tags, anchors, deep nesting), hostile expressions, huge
numbers or odd Unicode, at random places or as the value of a random key.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from interlace.cli import app
from tests.cli.seed_project import SEED, write_seed

FUZZ = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])

SNIPPETS = [
    # YAML: tags, anchors and aliases, nesting, documents, block scalars
    *(b"!!set {a, b}", b"!!binary aGk=", b"!!python/object/apply:os.system [ls]", b"!!timestamp 2001-01-01"),
    *(b"!!omap [a: 1]", b"!tag x", b"!!str", b"!!int x", b"!!float .nan", b"&a [1, 2]", b"*a", b"*undefined"),
    *(
        b"<<: *a",
        b"[" * 300,
        b"{a: " * 300,
        b"- " * 200,
        b"---\n",
        b"...\n",
        b"%YAML 1.1\n",
        b"? ",
        b"|",
        b">-",
    ),
    *(
        b"'",
        b'"',
        b"#",
        b"\t",
        b"\r",
        b"\x00",
        b"\x1b",
        b"\xff\xfe",
        b"\xed\xa0\x80",
        b"\xe2\x80\xa8",
        b"\xef\xbb\xbf",
    ),
    # values of the wrong shape or size
    *(
        b"[]",
        b"{}",
        b"[[]]",
        b"null",
        b"~",
        b"true",
        b"-1",
        b"0",
        b"1.5",
        b".inf",
        b"-.inf",
        b".nan",
        b"1e999",
    ),
    *(
        b"9" * 5000,
        b"0x" + b"f" * 2000,
        b"1:30",
        b"0o777",
        b"1_000",
        b"99999999999999999999",
        b"'" + b"a" * 5000 + b"'",
    ),
    *(
        b"-5s",
        b"1e300s",
        b"99999999d",
        b"PT1H",
        b"http://[::1",
        b"http://x:99999",
        b"/{a}/{a}",
        b"/{",
        b"*/0 * * * *",
    ),
    # TOML: arrays of tables, inline tables, dates, special floats, escapes
    *(
        b"[[profiles]]\n",
        b"[profiles.x]\n",
        b"{a = {b = 1}}",
        b"1979-05-27T07:32:00Z",
        b"inf",
        b"nan",
        b'"\\u0000"',
    ),
    # expressions
    *(b"${", b"}", b"${}", b"${((((}", b"${" + b"(" * 200 + b"1" + b")" * 200 + b"}", b"${payload[?(@.a"),
    *(b"\"${xpath('\\0')}\"", b"\"${'\\ud800'}\"", b"'${''\\ud800''}'", b"${xpath('//a[')}", b"${1/0}"),
    *(b"${configs.nope}", b"${env.NOPE}", b"${secret.NOPE}", b"${" + b"9" * 5000 + b"}", b"${payload..*}"),
    *(b"${subString('a', 99999999999999999999)}", b"${round(1, 99999)}", b"${'a' + 1e999}", b"${$}", b"${@}"),
]


@st.composite
def mutated_file(draw: st.DrawFn) -> tuple[str, bytes]:
    path = draw(st.sampled_from(sorted(SEED)))
    data = SEED[path].encode()
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.integers(0, len(data)))
        how = draw(st.sampled_from(["insert", "remove", "flip", "snippet", "value", "text", "typo"]))
        if how == "insert":
            data = data[:at] + draw(st.binary(min_size=1, max_size=8)) + data[at:]
        elif how == "remove":
            data = data[:at] + data[at + draw(st.integers(1, 40)) :]
        elif how == "flip" and at < len(data):
            data = data[:at] + bytes([data[at] ^ (1 << draw(st.integers(0, 7)))]) + data[at + 1 :]
        elif how == "snippet":
            data = data[:at] + draw(st.sampled_from(SNIPPETS)) + data[at:]
        elif how == "text":
            data = (
                data[:at] + draw(st.text(min_size=1, max_size=6)).encode("utf-8", "surrogatepass") + data[at:]
            )
        else:  # the value of a random key, or a typo in the key
            lines = data.split(b"\n")
            keyed = [index for index, line in enumerate(lines) if re.search(rb"\w(: |:$| = )", line)]
            if not keyed:  # earlier mutations left no key
                continue
            index = draw(st.sampled_from(keyed))
            key = re.match(rb"^([ \t-]*)(.*?)((?:: |:$| = ).*)$", lines[index])
            assert key is not None
            indent, name, rest = key.groups()
            if how == "typo" and name:
                at = draw(st.integers(0, len(name) - 1))
                name = (
                    name[:at]
                    + draw(st.sampled_from([b"", b"x", b"_", b"-", name[at : at + 1] * 2]))
                    + name[at + 1 :]
                )
                lines[index] = indent + name + rest
            else:
                lines[index] = (
                    indent
                    + name
                    + rest[: 2 if rest.startswith(b": ") else 3]
                    + draw(st.sampled_from(SNIPPETS))
                )
            data = b"\n".join(lines)
    return path, data


PROBLEM = re.compile(r"^(interlace\.toml|[a-z]+/[^/:]+\.ya?ml):\d+: \S")


@FUZZ
@given(mutated_file(), st.sampled_from([[], ["--profile", "dev"], ["--profile", "prod"]]))
def test_check_of_a_mutated_project_reports_problems_or_none_never_a_traceback(
    mutated: tuple[str, bytes], profile: list[str]
) -> None:
    path, data = mutated
    with tempfile.TemporaryDirectory() as folder:
        root = write_seed(Path(folder), {path: data})
        result = CliRunner().invoke(app, ["check", str(root), *profile], env={"NO_COLOR": "1"})
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    if result.exit_code == 0:
        assert re.fullmatch(
            rf"{re.escape(str(root))}: no problems found( \(profile (dev|prod)\))?\n", result.stdout
        )
        return
    assert result.exit_code == 1, result.output
    lines = result.stderr.splitlines()
    assert re.fullmatch(r"\d+ problems? found", lines[-1]), lines
    problems = [line for line in lines[:-1] if not line.startswith("    hint: ")]
    assert problems, lines
    assert all(PROBLEM.match(line) for line in problems), problems
