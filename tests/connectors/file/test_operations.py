"""file operations on a local folder, an SFTP server and an FTP server alike: what is written is read
back, listed by glob, moved and deleted; large files streamed through the local folder; paths that
leave the root refused; refused logins fatal."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from interlace.connectors.file import FileConnection, connector
from interlace.sdk import FatalError, InvalidInput, OperationResult

from .conftest import Peer, file_connection

READ, WRITE, APPEND, LIST = (connector.get_operation(name) for name in ("read", "write", "append", "list"))
MOVE, DELETE, MKDIR = (connector.get_operation(name) for name in ("move", "delete", "mkdir"))


async def test_a_file_written_is_read_back_with_its_content_type(files: FileConnection, peer: Peer) -> None:
    written = await WRITE.invoke(files, {"path": "orders/1.json", "content": {"id": 1}})
    assert isinstance(written, OperationResult)
    assert written.attributes == {"path": "orders/1.json", "size": 8}
    assert (peer.served / "orders" / "1.json").read_bytes() == b'{"id":1}'
    await APPEND.invoke(files, {"path": "orders/1.json", "content": "\n"})
    read = await READ.invoke(files, {"path": "/orders/1.json"})
    assert isinstance(read, OperationResult)
    assert (read.payload, read.headers) == (b'{"id":1}\n', {"content-type": "application/json"})


async def test_files_are_listed_by_glob_and_below_with_a_double_star(
    files: FileConnection, peer: Peer
) -> None:
    for name in ("in/a.csv", "in/b.txt", "in/sub/c.csv", "d.csv"):
        (peer.served / name).parent.mkdir(parents=True, exist_ok=True)
        (peer.served / name).write_text(name)
    listed = await LIST.invoke(files, {"folder": "in", "pattern": "*.csv"})
    assert [(item["path"], item["size"], item["type"]) for item in listed] == [("in/a.csv", 8, "file")]
    deep = await LIST.invoke(files, {"pattern": "**/*.csv"})
    assert [item["path"] for item in deep] == ["d.csv", "in/a.csv", "in/sub/c.csv"]
    with_folders = await LIST.invoke(files, {"folder": "in", "directories": True})
    assert [item["name"] for item in with_folders] == ["a.csv", "b.txt", "sub"]


async def test_a_file_is_moved_without_replacing_unless_asked_and_deleted(
    files: FileConnection, peer: Peer
) -> None:
    (peer.served / "a.txt").write_text("a")
    (peer.served / "b.txt").write_text("b")
    with pytest.raises(
        InvalidInput, match=r"file.move of 'a.txt' to 'b.txt' on connection exchange: .*exists"
    ):
        await MOVE.invoke(files, {"path": "a.txt", "toPath": "b.txt"})
    await MOVE.invoke(files, {"path": "a.txt", "toPath": "b.txt", "overwrite": True})
    await MOVE.invoke(files, {"path": "b.txt", "toPath": "done/2024/b.txt"})
    assert (peer.served / "done" / "2024" / "b.txt").read_text() == "a"
    deleted = await DELETE.invoke(files, {"path": "done/2024/b.txt"})
    assert isinstance(deleted, OperationResult) and deleted.attributes == {"deleted": True}
    assert not (peer.served / "done" / "2024" / "b.txt").exists()
    with pytest.raises(FatalError, match="no such file or folder"):
        await DELETE.invoke(files, {"path": "done/2024/b.txt"})
    missing = await DELETE.invoke(files, {"path": "done/2024/b.txt", "missingOk": True})
    assert isinstance(missing, OperationResult) and missing.attributes == {"deleted": False}
    await MKDIR.invoke(files, {"path": "archive/2025"})
    assert (peer.served / "archive" / "2025").is_dir()
    with pytest.raises(FatalError, match="no such file or folder"):
        await READ.invoke(files, {"path": "nothing.txt"})


async def test_a_large_file_is_streamed_from_and_to_the_local_folder(
    files: FileConnection, peer: Peer, local: Path
) -> None:
    data = os.urandom(3 * 1024 * 1024 + 5)
    (local / "scan.bin").write_bytes(data)
    written = await WRITE.invoke(files, {"path": "scans/scan.bin", "fromFile": "scan.bin"})
    assert isinstance(written, OperationResult) and written.attributes["size"] == len(data)
    assert (peer.served / "scans" / "scan.bin").read_bytes() == data
    read = await READ.invoke(files, {"path": "scans/scan.bin", "toFile": "back/scan.bin"})
    assert isinstance(read, OperationResult) and read.payload is None
    assert (local / "back" / "scan.bin").read_bytes() == data
    with pytest.raises(InvalidInput, match=r"more than maxSize 1000 bytes; use toFile"):
        await READ.invoke(files, {"path": "scans/scan.bin", "maxSize": 1000})


@pytest.mark.parametrize("hostile", ["../outside.txt", "/../outside.txt", "a/../../outside.txt", "a\\..\\x"])
async def test_paths_that_leave_the_root_are_refused(files: FileConnection, peer: Peer, hostile: str) -> None:
    (peer.served.parent / "outside.txt").write_text("secret")
    for operation, values in (
        (READ, {"path": hostile}),
        (WRITE, {"path": hostile, "content": "x"}),
        (MOVE, {"path": "a.txt", "toPath": hostile}),
        (DELETE, {"path": hostile}),
        (LIST, {"folder": hostile}),
        (READ, {"path": "a.txt", "toFile": hostile}),
    ):
        with pytest.raises(InvalidInput, match=r"leads outside the connection's folder|must not hold"):
            await operation.invoke(files, values)
    assert (peer.served.parent / "outside.txt").read_text() == "secret"


async def test_a_local_symbolic_link_leading_out_of_the_root_is_refused(local_peer: Peer) -> None:
    (local_peer.served.parent / "outside.txt").write_text("secret")
    (local_peer.served / "up").symlink_to(local_peer.served.parent)
    async with file_connection(local_peer) as conn:
        with pytest.raises(InvalidInput, match=r"'up/outside.txt' leads outside the connection's folder"):
            await READ.invoke(conn, {"path": "up/outside.txt"})


async def test_a_refused_password_is_fatal(sftp_peer: Peer, ftp_peer: Peer) -> None:
    for peer in (sftp_peer, ftp_peer):
        with pytest.raises(FatalError, match=r"connecting connection exchange to .*: access refused"):
            await file_connection(peer, password="wrong-password").open()


async def test_an_ftp_server_without_tls_is_refused_when_tls_is_asked(ftp_peer: Peer) -> None:
    with pytest.raises(FatalError, match=r"access refused .*the server refused TLS"):
        await file_connection(ftp_peer, tls="explicit").open()


async def test_an_sftp_server_whose_host_key_is_unknown_is_refused(sftp_peer: Peer, tmp_path: Path) -> None:
    empty = tmp_path / "empty_known_hosts"
    empty.write_text("")
    with pytest.raises(FatalError, match="access refused"):
        await file_connection(sftp_peer, **{"known-hosts": str(empty)}).open()


def test_settings_that_do_not_fit_the_protocol_are_refused() -> None:
    from interlace.connectors.file import FileConfig

    with pytest.raises(ValueError, match="protocol sftp needs a host"):
        FileConfig.model_validate({"protocol": "sftp"})
    with pytest.raises(ValueError, match="a local folder takes no host"):
        FileConfig.model_validate({"protocol": "local", "host": "x"})
    with pytest.raises(ValueError, match="tls is for ftp"):
        FileConfig.model_validate({"protocol": "sftp", "host": "x", "tls": "explicit"})
