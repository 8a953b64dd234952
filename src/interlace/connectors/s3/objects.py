"""The ``s3`` object operations: put, get, delete, copy and list objects.

Large objects travel as files without being held whole in memory: ``putObject`` with ``fromFile``
sends a file of the connection's local folder as it reads it, and ``getObject`` with ``toFile`` writes
the object there chunk by chunk (into a temporary file renamed at the end, so a reader never sees half
an object).
"""

from __future__ import annotations

import asyncio
import mimetypes
import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import IO, Annotated, Any

from pydantic import Field

from interlace.connectors.s3.connection import S3_ERRORS, S3Connection, s3_failure
from interlace.sdk import InvalidInput, OperationResult, Param, encode_body, write_file

__all__ = ["copy_object", "delete_object", "get_object", "list_objects", "put_object"]

_CHUNK = 1024 * 1024

Bucket = Annotated[str, Param("The bucket.", example="clinic-reports"), Field(min_length=1)]
Key = Annotated[str, Param("The object's key.", example="reports/${vars.id}.json"), Field(min_length=1)]


async def put_object(
    conn: S3Connection,
    bucket: Bucket,
    key: Key,
    *,
    body: Annotated[
        object,
        Param(
            "The object's content: text as UTF-8, bytes as they are, any other value as JSON.",
            example="${payload}",
        ),
    ] = None,
    fromFile: Annotated[
        str | None,
        Param(
            "Upload this file of the connection's local folder instead of `body`, streamed (5 GiB at most).",
        ),
    ] = None,
    contentType: Annotated[
        str | None, Param("The object's content type; by default it follows from the body.")
    ] = None,
    metadata: Annotated[
        dict[str, str] | None, Param("User metadata stored with the object (`x-amz-meta-*`).")
    ] = None,
) -> OperationResult:
    """Store an object (`PutObject`), replacing one of that key.

    Returns:
        Nothing as payload; the attributes `bucket`, `key`, `etag`, `versionId` (versioned buckets) and
        `size`. A missing bucket or refused credentials are fatal.
    """
    doing = f"s3.putObject of {bucket}/{key} on connection {conn.name}"
    request: dict[str, Any] = {"Bucket": bucket, "Key": key, "Metadata": dict(metadata or {})}
    opened: IO[bytes] | None = None
    if fromFile is not None:
        if body is not None:
            raise InvalidInput(f"{doing}: give body or fromFile, not both")
        path = conn.local_file(fromFile, doing, "fromFile")
        try:
            opened = await asyncio.to_thread(path.open, "rb")
            size = (await asyncio.to_thread(os.fstat, opened.fileno())).st_size
        except OSError as exc:
            raise InvalidInput(f"{doing}: fromFile {fromFile!r} cannot be read ({exc.strerror})") from exc
        request.update(Body=opened, ContentLength=size, ContentType=contentType or _guess(path))
    else:
        data, media = encode_body(body if body is not None else b"", contentType, doing, "body")
        size = len(data)
        request.update(Body=data, ContentType=media)
    try:
        answer = await conn.client.put_object(**request)
    except S3_ERRORS as exc:
        raise s3_failure(exc, doing) from exc
    finally:
        if opened is not None:
            opened.close()
    return OperationResult(
        None,
        attributes={
            "bucket": bucket,
            "key": key,
            "etag": str(answer.get("ETag", "")).strip('"'),
            "versionId": answer.get("VersionId"),
            "size": size,
        },
    )


async def get_object(
    conn: S3Connection,
    bucket: Bucket,
    key: Key,
    *,
    toFile: Annotated[
        str | None,
        Param(
            "Write the object to this file of the connection's local folder (streamed, replaced if"
            " there) instead of the payload.",
        ),
    ] = None,
    maxSize: Annotated[
        int,
        Param(
            "Bytes an object read into the payload may have at most; a larger one is refused (use `toFile`)."
        ),
        Field(gt=0),
    ] = 64 * 1024 * 1024,
) -> OperationResult:
    """Read an object (`GetObject`).

    Returns:
        The object's bytes with its content type (nothing with `toFile`); the attributes `bucket`, `key`,
        `size`, `etag`, `contentType`, `lastModified` (ISO 8601), `metadata` and, with `toFile`, `file`.
        A missing bucket or object is fatal, an object larger than `maxSize` invalid input.
    """
    doing = f"s3.getObject of {bucket}/{key} on connection {conn.name}"
    target = conn.local_file(toFile, doing, "toFile") if toFile is not None else None
    try:
        answer = await conn.client.get_object(Bucket=bucket, Key=key)
    except S3_ERRORS as exc:
        raise s3_failure(exc, doing) from exc
    size = int(answer.get("ContentLength", 0))
    content_type = str(answer.get("ContentType") or "application/octet-stream")
    attributes: dict[str, Any] = {
        "bucket": bucket,
        "key": key,
        "size": size,
        "etag": str(answer.get("ETag", "")).strip('"'),
        "contentType": content_type,
        "lastModified": answer["LastModified"].isoformat() if answer.get("LastModified") else None,
        "metadata": dict(answer.get("Metadata") or {}),
    }
    async with answer["Body"] as stream:
        if target is not None:
            await _download(stream, target, doing)
            return OperationResult(None, attributes={**attributes, "file": toFile})
        if size > maxSize:
            raise InvalidInput(
                f"{doing}: the object has {size} bytes, more than maxSize {maxSize}; use toFile"
            )
        try:
            data = await stream.read()
        except S3_ERRORS as exc:
            raise s3_failure(exc, doing) from exc
    return OperationResult(data, headers={"content-type": content_type}, attributes=attributes)


