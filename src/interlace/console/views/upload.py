"""Deploying a bundle uploaded from the browser: the form's parts are read as they arrive (the CSRF
token first, then the bundle, at most a bundle's size), and the bundle goes to the management API's
own deploy route."""

from __future__ import annotations

from aiohttp import BodyPartReader, web

from interlace.console.auth import KEYS
from interlace.console.context import Console, error_message
from interlace.console.pages import flash, redirect
from interlace.console.session import CSRF_FIELD
from interlace.errors import InterlaceError
from interlace.management.errors import BadRequestError
from interlace.runtime.bundles import MAX_BUNDLE_SIZE

__all__ = ["BUNDLE_FIELD", "upload_bundle"]

BUNDLE_FIELD = "bundle"


async def _bundle_of(console: Console) -> bytes:
    """The bundle's bytes of the posted form, once its CSRF token (the part before it) is checked."""
    keys = console.request.app[KEYS]
    try:
        form = await console.request.multipart()
        first = await form.next()
        token = await first.text() if isinstance(first, BodyPartReader) and first.name == CSRF_FIELD else None
        keys.check_csrf(console.session.token, {CSRF_FIELD: token})
        part = await form.next()
        if not isinstance(part, BodyPartReader) or part.name != BUNDLE_FIELD:
            raise BadRequestError("choose the bundle to deploy (a .zip made by interlace build)")
        chunks, size = [], 0
        while chunk := await part.read_chunk():
            size += len(chunk)
            if size > MAX_BUNDLE_SIZE:
                raise BadRequestError(f"a bundle may have at most {MAX_BUNDLE_SIZE} bytes")
            chunks.append(chunk)
    except (ValueError, AssertionError) as exc:  # what a malformed form makes the reader raise
        raise BadRequestError(f"the form cannot be read ({exc})") from exc
    data = b"".join(chunks)
    if not data:
        raise BadRequestError("choose the bundle to deploy (a .zip made by interlace build)")
    return data


async def upload_bundle(console: Console) -> web.StreamResponse:
    """``POST /console/deployments`` (multipart: ``csrf``, then ``bundle``): back to the projects,
    saying which version now runs or why the bundle was refused."""
    response = redirect("/console/")
    try:
        deployed = await console.call("deployBundle", body=await _bundle_of(console))
    except InterlaceError as exc:  # the management API's refusal (problems, conflicts) among them
        flash(response, "error", error_message(exc))
    else:
        flash(response, "notice", f"{deployed['name']} {deployed['version']} deployed and active")
    return response
