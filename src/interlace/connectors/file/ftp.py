"""Files on an FTP or FTPS server, over one control connection (aioftp), one command at a time; its
errors become ``OSError``s."""

from __future__ import annotations

import asyncio
import contextlib
import posixpath
import ssl
from collections.abc import AsyncIterable, AsyncIterator, Iterator, Mapping
from datetime import UTC, datetime
from typing import Any

import aioftp

from interlace.connectors.file.config import FileConfig
from interlace.connectors.file.system import CHUNK, FileInfo

__all__ = ["FtpFiles"]


class FtpFiles:
    """A :class:`~interlace.connectors.file.system.FileSystem` on an FTP server under ``root``. FTP has
    one control connection per login: calls take turns (a lock), a transfer holding it to its end."""

    __slots__ = ("_client", "_turn", "host", "root")

    def __init__(self, client: aioftp.Client, config: FileConfig) -> None:
        self._client = client
        self._turn = asyncio.Lock()
        self.host = f"{config.host}:{config.server_port}"
        self.root = config.root

    @classmethod
    async def connect(cls, config: FileConfig) -> FtpFiles:
        """Log in; ``OSError`` (``PermissionError`` for refused credentials)."""
        client = aioftp.Client(
            socket_timeout=config.timeout,
            connection_timeout=config.timeout,
            ssl=ssl.create_default_context() if config.tls == "implicit" else None,
        )
        with _as_os_errors():
            await client.connect(config.host or "", config.server_port)
            try:
                if config.tls == "explicit":
                    await client.upgrade_to_tls(ssl.create_default_context())
                await client.login(
                    config.username or "anonymous",
                    config.password.reveal() if config.password is not None else "",
                )
            except aioftp.StatusCodeError as exc:
                client.close()
                refused = "TLS" if "234" in exc.expected_codes else "the user name or password"
                raise PermissionError(f"the server refused {refused}") from exc
            except ssl.SSLCertVerificationError as exc:
                client.close()
                raise PermissionError(
                    f"the server's certificate is not trusted ({exc.verify_message})"
                ) from exc
            except BaseException:
                client.close()
                raise
        return cls(client, config)

    def _full(self, path: str) -> str:
        return self.root if path == "." else posixpath.join(self.root, path)

    def where(self, path: str) -> str:
        return f"ftp://{self.host}/{self._full(path).lstrip('/')}"

    async def read(self, path: str) -> AsyncIterator[bytes]:
        async with self._turn:
            with _as_os_errors():
                async with self._client.download_stream(self._full(path)) as stream:
                    async for block in stream.iter_by_block(CHUNK):
                        yield block

    async def write(self, path: str, chunks: AsyncIterable[bytes], *, append: bool) -> int:
        size = 0
        async with self._turn:
            with _as_os_errors():
                opened = self._client.append_stream if append else self._client.upload_stream
                async with opened(self._full(path)) as stream:
                    async for chunk in chunks:
                        await stream.write(chunk)
                        size += len(chunk)
        return size

    async def entries(self, folder: str) -> list[FileInfo]:
        async with self._turn:
            with _as_os_errors():
                if not await self._client.is_dir(self._full(folder)):
                    raise FileNotFoundError(f"{folder} is not a folder")
                listing = await self._client.list(self._full(folder), recursive=False)
        found = []
        for item, info in listing:
            name = item.name
            path = name if folder == "." else f"{folder}/{name}"
            found.append(_info(name, path, info))
        return found

    async def stat(self, path: str) -> FileInfo | None:
        async with self._turn:
            with _as_os_errors():
                if not await self._client.exists(self._full(path)):
                    return None
                info = await self._client.stat(self._full(path))
        return _info(posixpath.basename(path), path, info)

    async def rename(self, source: str, target: str) -> None:
        async with self._turn:
            with _as_os_errors():
                if await self._client.exists(self._full(target)):
                    raise FileExistsError(f"{target} exists")
                await self._client.rename(self._full(source), self._full(target))

    async def delete(self, path: str) -> None:
        async with self._turn:
            with _as_os_errors():
                if not await self._client.is_file(self._full(path)):
                    raise FileNotFoundError(f"{path} is not a file")
                await self._client.remove_file(self._full(path))

    async def mkdir(self, path: str) -> None:
        async with self._turn:
            with _as_os_errors():
                await self._client.make_directory(self._full(path), parents=True)

    async def aclose(self) -> None:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self._client.quit(), 2)
        self._client.close()


def _info(name: str, path: str, info: Mapping[str, Any]) -> FileInfo:
    modified = 0.0
    stamp = str(info.get("modify", ""))[:14]
    with contextlib.suppress(ValueError):
        modified = datetime.strptime(stamp, "%Y%m%d%H%M%S").replace(tzinfo=UTC).timestamp()
    size = int(info.get("size", 0) or 0)
    return FileInfo(name, path, size, modified, info.get("type") == "dir")


@contextlib.contextmanager
def _as_os_errors() -> Iterator[None]:
    try:
        yield
    except aioftp.StatusCodeError as exc:
        codes = {str(code) for code in exc.received_codes}
        message = " ".join(exc.info).strip() if exc.info else str(exc)
        if codes & {"550", "450"}:
            raise FileNotFoundError(message) from exc
        if codes & {"530", "532", "553"}:
            raise PermissionError(message) from exc
        if any(code.startswith("4") for code in codes):
            raise ConnectionError(message) from exc
        raise OSError(message) from exc
    except (aioftp.AIOFTPException, EOFError) as exc:
        raise ConnectionError(str(exc) or type(exc).__name__) from exc
