"""Real peers for the file connector, started in the test on free ports: an asyncssh SFTP server and a
pyftpdlib FTP server, each serving a folder of ``tmp_path``; and ``files``: an opened connection of each
protocol (local, sftp, ftp) with the folder on disk that is its root."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncssh
import pytest
from pyftpdlib.authorizers import DummyAuthorizer
from pyftpdlib.handlers import FTPHandler
from pyftpdlib.servers import FTPServer
from tests.support import unused_port

from interlace.connectors.file import FileConfig, FileConnection

USER, PASSWORD = "clinic", "hunter2-secret"


@dataclass(frozen=True, slots=True)
class Peer:
    """A server's address and the folder on disk it serves, with what a connection to it needs."""

    settings: dict[str, Any]
    served: Path


class _SshServer(asyncssh.SSHServer):
    def begin_auth(self, username: str) -> bool:
        return True

    def password_auth_supported(self) -> bool:
        return True

    def validate_password(self, username: str, password: str) -> bool:
        return username == USER and password == PASSWORD


@pytest.fixture
async def sftp_peer(tmp_path: Path) -> AsyncIterator[Peer]:
    served = tmp_path / "sftp-served"
    served.mkdir()
    key = asyncssh.generate_private_key("ssh-ed25519")
    port = unused_port()

    def chrooted(channel: asyncssh.SSHServerChannel) -> asyncssh.SFTPServer:
        return asyncssh.SFTPServer(channel, chroot=str(served).encode())

    server = await asyncssh.create_server(
        _SshServer, "127.0.0.1", port, server_host_keys=[key], sftp_factory=chrooted
    )
    known_hosts = tmp_path / "known_hosts"
    known_hosts.write_text(f"[127.0.0.1]:{port} {key.export_public_key().decode()}")
    settings = {
        "protocol": "sftp",
        "host": "127.0.0.1",
        "port": port,
        "username": USER,
        "password": PASSWORD,
        "known-hosts": str(known_hosts),
        "root": "/",
        "timeout": 5,
    }
    try:
        yield Peer(settings, served)
    finally:
        server.close()
        await server.wait_closed()


@pytest.fixture
def ftp_peer(tmp_path: Path) -> Iterator[Peer]:
    served = tmp_path / "ftp-served"
    served.mkdir()
    authorizer = DummyAuthorizer()
    authorizer.add_user(USER, PASSWORD, str(served), perm="elradfmwMT")
    handler = type("Handler", (FTPHandler,), {"authorizer": authorizer, "banner": "test peer"})
    port = unused_port()
    server = FTPServer(("127.0.0.1", port), handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"timeout": 0.05}, daemon=True)
    thread.start()
    settings = {
        "protocol": "ftp",
        "host": "127.0.0.1",
        "port": port,
        "username": USER,
        "password": PASSWORD,
        "root": "/",
        "timeout": 5,
    }
    try:
        yield Peer(settings, served)
    finally:
        server.close_all()
        thread.join(5)


@pytest.fixture
def local_peer(tmp_path: Path) -> Peer:
    served = tmp_path / "local-served"
    served.mkdir()
    return Peer({"protocol": "local", "root": str(served)}, served)


def file_connection(peer: Peer, **settings: object) -> FileConnection:
    """A connection named ``exchange`` to the peer, with these settings besides."""
    return FileConnection(FileConfig.model_validate({**peer.settings, **settings}), name="exchange")


@pytest.fixture(params=["local", "sftp", "ftp"])
def peer(request: pytest.FixtureRequest) -> Peer:
    """Each protocol's peer in turn."""
    return request.getfixturevalue(f"{request.param}_peer")  # type: ignore[no-any-return]


@pytest.fixture
async def files(peer: Peer, local: Path) -> AsyncIterator[FileConnection]:
    async with file_connection(peer, **{"local-folder": str(local)}) as opened:
        yield opened
