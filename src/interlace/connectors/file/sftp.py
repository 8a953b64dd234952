"""Files on an SFTP server, over one SSH connection (asyncssh); its errors become ``OSError``s."""

from __future__ import annotations

import contextlib
import posixpath
from collections.abc import AsyncIterable, AsyncIterator, Iterator
from typing import Any

import asyncssh

from interlace.connectors.file.config import FileConfig
from interlace.connectors.file.system import CHUNK, FileInfo

__all__ = ["SftpFiles"]


class SftpFiles:
    """A :class:`~interlace.connectors.file.system.FileSystem` on an SFTP server under ``root``."""

    __slots__ = ("_client", "_ssh", "host", "root")

    def __init__(
        self, ssh: asyncssh.SSHClientConnection, client: asyncssh.SFTPClient, config: FileConfig
    ) -> None:
        self._ssh = ssh
        self._client = client
        self.host = f"{config.host}:{config.server_port}"
        self.root = config.root

    @classmethod
    async def connect(cls, config: FileConfig) -> SftpFiles:
        """Log in and start the SFTP session; ``OSError`` (``PermissionError`` for refused credentials)."""
        options: dict[str, Any] = {
            "username": config.username,
            "password": config.password.reveal() if config.password is not None else None,
            "connect_timeout": config.timeout,
            "known_hosts": None if not config.verify_host_key else (config.known_hosts or ()),
        }
        if config.verify_host_key and config.known_hosts is None:
            del options["known_hosts"]  # asyncssh's default: the user's ~/.ssh/known_hosts
        if config.private_key is not None:
            passphrase = config.private_key_passphrase
            with _as_os_errors():
                key = asyncssh.import_private_key(
                    config.private_key.reveal(), passphrase.reveal() if passphrase is not None else None
                )
            options["client_keys"] = [key]
        else:
            options["client_keys"] = None
        with _as_os_errors():
            ssh = await asyncssh.connect(config.host or "", config.server_port, **options)
            try:
                client = await ssh.start_sftp_client()
            except BaseException:
                ssh.close()
                raise
        return cls(ssh, client, config)

    def _full(self, path: str) -> str:
        return self.root if path == "." else posixpath.join(self.root, path)

    def where(self, path: str) -> str:
        return f"sftp://{self.host}/{self._full(path).lstrip('/')}"

    async def read(self, path: str) -> AsyncIterator[bytes]:
        with _as_os_errors():
            async with self._client.open(self._full(path), "rb") as handle:
                while chunk := await handle.read(CHUNK):
                    yield bytes(chunk)  # type: ignore[arg-type]  # opened "rb": bytes

    async def write(self, path: str, chunks: AsyncIterable[bytes], *, append: bool) -> int:
        size = 0
        with _as_os_errors():
            async with self._client.open(self._full(path), "ab" if append else "wb") as handle:
                async for chunk in chunks:
                    await handle.write(chunk)
                    size += len(chunk)
        return size

    async def entries(self, folder: str) -> list[FileInfo]:
        with _as_os_errors():
            names = await self._client.readdir(self._full(folder))
        found = []
        for item in names:
            name = item.filename if isinstance(item.filename, str) else item.filename.decode()
            if name in (".", ".."):
                continue
            path = name if folder == "." else f"{folder}/{name}"
            found.append(_info(name, path, item.attrs))
        return found

    async def stat(self, path: str) -> FileInfo | None:
        try:
            with _as_os_errors():
                attrs = await self._client.stat(self._full(path))
        except FileNotFoundError:
            return None
        return _info(posixpath.basename(path), path, attrs)

    async def rename(self, source: str, target: str) -> None:
        with _as_os_errors():
            if await self._client.exists(self._full(target)):
                raise FileExistsError(f"{target} exists")
            await self._client.rename(self._full(source), self._full(target))

    async def delete(self, path: str) -> None:
        with _as_os_errors():
            await self._client.remove(self._full(path))

    async def mkdir(self, path: str) -> None:
        with _as_os_errors():
            await self._client.makedirs(self._full(path), exist_ok=True)

    async def aclose(self) -> None:
        self._client.exit()
        self._ssh.close()
        with contextlib.suppress(Exception):
            await self._ssh.wait_closed()


def _info(name: str, path: str, attrs: asyncssh.SFTPAttrs) -> FileInfo:
    directory = attrs.type == asyncssh.FILEXFER_TYPE_DIRECTORY
    return FileInfo(name, path, int(attrs.size or 0), float(attrs.mtime or 0), directory)


@contextlib.contextmanager
def _as_os_errors() -> Iterator[None]:
    try:
        yield
    except asyncssh.SFTPNoSuchFile as exc:
        raise FileNotFoundError(exc.reason) from exc
    except asyncssh.SFTPPermissionDenied as exc:
        raise PermissionError(exc.reason) from exc
    except asyncssh.SFTPFileAlreadyExists as exc:
        raise FileExistsError(exc.reason) from exc
    except asyncssh.SFTPFailure as exc:
        raise OSError(exc.reason) from exc
    except asyncssh.SFTPError as exc:
        raise OSError(exc.reason) from exc
    except (asyncssh.PermissionDenied, asyncssh.HostKeyNotVerifiable, asyncssh.KeyImportError) as exc:
        raise PermissionError(str(exc.reason) if hasattr(exc, "reason") else str(exc)) from exc
    except asyncssh.Error as exc:
        raise ConnectionError(exc.reason) from exc
