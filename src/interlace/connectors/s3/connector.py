"""The ``s3`` connector object, with its operations and triggers."""

from __future__ import annotations

from interlace.connectors.s3.connection import S3Connection
from interlace.connectors.s3.notifications import notifications
from interlace.connectors.s3.objects import copy_object, delete_object, get_object, list_objects, put_object
from interlace.connectors.s3.poll import new_objects
from interlace.connectors.s3.presign import presigned_url
from interlace.sdk import Connector

__all__ = ["connector"]

connector = Connector(
    "s3",
    version="1.0.0",
    connection=S3Connection,
    description=(
        "Stores, reads, lists, copies and deletes objects in Amazon S3 or an S3-compatible store, signs"
        " URLs for them, and polls a bucket for new objects.\n\n"
        "Large objects go to and from files of the connection's `local-folder` without being held in"
        " memory (`putObject` with `fromFile`, `getObject` with `toFile`). Two triggers report new"
        " objects: `newObjects` lists a prefix, keeping its position in the runtime's checkpoint and"
        " passing an object only once it and every object before it were processed; `notifications`"
        " receives the bucket's event notifications from an SQS queue, deleting each message after its"
        " flow as `sqs.receive` does."
    ),
    operations=[
        ("putObject", put_object),
        ("getObject", get_object),
        ("listObjects", list_objects),
        ("deleteObject", delete_object),
        ("copyObject", copy_object),
        ("presignedUrl", presigned_url),
    ],
    triggers=[("newObjects", new_objects), notifications],
)
