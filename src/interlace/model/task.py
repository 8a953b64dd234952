"""Scheduled task definitions: the files in `tasks/` (one `task:` per document). These classes only
describe and validate; `interlace.inbound` runs them.

A **task** injects a message into a sequence on a schedule: every interval, at the ticks of a cron
expression, or once. Each run builds a fresh message from the task's payload and variables (templates
are evaluated at that run, so `${now()}` is the run's time) and runs the sequence on it.

```yaml
task: NightlyReport
cron: "0 2 * * *"
sequence: BuildReport
payload: {kind: nightly, region: "${configs.region}", at: "${now()}"}
variables: {recipients: "${configs.reportRecipients}"}
coordination: true
```

----

## Behaviour

- **Runs never overlap.** A tick that comes while a run is still going waits for it; ticks are not
  queued up (a run that takes longer than the interval delays the next one).
- **Failures** are recorded (`failures`, `last_error`) and the schedule goes on. A run whose flow
  settles is not a failure: an error the sequence's own on-error flow handles is not a failure (see
  how a flow ends in the README); one the on-error flow raises again is.
- **State** (management API, `runtime.services.state("task", name)`): `status` (`active`, `inactive`,
  `standby` for a coordinated task another node runs, `done` for a `once` task that ran), `runs`,
  `failures`, `running`, `last_run` and `next_run` (seconds since the epoch; ISO 8601 in the
  management API), `restarts`, `last_error`.
- **Operations** (`runtime.services`): `activate("task", name)`, `deactivate("task", name)` (a run in
  progress finishes; the task stays inactive across redeploys and restarts until activated) and
  `service("task", name).trigger_now()` (run once now, on this node, active or not; the schedule is
  unchanged).
- Tasks start after the message processors and stop before them, on start, redeploy and shutdown.

## Coordination

Several nodes running the same project share a PostgreSQL **coordination database**, named in
`interlace.toml` (or per profile, `[profiles.NAME.coordination]`); without it coordination is off and
every node runs everything.

```toml
[coordination]
dsn = "${env.COORDINATION_DSN}"   # postgresql://USER[:PASSWORD]@HOST:5432/DB
lease = "15s"                     # a dead holder is replaced after at most this long
renew = "5s"                      # how often the holder renews (shorter than lease)
node = "node-1"                   # default: host name, process id and a random part
share-deployments = true          # bundles deployed to one node run on all (see deployment.md)
```

A task (or polling inbound endpoint, or message processor) with `coordination: true` runs only on the
node holding its lease, a row of the table `interlace_leases` (created when missing) named
`PROJECT/task/NAME`. The holder renews it every `renew`; expiries are computed with the database's
clock. A node that stops releases its leases first, before it finishes its requests in flight, and
announces it (PostgreSQL `NOTIFY`), so a waiting node takes over at once (at the latest at its next
try, within `renew`); a node that dies stops
renewing, and another takes over once the lease expired (within `lease` + `renew`). A holder that
cannot renew (the database is unreachable, or the lease was taken) stops the work at once and waits.
A `once` task keeps its lease after running, so no other node runs it again while the holder lives."""

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
    """A scheduled message injection: the `task:` document of `tasks/NAME.yaml`.

    Exactly one of `interval`, `cron` and `once` is given; `payload` and `text` exclude each other. Problems
    (two schedules, a bad cron expression, an unknown sequence with a did-you-mean hint, a bad expression)
    are reported at load time at their lines."""

    task: TaskName
    """The task's name."""
    description: str = ""
    """Free text."""
    interval: PositiveDuration | None = None
    """Run at activation, then every interval (`30s`, `500ms`, `5m`). One schedule (`interval`, `cron` or
    `once`) is required."""
    cron: CronText | None = None
    """Run at each tick of a five-field cron expression (minute hour day month weekday), local time."""
    once: Literal[True] | datetime | None = None
    """`true`: run once at activation; a date-time (`2030-01-01T09:00:00+01:00`): run once at that time, if it
    is still to come when the task is activated (a naive time is local time)."""
    sequence: TaskName
    """The sequence that receives the message."""
    payload: Any = None
    """The message's JSON payload; strings may hold `${...}` (`${now()}`), evaluated at each run. Empty by
    default."""
    text: str | None = None
    """Instead of `payload`: a text payload (a template)."""
    content_type: str | None = None
    """The content type of a `text` payload (default `text/plain; charset=utf-8`)."""
    variables: dict[str, Any] = Field(default_factory=dict)
    """Variables set before the sequence runs (`${vars.name}`); values are templates and may use
    `${payload...}`."""
    active: bool = True
    """Start the task with the runtime; `false`: deployed but not scheduled until activated."""
    coordination: bool = False
    """Run on exactly one node among those sharing the coordination database (`[coordination]` in
    interlace.toml, below)."""

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
