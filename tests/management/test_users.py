"""The users file: created on first start with a generated (or configured) admin password shown once,
owner-only, hashes only; loaded as it is afterwards; broken files are configuration errors."""

from __future__ import annotations

import re
import stat
from pathlib import Path

import aiohttp
import orjson
import pytest

from interlace.errors import ConfigError
from interlace.management import ManagementServer, UserStore, open_user_store
from interlace.model.project import ManagementDefinition
from interlace.runtime import Runtime
from tests.management.conftest import ENV, FAST_HASHER, PROJECT, REGISTRY
from tests.support import write_project

GENERATED = re.compile(r"created user admin with password (\S+) \(shown only now")


async def test_first_start_generates_an_admin_password_shows_it_once_and_keeps_only_its_hash(
    tmp_path: Path,
) -> None:
    path = tmp_path / ".interlace" / "users.json"
    shown: list[str] = []
    users = open_user_store(path, {}, shown.append, FAST_HASHER)
    [line] = shown
    match = GENERATED.search(line)
    assert match is not None
    password = match.group(1)
    assert len(password) >= 20
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    text = path.read_text()
    assert password not in text
    [entry] = orjson.loads(text)["users"]
    assert entry["name"] == "admin"
    assert entry["role"] == "admin"
    assert entry["hash"].startswith("$argon2id$")
    assert await users.authenticate("admin", password) is not None
    assert await users.authenticate("admin", password + "x") is None

    again: list[str] = []
    reloaded = open_user_store(path, {}, again.append, FAST_HASHER)
    assert again == []
    assert await reloaded.authenticate("admin", password) is not None


def test_two_first_starts_generate_different_passwords(tmp_path: Path) -> None:
    shown: list[str] = []
    open_user_store(tmp_path / "a.json", {}, shown.append, FAST_HASHER)
    open_user_store(tmp_path / "b.json", {}, shown.append, FAST_HASHER)
    first, second = (GENERATED.search(line) for line in shown)
    assert first is not None and second is not None
    assert first.group(1) != second.group(1)


async def test_the_admin_password_can_come_from_the_environment(tmp_path: Path) -> None:
    shown: list[str] = []
    env = {"INTERLACE_ADMIN_PASSWORD": "hunter2-secret"}
    users = open_user_store(tmp_path / "users.json", env, shown.append, FAST_HASHER)
    assert shown == [
        f"management API: created user admin with the password of INTERLACE_ADMIN_PASSWORD in {tmp_path / 'users.json'}"
    ]
    assert await users.authenticate("admin", "hunter2-secret") is not None


async def test_the_admin_password_can_come_from_the_secrets_folder(tmp_path: Path) -> None:
    (tmp_path / "secrets").mkdir()
    (tmp_path / "secrets" / "INTERLACE_ADMIN_PASSWORD").write_text("hunter2-secret\n")
    env = {"INTERLACE_SECRETS_DIR": str(tmp_path / "secrets")}
    users = open_user_store(tmp_path / "users.json", env, lambda line: None, FAST_HASHER)
    assert await users.authenticate("admin", "hunter2-secret") is not None


def test_a_short_configured_admin_password_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="INTERLACE_ADMIN_PASSWORD must have at least 12 characters"):
        open_user_store(tmp_path / "users.json", {"INTERLACE_ADMIN_PASSWORD": "short"}, print, FAST_HASHER)
    assert not (tmp_path / "users.json").exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "cannot be read"),
        ('{"people": []}', 'must be {"users": [...]}'),
        (
            '{"users": [{"name": "x", "role": "root", "hash": "$argon2id$..."}]}',
            "role must be one of admin, operator, monitor",
        ),
        ('{"users": [{"name": "x", "role": "admin", "hash": "plain-text"}]}', "hash must be an argon2 hash"),
    ],
)
def test_a_broken_users_file_is_a_configuration_error(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "users.json"
    path.write_text(content)
    with pytest.raises(ConfigError, match=re.escape(message)):
        open_user_store(path, {}, print, FAST_HASHER)


def test_a_user_needs_a_long_enough_password_and_a_known_role() -> None:
    users = UserStore(hasher=FAST_HASHER)
    with pytest.raises(ValueError, match="at least 12 characters"):
        users.add("ops", "short", "monitor")
    with pytest.raises(ValueError, match="role must be one of"):
        users.add("ops", "long-enough-password", "root")  # type: ignore[arg-type]
    assert users.names() == []


async def test_a_server_from_the_project_table_creates_its_users_file_and_the_shown_password_logs_in(
    tmp_path: Path,
) -> None:
    root = write_project(tmp_path / "shop", PROJECT)
    shown: list[str] = []
    definition = ManagementDefinition(port=0, token_lifetime=60.0)
    async with Runtime(root, env=ENV, connectors=REGISTRY) as runtime:
        server = ManagementServer.from_definition(
            runtime, definition, env={}, announce=shown.append, hasher=FAST_HASHER
        )
        assert (root / ".interlace" / "users.json").exists()
        match = GENERATED.search(shown[0])
        assert match is not None
        async with server, aiohttp.ClientSession(server.url) as session:
            credentials = {"user": "admin", "password": match.group(1)}
            async with session.post("/management/login", json=credentials) as login:
                assert login.status == 200
                assert (await login.json())["expiresIn"] == 60


def test_a_users_file_readable_by_others_is_used_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "users.json"
    open_user_store(path, {}, lambda line: None, FAST_HASHER)
    path.chmod(0o644)
    users = open_user_store(path, {}, lambda line: None, FAST_HASHER)
    assert users.names() == ["admin"]
    assert f"the management users file {path} is readable by others: chmod 600 it" in caplog.messages
