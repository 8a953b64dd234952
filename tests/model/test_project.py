"""Loading a project: profiles, configs with ${env.X}, companions and sizes."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from interlace.model.load import load_project
from interlace.model.project import parse_size

TOML = """
[project]
name = "shop"
version = "2.1.0"

[server]
port = 8000
max-body-size = "1MiB"

[configs]
backend = "http://localhost:9090"
token = "${env.SHOP_TOKEN}"
region = "${env.SHOP_REGION:-eu-west-1}"
url = "https://${env.SHOP_HOST:-shop.local}:${env.SHOP_PORT:-443}/api"
nested = {list = ["${env.SHOP_TOKEN}", 1], flag = true}

[profiles.dev]
server = {port = 9000}

[profiles.dev.configs]
backend = "http://127.0.0.1:9090"
extra = "only in dev"

[profiles.dev.companions.hospital]
start = "interlace.samples.hospital:start_hospital_backend"
port = 9090
"""


def _project(tmp_path: Path, toml: str = TOML) -> Path:
    (tmp_path / "interlace.toml").write_text(textwrap.dedent(toml).lstrip(), encoding="utf-8")
    return tmp_path


def test_configs_resolve_environment_variables_and_defaults(tmp_path: Path) -> None:
    project = load_project(_project(tmp_path), env={"SHOP_TOKEN": "s3cret", "SHOP_PORT": "8443"})
    assert project.problems == []
    assert (project.name, project.version, project.profile) == ("shop", "2.1.0", None)
    assert project.configs == {
        "backend": "http://localhost:9090",
        "token": "s3cret",
        "region": "eu-west-1",
        "url": "https://shop.local:8443/api",
        "nested": {"list": ["s3cret", 1], "flag": True},
    }
    assert (project.server.port, project.server.max_body_size) == (8000, 1024 * 1024)
    assert project.companions == {}


def test_a_profile_overrides_configs_and_server_and_brings_companions(tmp_path: Path) -> None:
    project = load_project(_project(tmp_path), "dev", env={"SHOP_TOKEN": "t"})
    assert project.problems == []
    assert project.configs["backend"] == "http://127.0.0.1:9090"
    assert project.configs["extra"] == "only in dev"
    assert project.configs["region"] == "eu-west-1"
    assert (project.server.port, project.server.max_body_size) == (9000, 1024 * 1024)
    [(name, companion)] = project.companions.items()
    assert name == "hospital"
    assert (companion.start, companion.host, companion.port) == (
        "interlace.samples.hospital:start_hospital_backend",
        "127.0.0.1",
        9090,
    )


def test_a_missing_environment_variable_is_a_problem_at_its_key(tmp_path: Path) -> None:
    project = load_project(_project(tmp_path), env={})
    assert [(str(p.location), p.message) for p in project.problems] == [
        ("interlace.toml:11", "environment variable SHOP_TOKEN is not set"),
        ("interlace.toml:14", "environment variable SHOP_TOKEN is not set"),
    ]


def test_the_process_environment_is_used_when_none_is_given(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SHOP_TOKEN", "from-process")
    project = load_project(_project(tmp_path))
    assert project.configs["token"] == "from-process"


def test_a_bad_server_value_in_a_profile_is_located(tmp_path: Path) -> None:
    toml = '[project]\nname = "x"\n\n[profiles.dev.server]\nport = 70000\n'
    project = load_project(_project(tmp_path, toml), "dev", env={})
    assert [(str(p.location), p.message) for p in project.problems] == [
        ("interlace.toml:5", "port: Input should be less than or equal to 65535 (got 70000)")
    ]


@pytest.mark.parametrize("name", ["{eed", "a b", "../up", "-x", "a+b"])
def test_a_project_name_that_cannot_name_its_stores_and_folders_is_a_problem(
    tmp_path: Path, name: str
) -> None:
    project = load_project(_project(tmp_path, f'[project]\nname = "{name}"\n'), env={})
    assert [(str(p.location), p.message) for p in project.problems] == [
        (
            "interlace.toml:2",
            f"project.name: must start with a letter or digit and hold only letters, digits, _ . - (got {name!r})",
        )
    ]


def test_a_bad_companion_is_a_problem(tmp_path: Path) -> None:
    toml = '[project]\nname = "x"\n\n[profiles.dev.companions.db]\nstart = "not a factory"\nport = 1\n'
    project = load_project(_project(tmp_path, toml), "dev", env={})
    assert project.definition is None
    [problem] = project.problems
    assert str(problem.location) == "interlace.toml:5"
    assert problem.message.startswith("profiles.dev.companions.db.start: String should match pattern")


@pytest.mark.parametrize(
    ("value", "size"),
    [
        (1, 1),
        ("512", 512),
        ("10B", 10),
        ("2KB", 2000),
        ("2KiB", 2048),
        ("3 MB", 3_000_000),
        ("10MiB", 10 * 1024 * 1024),
        ("1gb", 1_000_000_000),
        ("1GiB", 1024**3),
    ],
)
def test_parse_size_reads_bytes_and_units(value: int | str, size: int) -> None:
    assert parse_size(value) == size


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (0, "size must be > 0 (got 0)"),
        (-5, "size must be > 0 (got -5)"),
        ("0MiB", "size must be a positive number of bytes like 1048576 or 10MiB (got '0MiB')"),
        ("ten", "size must be a positive number of bytes like 1048576 or 10MiB (got 'ten')"),
        ("1.5MB", "size must be a positive number of bytes like 1048576 or 10MiB (got '1.5MB')"),
        ("10TB", "size must be a positive number of bytes like 1048576 or 10MiB (got '10TB')"),
        (True, "size must be a positive number of bytes like 1048576 or 10MiB (got True)"),
    ],
)
def test_parse_size_refuses_what_is_not_a_positive_size(value: int | str, message: str) -> None:
    with pytest.raises(ValueError) as caught:
        parse_size(value)
    assert str(caught.value) == message
