"""Log levels, changed at run time, and the recent log lines the management server keeps in memory."""

from __future__ import annotations

import logging
import re
from typing import Any, Final

from interlace.management.context import iso_time
from interlace.management.errors import BadRequestError, NotFoundError
from interlace.management.routes import Call, QueryParam, Route, Schema, items_of, ref

__all__ = ["LEVELS", "ROUTES", "SCHEMAS"]

LEVELS: Final = ("CRITICAL", "ERROR", "WARNING", "INFO", "DEBUG", "NOTSET")
ROOT: Final = "root"
_OWN: Final = "interlace"
_NAME: Final = re.compile(r"^[A-Za-z_][\w.-]{0,199}$")
_log = logging.getLogger("interlace.management")

SCHEMAS: dict[str, Schema] = {
    "Logger": {
        "type": "object",
        "required": ["name", "level", "effectiveLevel"],
        "properties": {
            "name": {"type": "string", "description": "`root` is the root logger."},
            "level": {"enum": list(LEVELS), "description": "NOTSET: the parent's level applies."},
            "effectiveLevel": {"enum": list(LEVELS)},
        },
    },
    "LevelChange": {
        "type": "object",
        "required": ["level"],
        "additionalProperties": False,
        "properties": {"level": {"enum": list(LEVELS)}},
    },
    "LogLine": {
        "type": "object",
        "required": ["seq", "time", "level", "logger", "message", "correlationId"],
        "properties": {
            "seq": {
                "type": "integer",
                "description": "The line's number since the server started; pass it as `after` to follow.",
            },
            "time": {"type": "string", "format": "date-time"},
            "level": {"type": "string"},
            "logger": {"type": "string"},
            "message": {"type": "string"},
            "correlationId": {"type": ["string", "null"]},
        },
    },
}


def _existing() -> dict[str, logging.Logger]:
    loggers = {
        name: logger
        for name, logger in logging.root.manager.loggerDict.items()
        if isinstance(logger, logging.Logger)
    }
    return {ROOT: logging.getLogger(), **loggers}


def _view(name: str, logger: logging.Logger) -> dict[str, Any]:
    return {
        "name": name,
        "level": logging.getLevelName(logger.level),
        "effectiveLevel": logging.getLevelName(logger.getEffectiveLevel()),
    }


def _logger(name: str, *, create: bool) -> logging.Logger:
    """An existing logger, or (``create``) one of Interlace's own that has not logged yet."""
    existing = _existing().get(name)
    if existing is not None:
        return existing
    if create and _NAME.match(name) and (name == _OWN or name.startswith(_OWN + ".")):
        return logging.getLogger(name)
    raise NotFoundError(f"no logger named {name!r}; loggers are listed by GET /management/logging")


async def _list(call: Call) -> dict[str, Any]:
    loggers = _existing()
    shown = [
        name
        for name, logger in loggers.items()
        if name in (ROOT, _OWN) or name.startswith(_OWN + ".") or logger.level != logging.NOTSET
    ]
    return {"items": [_view(name, loggers[name]) for name in sorted(shown)]}


async def _get(call: Call) -> dict[str, Any]:
    name = call.path["logger"]
    return _view(name, _logger(name, create=False))


async def _set(call: Call) -> dict[str, Any]:
    name = call.path["logger"]
    level: str = call.body["level"]
    logger = _logger(name, create=True)
    if logger is logging.getLogger() and level == "NOTSET":
        raise BadRequestError("the root logger needs a level: NOTSET applies to other loggers only")
    logger.setLevel(level)
    _log.info("management: %s set the level of logger %s to %s", call.user, name, level)
    return _view(name, logger)


async def _recent(call: Call) -> dict[str, Any]:
    level: str = call.query["level"]
    logger: str = call.query.get("logger", "")
    lines = call.context.logs.lines(
        int(call.query["limit"]),
        logging.getLevelNamesMapping()[level],
        logger or None,
        int(call.query.get("after", 0)),
    )
    return {
        "items": [
            {
                "seq": line.seq,
                "time": iso_time(line.time),
                "level": line.level,
                "logger": line.logger,
                "message": line.message,
                "correlationId": line.correlation_id,
            }
            for line in lines
        ]
    }


ROUTES = (
    Route(
        "listLoggers",
        "GET",
        "/management/logging",
        _list,
        "Interlace's loggers, the root logger and every logger with its own level, with their levels",
        items_of(ref("Logger")),
        "logging",
        needs_deployment=False,
    ),
    Route(
        "getLogger",
        "GET",
        "/management/logging/{logger}",
        _get,
        "One logger's level",
        ref("Logger"),
        "logging",
        needs_deployment=False,
    ),
    Route(
        "setLoggerLevel",
        "PUT",
        "/management/logging/{logger}",
        _set,
        "Change a logger's level now",
        ref("Logger"),
        "logging",
        body=ref("LevelChange"),
        access="operator",
        needs_deployment=False,
        description="Any existing logger, or one of Interlace's own (`interlace.*`) before it has logged. "
        "The change lasts until the server stops.",
        every_worker=True,
    ),
    Route(
        "listLogLines",
        "GET",
        "/management/logs",
        _recent,
        "The most recent log lines, oldest first",
        items_of(ref("LogLine")),
        "logging",
        needs_deployment=False,
        query=(
            QueryParam(
                "limit",
                "The most lines to show.",
                {"type": "integer", "minimum": 1, "maximum": 1000, "default": 100},
            ),
            QueryParam(
                "level",
                "The lowest level to show.",
                {"enum": [level for level in LEVELS if level != "NOTSET"], "default": "DEBUG"},
            ),
            QueryParam("logger", "Only this logger and its children.", {"type": "string", "maxLength": 200}),
            QueryParam(
                "after",
                "Only lines numbered above this `seq` (to follow).",
                {"type": "integer", "minimum": 0},
            ),
        ),
    ),
)
