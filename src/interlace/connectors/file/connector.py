"""The ``file`` connector object, with its operations and triggers."""

from __future__ import annotations

from interlace.connectors.file.connection import FileConnection
from interlace.connectors.file.operations import append, delete, list_files, mkdir, move, read, write
from interlace.connectors.file.poll import poll_files
from interlace.sdk import Connector

__all__ = ["connector"]

connector = Connector(
    "file",
    version="1.0.0",
    connection=FileConnection,
    description=(
        "Reads, writes, appends, lists, moves and deletes files in a local folder, on an SFTP server or on"
        " an FTP/FTPS server, and polls a folder for new files.\n\n"
        "One connection type for the three: `protocol` says where the files are, `root` the folder every"
        " path is relative to; a path that leaves it is refused. Large files are streamed between the"
        " connection and its `local-folder` (`read` with `toFile`, `write` with `fromFile`). The `poll`"
        " trigger settles a file (deleted or moved) only after its flow; with `lock` one node takes each"
        " file. SFTP and FTP need `pip install 'interlace[file]'`."
    ),
    operations=[read, write, append, ("list", list_files), move, delete, mkdir],
    triggers=[("poll", poll_files)],
)
