"""The ``s3.presignedUrl`` operation: a URL that lets its holder read or write one object for a while."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field

from interlace.connectors.s3.connection import S3_ERRORS, S3Connection, s3_failure
from interlace.connectors.s3.objects import Bucket, Key
from interlace.sdk import Param

__all__ = ["presigned_url"]


async def presigned_url(
    conn: S3Connection,
    bucket: Bucket,
    key: Key,
    *,
    method: Annotated[
        Literal["GET", "PUT"], Param("`GET` to let the holder read the object, `PUT` to let it upload one.")
    ] = "GET",
    expires: Annotated[
        int, Param("Seconds the URL is valid, up to seven days."), Field(ge=1, le=604_800)
    ] = 3600,
    contentType: Annotated[
        str | None, Param("`PUT`: the content type the upload must declare (it is part of the signature).")
    ] = None,
) -> str:
    """A presigned URL for one object: whoever holds it may read (`GET`) or upload (`PUT`) that object
    without credentials until it expires. Signing happens here, without a request to S3, so a missing
    object or bucket shows only when the URL is used.

    Returns:
        The URL, as text.
    """
    doing = f"s3.presignedUrl of {bucket}/{key} on connection {conn.name}"
    params: dict[str, Any] = {"Bucket": bucket, "Key": key}
    if method == "PUT" and contentType:
        params["ContentType"] = contentType
    operation = "get_object" if method == "GET" else "put_object"
    try:
        url = await conn.client.generate_presigned_url(operation, Params=params, ExpiresIn=expires)
    except S3_ERRORS as exc:
        raise s3_failure(exc, doing) from exc
    return str(url)
