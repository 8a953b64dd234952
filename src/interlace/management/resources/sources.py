"""A running project's source files: reading one, and adding or changing one step of a flow in it. The
server edits the project folder it runs from (keeping comments and layout elsewhere in the file),
checks the project and deploys it again only when it has no problem
(:class:`~interlace.runtime.sources.ProjectSources`). Admins only: the files are the project."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Final

import orjson

from interlace.errors import ConfigError
from interlace.management.context import iso_time
from interlace.management.errors import BadRequestError, ConflictError
from interlace.management.routes import Call, QueryParam, Route, Schema, ref
from interlace.model.yamlsource import line_of, load_yaml

if TYPE_CHECKING:
    from interlace.model.yamledit import YamlPath

__all__ = ["ROUTES", "SCHEMAS"]

_log = logging.getLogger("interlace.management")
_FILE: Final[Schema] = {"type": "string", "minLength": 1, "maxLength": 500}
_PATH: Final[Schema] = {
    "type": "array",
    "minItems": 1,
    "maxItems": 64,
    "items": {"type": ["string", "integer"]},
    "description": "Keys and list positions from the file's root to the step, as the flow diagrams' "
    '`data-path` names it: `["resources", 1, "flow", 5]`.',
}

SCHEMAS: dict[str, Schema] = {
    "SourceFile": {
        "type": "object",
        "required": ["project", "file", "text"],
        "properties": {"project": {"type": "string"}, "file": {"type": "string"}, "text": {"type": "string"}},
    },
    "FlowStep": {
        "type": "object",
        "required": ["project", "file", "path", "line", "step"],
        "properties": {
            "project": {"type": "string"},
            "file": {"type": "string"},
            "path": _PATH,
            "line": {"type": "integer"},
            "step": {"description": "The step as written: `{kind: options}`, `{kind: shorthand}` or `kind`."},
        },
    },
    "FlowStepEdit": {
        "type": "object",
        "required": ["file", "path", "step"],
        "additionalProperties": False,
        "properties": {
            "file": {**_FILE, "description": "The YAML file, relative to the project folder."},
            "path": _PATH,
            "step": {
                "type": "object",
                "minProperties": 1,
                "maxProperties": 1,
                "description": "One mediator or operation: `{kind: {options}}` "
                "(see `GET /management/steps`).",
            },
        },
    },
    "SourceEdit": {
        "type": "object",
        "required": ["project", "version", "file", "line", "deployedAt"],
        "properties": {
            "project": {"type": "string"},
            "version": {"type": "string"},
            "file": {"type": "string"},
            "line": {"type": "integer", "description": "Where the step now is written."},
            "deployedAt": {"type": ["string", "null"], "format": "date-time"},
            "notes": {"type": "array", "items": {"type": "string"}},
        },
    },
}


def _path_query(raw: str) -> list[str | int]:
    try:
        path = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise BadRequestError(
            f'query parameter path must be a JSON list such as ["flow", 0] ({exc})'
        ) from exc
    if not isinstance(path, list) or not path or not all(isinstance(p, str | int) for p in path):
        raise BadRequestError(
            'query parameter path must be a JSON list of keys and positions, such as ["flow", 0]'
        )
    return path


async def _file(call: Call) -> dict[str, Any]:
    name, file = call.path["name"], call.query["file"]
    text = call.context.runtime.deployments.sources.read(name, file)
    return {"project": name, "file": file, "text": text}


async def _step(call: Call) -> dict[str, Any]:
    name, file = call.path["name"], call.query["file"]
    text = call.context.runtime.deployments.sources.read(name, file)  # 404 first: no such project or file
    path = _path_query(call.query["path"])
    from interlace.model.yamledit import step_at  # ruamel.yaml loads at the first edit, not at start

    try:
        step = step_at(text, path, file)
    except ConfigError as exc:
        raise ConflictError(exc.message) from exc
    return {
        "project": name,
        "file": file,
        "path": path,
        "line": line_of(load_yaml(text, file), tuple(path)),
        "step": step,
    }


async def _edit(call: Call, edit: Callable[[str, YamlPath, Any, str], str], verb: str) -> dict[str, Any]:
    name, body = call.path["name"], call.body
    file, path, step = body["file"], body["path"], body["step"]

    def change(text: str) -> str:
        try:
            return edit(text, path, step, file)
        except ConfigError as exc:
            raise ConflictError(exc.message) from exc

    sources = call.context.runtime.deployments.sources
    done = await sources.edit(name, file, change)
    info = done.info
    line = line_of(load_yaml(sources.read(name, file), file), tuple(path))
    _log.info(
        "management: %s %s a %s step in %s:%d of %s", call.user, verb, next(iter(step)), file, line, name
    )
    answer: dict[str, Any] = {
        "project": info.name,
        "version": info.version,
        "file": file,
        "line": line,
        "deployedAt": iso_time(info.deployed_at) if info.deployed_at is not None else None,
    }
    if info.notes:
        answer["notes"] = list(info.notes)
    return answer


async def _insert(call: Call) -> dict[str, Any]:
    from interlace.model.yamledit import insert_step

    return await _edit(call, insert_step, "added")


async def _replace(call: Call) -> dict[str, Any]:
    from interlace.model.yamledit import replace_step

    return await _edit(call, replace_step, "changed")


_WHERE = (QueryParam("file", "The YAML file, relative to the project folder.", _FILE, required=True),)
_EDITS = (
    "The server edits the file in the project folder it runs from, keeping comments and layout "
    "elsewhere in the file, then checks the whole project as `interlace check` does and deploys it again "
    "only when it has no problem. 422 `EDIT_REFUSED` lists the problems (`file:line: message`) and the "
    "file keeps its old text; 409 `NOT_EDITABLE` for a project deployed as a bundle (it has no source on "
    "the server) or a file the server may not write, 409 `CONFLICT` when nothing is at `path` any more."
)

ROUTES = (
    Route(
        "getProjectFile",
        "GET",
        "/management/projects/{name}/files",
        _file,
        "One YAML file of a running project's folder",
        ref("SourceFile"),
        "sources",
        access="admin",
        errors=(409,),
        query=_WHERE,
        description="409 `NOT_EDITABLE` for a project deployed as a bundle.",
    ),
    Route(
        "getFlowStep",
        "GET",
        "/management/projects/{name}/steps",
        _step,
        "One step of a flow, as written in the project's file",
        ref("FlowStep"),
        "sources",
        access="admin",
        errors=(409,),
        query=(
            *_WHERE,
            QueryParam("path", 'Where the step is, as a JSON list: `["flow", 0]`.', _FILE, required=True),
        ),
    ),
    Route(
        "insertFlowStep",
        "POST",
        "/management/projects/{name}/steps",
        _insert,
        "Add a step to a flow in the project's file, check and redeploy the project",
        ref("SourceEdit"),
        "sources",
        status=201,
        body=ref("FlowStepEdit"),
        errors=(409, 422),
        description="`path` ends with the position the step takes (the flow's length appends it). " + _EDITS,
    ),
    Route(
        "replaceFlowStep",
        "PUT",
        "/management/projects/{name}/steps",
        _replace,
        "Change a step of a flow in the project's file, check and redeploy the project",
        ref("SourceEdit"),
        "sources",
        body=ref("FlowStepEdit"),
        errors=(409, 422),
        description="A step of the same kind keeps the options that do not change as they were written. "
        + _EDITS,
    ),
)
