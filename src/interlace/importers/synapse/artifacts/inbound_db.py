"""The DB event listener inbound endpoint (``class="...DBEventPollingConsumer"``) -> ``db.poll``.

The JDBC ``url`` (PostgreSQL, MySQL, MariaDB) and ``username`` become a ``db`` connection
(``connections/NAME-db.yaml``, the password as the secret ``${secret.NAME_PASSWORD}``); ``tableName``,
``primaryKey`` and ``interval`` (milliseconds) the trigger's ``table``, ``keyColumn`` and ``poll``.
``filteringCriteria`` ``byLastUpdatedTimestampColumn`` polls in the order of ``filteringColumnName``
(``orderColumn``); the other criteria (a boolean column flipped, rows deleted after polling) change
the table, which ``db.poll`` never does: they are approximated by polling on the key.
"""

from __future__ import annotations

import re
from typing import Any, Final

from interlace.importers.synapse.artifacts.inbound import inbound_source
from interlace.importers.synapse.artifacts.store import Parameters, secret_reference
from interlace.importers.synapse.conversion import Conversion

__all__ = ["db_event_source"]

_JDBC: Final = re.compile(r"^jdbc:(postgresql|mysql|mariadb)://([^/?]+)/([^?;]+)")
_DRIVERS: Final = {"postgresql": "postgresql+asyncpg", "mysql": "mysql+aiomysql", "mariadb": "mysql+aiomysql"}
_USED: Final = frozenset(
    {
        "driverName",
        "url",
        "username",
        "password",
        "tableName",
        "primaryKey",
        "interval",
        "filteringCriteria",
        "filteringColumnName",
        "connectionValidationQuery",
    }
)


@inbound_source("DBEventPollingConsumer", used=_USED)
def db_event_source(name: str, params: Parameters, conversion: Conversion) -> dict[str, Any] | None:
    url = params.value("url")
    match = _JDBC.match(url)
    table, key = params.value("tableName"), params.value("primaryKey")
    if match is None or not table or not key:
        conversion.unsupported(
            params.owner,
            f"inbound endpoint {name} (database {url or 'without url'})",
            "give a PostgreSQL, MySQL or MariaDB url, tableName and primaryKey",
        )
        return None
    kind, host, database = match.groups()
    user = params.value("username")
    settings: dict[str, Any] = {"url": f"{_DRIVERS[kind]}://{user + '@' if user else ''}{host}/{database}"}
    if "password" in params:
        settings["password"] = secret_reference(name, "password")
        conversion.approximated(
            params.at("password"), f"inbound endpoint {name} password", f"read from {settings['password']}"
        )
    connection = f"{name}-db"
    conversion.add_document(
        "connections", connection, {"connection": connection, "connector": "db", **settings}, params.owner
    )
    conversion.converted(params.owner, f"db connection {connection}")
    poll: dict[str, Any] = {"connection": connection, "table": table, "keyColumn": key}
    criteria = params.value("filteringCriteria")
    if criteria == "byLastUpdatedTimestampColumn" and params.value("filteringColumnName"):
        poll["orderColumn"] = params.value("filteringColumnName")
    elif criteria:
        conversion.approximated(
            params.at("filteringCriteria"),
            f"inbound endpoint {name} filteringCriteria {criteria}",
            f"new rows are found by the key {key}; the table is not changed",
        )
    interval = params.value("interval")
    if interval.isdigit() and int(interval) > 0:
        poll["poll"] = int(interval) / 1000
    return {"trigger": {"db.poll": poll}}