async def _download(stream: Any, target: Path, doing: str) -> None:
    try:
        await write_file(target, _chunks(stream))
    except OSError as exc:
        if isinstance(exc, ConnectionError | TimeoutError):
            raise s3_failure(exc, doing) from exc
        raise InvalidInput(f"{doing}: toFile cannot be written ({exc.strerror or exc})") from exc
    except S3_ERRORS as exc:
        raise s3_failure(exc, doing) from exc


async def _chunks(stream: Any) -> AsyncIterator[bytes]:
    while chunk := await stream.read(_CHUNK):
        yield chunk


async def delete_object(
    conn: S3Connection,
    bucket: Bucket,
    key: Key,
    *,
    versionId: Annotated[str | None, Param("Delete this version (versioned buckets).")] = None,
) -> OperationResult:
    """Delete an object (`DeleteObject`); deleting a missing key succeeds, as S3 answers.

    Returns:
        Nothing as payload; the attributes `bucket`, `key`, `versionId` and `deleteMarker`.
    """
    doing = f"s3.deleteObject of {bucket}/{key} on connection {conn.name}"
    request: dict[str, Any] = {"Bucket": bucket, "Key": key}
    if versionId is not None:
        request["VersionId"] = versionId
    try:
        answer = await conn.client.delete_object(**request)
    except S3_ERRORS as exc:
        raise s3_failure(exc, doing) from exc
    return OperationResult(
        None,
        attributes={
            "bucket": bucket,
            "key": key,
            "versionId": answer.get("VersionId"),
            "deleteMarker": bool(answer.get("DeleteMarker", False)),
        },
    )


async def copy_object(
    conn: S3Connection,
    sourceBucket: Annotated[str, Param("The bucket to copy from."), Field(min_length=1)],
    sourceKey: Annotated[str, Param("The key to copy."), Field(min_length=1)],
    bucket: Annotated[str, Param("The bucket to copy to."), Field(min_length=1)],
    key: Annotated[str, Param("The copy's key."), Field(min_length=1)],
) -> OperationResult:
    """Copy an object within S3 (`CopyObject`: the bytes do not pass through Interlace; 5 GiB at most),
    metadata and content type kept.

    Returns:
        Nothing as payload; the attributes `bucket`, `key`, `etag` and `versionId` of the copy.
    """
    doing = f"s3.copyObject of {sourceBucket}/{sourceKey} to {bucket}/{key} on connection {conn.name}"
    try:
        answer = await conn.client.copy_object(
            Bucket=bucket, Key=key, CopySource={"Bucket": sourceBucket, "Key": sourceKey}
        )
    except S3_ERRORS as exc:
        raise s3_failure(exc, doing) from exc
    result = answer.get("CopyObjectResult", {})
    return OperationResult(
        None,
        attributes={
            "bucket": bucket,
            "key": key,
            "etag": str(result.get("ETag", "")).strip('"'),
            "versionId": answer.get("VersionId"),
        },
    )


async def list_objects(
    conn: S3Connection,
    bucket: Bucket,
    *,
    prefix: Annotated[str, Param("Only keys that start with this.", example="reports/2024/")] = "",
    delimiter: Annotated[
        str | None,
        Param(
            "Group keys by this (`/`): what lies below a group is left out, the group listed in `prefixes`."
        ),
    ] = None,
    maxKeys: Annotated[int, Param("Keys in one answer at most."), Field(ge=1, le=1000)] = 1000,
    continueFrom: Annotated[
        str | None, Param("The next page: the `continueFrom` of the previous answer.")
    ] = None,
) -> dict[str, Any]:
    """List objects in key order (`ListObjectsV2`), one page.

    Returns:
        `{objects: [{key, size, etag, lastModified}], prefixes: [...], continueFrom}`: `continueFrom` is
        null on the last page, otherwise what to pass as `continueFrom` for the next.
    """
    doing = f"s3.listObjects of bucket {bucket} on connection {conn.name}"
    request: dict[str, Any] = {"Bucket": bucket, "Prefix": prefix, "MaxKeys": maxKeys}
    if delimiter:
        request["Delimiter"] = delimiter
    if continueFrom:
        request["ContinuationToken"] = continueFrom
    try:
        answer = await conn.client.list_objects_v2(**request)
    except S3_ERRORS as exc:
        raise s3_failure(exc, doing) from exc
    return {
        "objects": [object_facts(item) for item in answer.get("Contents", [])],
        "prefixes": [item["Prefix"] for item in answer.get("CommonPrefixes", [])],
        "continueFrom": answer.get("NextContinuationToken") if answer.get("IsTruncated") else None,
    }


def object_facts(item: dict[str, Any]) -> dict[str, Any]:
    """An object of a listing as JSON: key, size, etag and lastModified (ISO 8601)."""
    return {
        "key": item["Key"],
        "size": int(item.get("Size", 0)),
        "etag": str(item.get("ETag", "")).strip('"'),
        "lastModified": item["LastModified"].isoformat(),
    }


def _guess(path: Path) -> str:
    return mimetypes.guess_type(path.name)[0] or "application/octet-stream"
