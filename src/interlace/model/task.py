"""Scheduled task definitions: the files in ``tasks/`` (one ``task:`` per document).

A task injects a message into a sequence on a schedule: every ``interval``, at the ticks of a ``cron``
expression, or ``once`` (at activation, or at a given date-time). The message's payload is ``payload``
(a JSON value whose strings may hold ``${...}``, evaluated at each run) or ``text``.

```yaml
task: NightlyReport
cron: "0 2 * * *"
sequence: BuildReport
payload: {kind: nightly, at: "${now()}"}
variables: {recipients: "${configs.reportRecipients}"}
coordination: true
```

These classes only describe and validate; :mod:`interlace.inbound` runs them.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any, Final, Literal

from pydantic import AfterValidator, Field, model_validator

from interlace.model.base import Definition
from interlace.model.durations import PositiveDuration

__all__ = ["CronText", "TaskDefinition", "TaskName"]

_NAME: Final = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")


def _name(name: str) -> str:
    if not _NAME.match(name):
        raise ValueError("must start with a letter or _ and hold only letters, digits, _ . -")
    return name


def _cron(expression: str) -> str:
    from croniter import croniter

    if not croniter.is_valid(expression) or len(expression.split()) != 5:
        raise ValueError("must be a cron expression of five fields like '*/5 * * * *'")
    return expression


TaskName = Annotated[str, AfterValidator(_name)]
"""An artifact name: a letter or ``_`` first, then letters, digits, ``_``, ``.`` and ``-``."""

CronText = Annotated[str, AfterValidator(_cron)]
"""A five-field cron expression (minute hour day-of-month month day-of-week), local time."""


class TaskDefinition(Definition):
    """A scheduled message injection: the ``task:`` document of ``tasks/NAME.yaml``."""

    task: TaskName
    description: str = ""
    interval: PositiveDuration | None = None
    """Run at activation, then every interval (``30s``, ``5m``)."""
    cron: CronText | None = None
    """Run at each tick of a five-field cron expression, in local time."""
    once: Literal[True] | datetime | None = None
    """``true``: run once when activated; a date-time (``2030-01-01T09:00:00+01:00``): run once at that
    time, if it is still to come when the task is activated."""
    sequence: TaskName
    """The sequence that receives the message."""
    payload: Any = None
    """The message's JSON payload; strings may hold ``${...}`` (``${now()}``), evaluated at each run."""
    text: str | None = None
    """Instead of ``payload``: a text payload (a template too)."""
    content_type: str | None = None
    """The content type of a ``text`` payload (default ``text/plain; charset=utf-8``)."""
    variables: dict[str, Any] = Field(default_factory=dict)
    """Variables set on the message before the sequence runs (``${vars.name}``); values are templates."""
    active: bool = True
    """Start the task with the runtime; ``false`` leaves it inactive until activated."""
    coordination: bool = False
    """Among several nodes sharing the coordination database (``[coordination]`` in interlace.toml),
    run the task on exactly one of them."""

    @property
    def name(self) -> str:
        return self.task

    @property
    def schedule_kind(self) -> Literal["interval", "cron", "once"]:
        if self.interval is not None:
            return "interval"
        return "cron" if self.cron is not None else "once"

    @model_validator(mode="after")
    def _one_schedule_one_payload(self) -> TaskDefinition:
        given = [
            key
            for key, value in (("interval", self.interval), ("cron", self.cron), ("once", self.once))
            if value is not None
        ]
        if len(given) != 1:
            got = " and ".join(given) if given else "none of them"
            raise ValueError(f"give exactly one schedule: interval, cron or once (got {got})")
        if self.text is not None and "payload" in self.model_fields_set:
            raise ValueError("give payload or text, not both")
        if self.content_type is not None and self.text is None:
            raise ValueError("content-type is for a text payload: give text too")
        return self
