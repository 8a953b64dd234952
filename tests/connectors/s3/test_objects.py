"""s3 operations against moto's server: objects stored, read, listed, copied and deleted; large objects
streamed through files of the local folder; presigned URLs that work without credentials; errors."""

from __future__ import annotations

import os
from pathlib import Path

import aiohttp
import pytest

from interlace.connectors.s3 import S3Connection, connector
from interlace.sdk import FatalError, InvalidInput, OperationResult

from .conftest import s3_connection

pytestmark = pytest.mark.needs("sqs")

PUT, GET, LIST = (connector.get_operation(name) for name in ("putObject", "getObject", "listObjects"))
COPY, DELETE, PRESIGN = (
    connector.get_operation(name) for name in ("copyObject", "deleteObject", "presignedUrl")
)


async def test_an_object_put_is_read_back_with_its_content_type_and_metadata(
    conn: S3Connection, bucket: str
) -> None:
    put = await PUT.invoke(
        conn,
        {"bucket": bucket, "key": "r/1.json", "body": {"patient": "p-1"}, "metadata": {"source": "clinic"}},
    )
    assert isinstance(put, OperationResult)
    assert put.attributes["size"] == len(b'{"patient":"p-1"}')
    got = await GET.invoke(conn, {"bucket": bucket, "key": "r/1.json"})
    assert isinstance(got, OperationResult)
    assert got.payload == b'{"patient":"p-1"}'
    assert got.headers == {"content-type": "application/json"}
    assert got.attributes["metadata"] == {"source": "clinic"}
    assert got.attributes["etag"] == put.attributes["etag"]


async def test_a_large_object_goes_from_a_file_and_to_a_file_streamed(
    conn: S3Connection, bucket: str, local: Path
) -> None:
    data = os.urandom(3 * 1024 * 1024 + 17)
    (local / "out").mkdir()
    (local / "out" / "scan.bin").write_bytes(data)
    put = await PUT.invoke(conn, {"bucket": bucket, "key": "scan.bin", "fromFile": "out/scan.bin"})
    assert isinstance(put, OperationResult)
    assert put.attributes["size"] == len(data)
    got = await GET.invoke(conn, {"bucket": bucket, "key": "scan.bin", "toFile": "in/scan.bin"})
    assert isinstance(got, OperationResult)
    assert got.payload is None
    assert (local / "in" / "scan.bin").read_bytes() == data
    assert sorted(p.name for p in (local / "in").iterdir()) == ["scan.bin"]  # no partial file left
    too_big = {"bucket": bucket, "key": "scan.bin", "maxSize": 1024}
    with pytest.raises(InvalidInput, match=r"has 3145745 bytes, more than maxSize 1024; use toFile"):
        await GET.invoke(conn, too_big)


@pytest.mark.parametrize("hostile", ["../escape.bin", "/../../etc/passwd", "a/../../x"])
async def test_a_file_outside_the_local_folder_is_refused(
    conn: S3Connection, bucket: str, hostile: str
) -> None:
    with pytest.raises(InvalidInput, match="leads outside the connection's folder"):
        await GET.invoke(conn, {"bucket": bucket, "key": "k", "toFile": hostile})
    with pytest.raises(InvalidInput, match="leads outside the connection's folder"):
        await PUT.invoke(conn, {"bucket": bucket, "key": "k", "fromFile": hostile})


async def test_files_need_a_local_folder(sqs_endpoint: str, bucket: str) -> None:
    async with s3_connection(sqs_endpoint) as conn:
        with pytest.raises(InvalidInput, match="fromFile needs the connection's local-folder setting"):
            await PUT.invoke(conn, {"bucket": bucket, "key": "k", "fromFile": "a.bin"})


async def test_listing_pages_and_groups_keys(conn: S3Connection, bucket: str) -> None:
    for key in ("a/1.txt", "a/2.txt", "a/3.txt", "a/deep/4.txt", "b/5.txt"):
        await PUT.invoke(conn, {"bucket": bucket, "key": key, "body": key})
    first = await LIST.invoke(conn, {"bucket": bucket, "prefix": "a/", "maxKeys": 2})
    assert [o["key"] for o in first["objects"]] == ["a/1.txt", "a/2.txt"]
    assert first["objects"][0]["size"] == 7
    rest = await LIST.invoke(conn, {"bucket": bucket, "prefix": "a/", "continueFrom": first["continueFrom"]})
    assert [o["key"] for o in rest["objects"]] == ["a/3.txt", "a/deep/4.txt"]
    assert rest["continueFrom"] is None
    grouped = await LIST.invoke(conn, {"bucket": bucket, "prefix": "a/", "delimiter": "/"})
    assert [o["key"] for o in grouped["objects"]] == ["a/1.txt", "a/2.txt", "a/3.txt"]
    assert grouped["prefixes"] == ["a/deep/"]


async def test_an_object_is_copied_and_deleted(conn: S3Connection, bucket: str) -> None:
    await PUT.invoke(
        conn, {"bucket": bucket, "key": "src.txt", "body": "grand oak", "contentType": "text/x-note"}
    )
    await COPY.invoke(
        conn, {"sourceBucket": bucket, "sourceKey": "src.txt", "bucket": bucket, "key": "dst.txt"}
    )
    copied = await GET.invoke(conn, {"bucket": bucket, "key": "dst.txt"})
    assert isinstance(copied, OperationResult)
    assert (copied.payload, copied.headers["content-type"]) == (b"grand oak", "text/x-note")
    await DELETE.invoke(conn, {"bucket": bucket, "key": "src.txt"})
    listed = await LIST.invoke(conn, {"bucket": bucket})
    assert [o["key"] for o in listed["objects"]] == ["dst.txt"]


async def test_presigned_urls_read_and_write_without_credentials(conn: S3Connection, bucket: str) -> None:
    await PUT.invoke(conn, {"bucket": bucket, "key": "shared.txt", "body": "for the partner"})
    read_url = await PRESIGN.invoke(conn, {"bucket": bucket, "key": "shared.txt", "expires": 60})
    write_url = await PRESIGN.invoke(
        conn, {"bucket": bucket, "key": "upload.txt", "method": "PUT", "contentType": "text/plain"}
    )
    async with aiohttp.ClientSession() as http:
        async with http.get(read_url) as answer:
            assert (answer.status, await answer.read()) == (200, b"for the partner")
        async with http.put(
            write_url, data=b"from the partner", headers={"Content-Type": "text/plain"}
        ) as answer:
            assert answer.status == 200
    uploaded = await GET.invoke(conn, {"bucket": bucket, "key": "upload.txt"})
    assert isinstance(uploaded, OperationResult)
    assert uploaded.payload == b"from the partner"


async def test_a_missing_bucket_or_object_is_fatal(conn: S3Connection, bucket: str) -> None:
    with pytest.raises(
        FatalError, match=r"s3.getObject of .*/nothing on connection store: the object does not exist"
    ):
        await GET.invoke(conn, {"bucket": bucket, "key": "nothing"})
    with pytest.raises(FatalError, match="the bucket does not exist"):
        await PUT.invoke(conn, {"bucket": bucket + "-missing", "key": "k", "body": "x"})
