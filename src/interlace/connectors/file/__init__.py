"""The ``file`` connector: files in a local folder, over SFTP and over FTP/FTPS, and new files as a
trigger."""

from __future__ import annotations

from interlace.connectors.file.config import FileConfig
from interlace.connectors.file.connection import FileConnection
from interlace.connectors.file.connector import connector

__all__ = ["FileConfig", "FileConnection", "connector"]
