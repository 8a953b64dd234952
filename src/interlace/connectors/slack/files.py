"""Files: ``uploadFile``, Slack's two-step upload (files.getUploadURLExternal, the bytes sent to the URL
it gives, then files.completeUploadExternal to share the file)."""

from __future__ import annotations

import base64
import binascii
from typing import Annotated, Any, Literal

from interlace.connectors.slack.connection import SlackConnection
from interlace.sdk import FatalError, InvalidInput, Param

__all__ = ["upload_file"]


def _bytes(content: str, encoding: str) -> bytes:
    if encoding == "utf-8":
        return content.encode("utf-8")
    try:
        return base64.b64decode("".join(content.split()), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise InvalidInput(f"slack.uploadFile: content must be base64-encoded ({exc})") from exc


async def upload_file(
    conn: SlackConnection,
    filename: Annotated[str, Param("The file's name, as Slack shows it.", example="report.csv")],
    content: Annotated[str, Param("The file's content: text, or base64 with `contentEncoding: base64`.")],
    contentEncoding: Annotated[
        Literal["utf-8", "base64"], Param("How `content` is written: `utf-8` text or `base64` bytes.")
    ] = "utf-8",
    channel: Annotated[
        str | None, Param("The conversation to share the file in; without one the file stays private.")
    ] = None,
    title: Annotated[str | None, Param("The file's title; by default its name.")] = None,
    initialComment: Annotated[
        str | None, Param("A message introducing the file in the conversation.")
    ] = None,
    threadTs: Annotated[str | None, Param("The `ts` of the message whose thread gets the file.")] = None,
    altText: Annotated[str | None, Param("A description of an image, for screen readers.")] = None,
) -> dict[str, Any]:
    """Upload a file and share it in a conversation.

    Three calls, as Slack's upload works: files.getUploadURLExternal reserves the file, its bytes are
    sent to the upload URL Slack answered, and files.completeUploadExternal shares it. A file whose
    upload fails halfway is never completed, and Slack discards it.

    Returns:
        `{files: [{id, title}]}`: the completed file as Slack answered it.
    """
    if not filename.strip():
        raise InvalidInput("slack.uploadFile: filename must not be empty")
    data = _bytes(content, contentEncoding)
    if not data:
        raise InvalidInput("slack.uploadFile: the file is empty (Slack refuses empty files)")
    reserved = await conn.call(
        "uploadFile",
        "files.getUploadURLExternal",
        {"filename": filename, "length": len(data), "alt_txt": altText},
    )
    upload_url, file_id = reserved.get("upload_url"), reserved.get("file_id")
    if not isinstance(upload_url, str) or not isinstance(file_id, str):
        raise FatalError("slack.uploadFile: Slack answered files.getUploadURLExternal without an upload URL")
    await conn.upload("uploadFile", upload_url, data, filename)
    completed = await conn.call(
        "uploadFile",
        "files.completeUploadExternal",
        {
            "files": [{"id": file_id, "title": title or filename}], "channel_id": channel,
            "initial_comment": initialComment, "thread_ts": threadTs,
        },
        as_json=True,
    )  # fmt: skip
    files = completed.get("files")
    return {"files": files if isinstance(files, list) else []}
