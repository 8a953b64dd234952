"""The management port over TLS (``[management] tls-cert-file`` / ``tls-key-file``): the console is
served over HTTPS and its session cookie is ``Secure``."""

from __future__ import annotations

import datetime
import ssl
from pathlib import Path

import aiohttp
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from interlace.console import mount_console
from interlace.errors import ConfigError
from interlace.management import ManagementServer
from interlace.model.project import ManagementDefinition
from interlace.runtime import Runtime
from tests.console.conftest import PASSWORDS, console_users
from tests.management.conftest import ENV, PROJECT, REGISTRY
from tests.support import write_project


def _self_signed(folder: Path) -> tuple[str, str]:
    """A certificate for 127.0.0.1 and its key, written as PEM files in ``folder``."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    (folder / "tls").mkdir()
    (folder / "tls" / "cert.pem").write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    (folder / "tls" / "key.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return "tls/cert.pem", "tls/key.pem"


async def test_over_tls_the_session_cookie_is_secure(tmp_path: Path) -> None:
    root = write_project(tmp_path / "shop", PROJECT)
    cert, key = _self_signed(root)
    definition = ManagementDefinition.model_validate({"port": 0, "tls-cert-file": cert, "tls-key-file": key})
    async with Runtime(root, env=ENV, connectors=REGISTRY) as runtime:
        server = ManagementServer.from_definition(runtime, definition, env=ENV, extensions=[mount_console])
        server.context.users = console_users()
        async with server:
            assert server.url.startswith("https://")
            client = ssl.create_default_context(cafile=str(root / cert))
            client.check_hostname = False
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
