"""The live ``file`` connection: the file system of its protocol, and the paths flows give checked
against its root."""

from __future__ import annotations

import asyncio
from pathlib import Path

from interlace.connectors.file.config import FileConfig
from interlace.connectors.file.local import LocalFiles
from interlace.connectors.file.system import FileSystem, file_failure
from interlace.sdk import Connection, FatalError, RetryableError, local_path, relative_path, transfer_path

__all__ = ["FileConnection"]


class FileConnection(Connection[FileConfig]):
    """One file system shared by all operations and triggers: a local folder, an SFTP session (whose
    requests may overlap) or an FTP login (whose commands take turns)."""

    _files: FileSystem | None = None

    @property
    def where(self) -> str:
        """The folder as messages name it (no password)."""
        config = self.config
        if config.protocol == "local":
            return config.root
        return f"{config.protocol}://{config.host}:{config.server_port}/{config.root.lstrip('/')}"

    @property
    def files(self) -> FileSystem:
        """The file system; :class:`RetryableError` if the connection is not open."""
        if self._files is None:
            raise RetryableError(f"connection {self.name} to {self.where} is not open")
        return self._files

    def path(self, path: str, doing: str, what: str = "path") -> str:
        """``path`` relative to the root, checked (see :func:`~interlace.sdk.relative_path`); on the
        local disk also with its symbolic links followed."""
        relative = relative_path(path, doing, what)
        if self.config.protocol == "local":
            local_path(Path(self.config.root), relative, doing, what)
        return relative

    def local_file(self, path: str, doing: str, what: str) -> Path:
        """The file ``path`` names in the connection's local folder (see
        :func:`~interlace.sdk.transfer_path`)."""
        return transfer_path(self.config.local_folder, path, doing, what, self.name)

    async def open(self) -> None:
        config = self.config
        doing = f"connecting connection {self.name} to {self.where}"
        try:
            if config.protocol == "local":
                root = Path(config.root)
                if not await asyncio.to_thread(root.is_dir):
                    raise FatalError(f"{doing}: the folder {config.root} does not exist")
                self._files = LocalFiles(root)
            elif config.protocol == "sftp":
                from interlace.connectors.file.sftp import SftpFiles

                self._files = await SftpFiles.connect(config)
            else:
                from interlace.connectors.file.ftp import FtpFiles

                self._files = await FtpFiles.connect(config)
        except ImportError as exc:
            raise FatalError(
                f"{doing}: protocol {config.protocol} needs the file connector's libraries:"
                " pip install 'interlace[file]'"
            ) from exc
        except OSError as exc:
            raise file_failure(exc, doing) from exc

    async def ping(self) -> None:
        try:
            await self.files.stat(".")
        except OSError as exc:
            raise file_failure(exc, f"reaching {self.where} on connection {self.name}") from exc

    async def aclose(self) -> None:
        files, self._files = self._files, None
        if files is not None:
            await files.aclose()
