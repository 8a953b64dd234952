"""The management port over TLS (``[management] tls-cert-file`` / ``tls-key-file``): the console is
served over HTTPS and its session cookie is ``Secure``."""

from __future__ import annotations

import ssl
from pathlib import Path

import aiohttp
import pytest

from interlace.console import mount_console
from interlace.errors import ConfigError
from interlace.management import ManagementServer
from interlace.model.project import ManagementDefinition
from interlace.runtime import Runtime
from tests.connectors.email.peers import write_certificate
from tests.console.conftest import PASSWORDS, console_users
from tests.management.conftest import ENV, PROJECT, REGISTRY
from tests.support import write_project


async def test_over_tls_the_session_cookie_is_secure(tmp_path: Path) -> None:
    root = write_project(tmp_path / "shop", PROJECT)
    cert, key = write_certificate(root)
    definition = ManagementDefinition.model_validate(
        {"port": 0, "tls-cert-file": str(cert.relative_to(root)), "tls-key-file": str(key.relative_to(root))}
    )
    async with Runtime(root, env=ENV, connectors=REGISTRY) as runtime:
        server = ManagementServer.from_definition(runtime, definition, env=ENV, extensions=[mount_console])
        server.context.users = console_users()
        async with server:
            assert server.url.startswith("https://")
            client = ssl.create_default_context(cafile=str(cert))
            async with aiohttp.ClientSession(server.url) as session:
                form = {"user": "admin", "password": PASSWORDS["admin"]}
                async with session.post(
                    "/console/login", data=form, ssl=client, allow_redirects=False
                ) as answer:
                    assert answer.status == 303
                    cookie = answer.cookies["interlace_console"]
    assert cookie["secure"] is True
    assert cookie["httponly"] is True


def test_a_certificate_without_its_key_is_refused() -> None:
    with pytest.raises(ValueError, match="give both tls-cert-file and tls-key-file"):
        ManagementDefinition.model_validate({"tls-cert-file": "tls/cert.pem"})


async def test_a_certificate_that_cannot_be_read_is_a_config_error(tmp_path: Path) -> None:
    root = write_project(tmp_path / "shop", PROJECT)
    definition = ManagementDefinition.model_validate(
        {"tls-cert-file": "none.pem", "tls-key-file": "none.key"}
    )
    async with Runtime(root, env=ENV, connectors=REGISTRY) as runtime:
        with pytest.raises(ConfigError, match=r"tls-cert-file .*none\.pem .* cannot be loaded"):
            ManagementServer.from_definition(runtime, definition, env=ENV)
