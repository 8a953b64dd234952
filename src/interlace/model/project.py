"""The project file, interlace.toml: name, version, server settings, configuration and profiles.

```toml
[project]
name = "healthcare"
version = "1.0.0"
default-profile = "dev"           # the profile used without --profile (or INTERLACE_PROFILE)

[server]
port = 8290

[configs]                         # ${configs.backend} in flows
backend = "http://localhost:9090"

[management]                      # the management API (defaults shown)
host = "127.0.0.1"
port = 9164
users-file = ".interlace/users.json"

[profiles.dev.configs]            # `interlace run DIR --profile dev` overrides configs (and server)
backend = "http://127.0.0.1:9090"

[profiles.dev.companions.hospital]  # in-process services started with the profile (development only)
start = "interlace.samples.hospital:start_hospital_backend"
port = 9090

[tracing]                         # message traces and OpenTelemetry (see the tracing reference)
sensitive = ["ssn"]

[coordination]                    # nodes sharing this database run coordinated tasks and inbound once
dsn = "postgresql://interlace@db.example.com:5432/interlace"
```
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import Field, field_validator, model_validator

from interlace.model.base import Definition
from interlace.model.durations import PositiveDuration
from interlace.model.tracing import TracingDefinition

__all__ = [
    "CompanionDefinition",
    "CoordinationDefinition",
    "ManagementDefinition",
    "ProfileDefinition",
    "ProjectDefinition",
    "ProjectInfo",
    "ServerDefinition",
    "parse_size",
]

_SIZE = re.compile(r"^\s*(\d+)\s*(B|KB|KiB|MB|MiB|GB|GiB)?\s*$", re.IGNORECASE)
_UNITS = {"b": 1, "kb": 1000, "kib": 1024, "mb": 1000**2, "mib": 1024**2, "gb": 1000**3, "gib": 1024**3}


def parse_size(value: int | str) -> int:
    """``"10MiB"`` -> 10485760; plain integers are bytes."""
    if isinstance(value, int) and not isinstance(value, bool):
        if value <= 0:
            raise ValueError(f"size must be > 0 (got {value})")
        return value
    match = _SIZE.match(str(value))
    if match is None or int(match.group(1)) <= 0:
        raise ValueError(f"size must be a positive number of bytes like 1048576 or 10MiB (got {value!r})")
    return int(match.group(1)) * _UNITS[(match.group(2) or "b").lower()]


_PROJECT_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


class ProjectInfo(Definition):
    """The ``[project]`` table."""

    name: Annotated[str, Field(min_length=1)]
    """Letters, digits, ``_ . -``, starting with a letter or digit: it names the project's deployment,
    bundles, state folder and its default dead-letter store."""
    version: str = "0.1.0"
    """The project's version: bundles are named by it, and the management API shows it."""
    description: str = ""
    """Free text."""
    default_profile: Annotated[str, Field(min_length=1)] | None = None
    """The profile used when none is asked for (``--profile`` or ``INTERLACE_PROFILE``): a project whose
    development setup should run as it is names its ``dev`` profile here; production then asks for its
    own (``--profile prod``). Without it, no profile applies unless one is asked for."""

    @field_validator("name")
    @classmethod
    def _valid_name(cls, name: str) -> str:
        if not _PROJECT_NAME.match(name):
            raise ValueError("must start with a letter or digit and hold only letters, digits, _ . -")
        return name


class ServerDefinition(Definition):
    """The ``[server]`` table: where the HTTP APIs listen and how much they accept."""

    host: str = "0.0.0.0"
    """The address the HTTP APIs listen on (`--host`, `INTERLACE_HTTP_HOST`)."""
    port: Annotated[int, Field(ge=0, le=65535)] = 8290
    """Their port (`--port`, `INTERLACE_HTTP_PORT`; 0: any free one)."""
    max_body_size: int = 10 * 1024 * 1024
    """The largest request body a flow may read (`10MB`, `512KB`, or bytes); a larger one is answered
    413. A body the flow only passes on to an endpoint is never read whole, and is not limited by it
    (see `body-timeout` and the endpoint's `timeout`)."""
    graceful_timeout: Annotated[float, Field(gt=0)] = 10.0
    """Seconds that requests in flight (and a replaced deployment's) get to finish at a stop or swap."""
    header_timeout: PositiveDuration = 10.0
    """How long a client may take to send a request's line and headers, from its first byte (``10s``);
    then it is answered 408 and the connection closed. These limits hold for every port: the APIs', the
    management API's and each inbound HTTP listener's."""
    body_timeout: PositiveDuration = 60.0
    """How long a client may take to send a request's body once its headers arrived (``60s``)."""
    keepalive_timeout: PositiveDuration = 75.0
    """How long an idle connection stays open waiting for its next request (``75s``)."""
    max_connections: Annotated[int, Field(ge=1)] = 1024
    """How many connections each port holds at once; one more is answered 503 and closed."""
    access_log: bool = False
    """Log one line per API request (client, method, path, status, bytes, duration, correlation id) to
    the ``interlace.access`` logger; an API's ``access-log`` overrides it."""
    deploy_dir: Annotated[str, Field(min_length=1)] = ".interlace/hot-deploy"
    """The hot deployment folder (relative to the project folder the server started with, or absolute):
    a bundle dropped there is deployed while the server runs."""

    @field_validator("max_body_size", mode="before")
    @classmethod
    def _size(cls, value: Any) -> int:
        return parse_size(value)


class ManagementDefinition(Definition):
    """The ``[management]`` table: the management API's own address, its users and its tokens.

    Only loopback by default: expose it (``host = "0.0.0.0"``) only behind TLS and a firewall. The users
    file is created on first start with one ``admin`` user (see the management reference); the admin's
    first password comes from ``INTERLACE_ADMIN_PASSWORD`` or is generated and printed once.
    """

    enabled: bool = True
    """Serve the management API (and `/metrics`); `false`: no management port at all."""
    host: str = "127.0.0.1"
    """Its address: loopback unless exposed on purpose."""
    port: Annotated[int, Field(ge=0, le=65535)] = 9164
    """Its port (`--management-port`, `INTERLACE_MANAGEMENT_PORT`; 0: any free one)."""
    users_file: Annotated[str, Field(min_length=1)] = ".interlace/users.json"
    """Relative to the project folder (or absolute)."""
    token_lifetime: PositiveDuration = 3600.0
    """How long a login token is valid: ``1h``, ``15m``, ... (a number is seconds)."""
    tls_cert_file: str | None = None
    """Serve the management port (and the console) over TLS with this certificate chain (PEM), relative
    to the project folder or absolute; needs ``tls-key-file``. The console's cookie is then ``Secure``."""
    tls_key_file: str | None = None
    """The private key (PEM) of ``tls-cert-file``."""

    @model_validator(mode="after")
    def _tls_pair(self) -> ManagementDefinition:
        if (self.tls_cert_file is None) != (self.tls_key_file is None):
            raise ValueError("give both tls-cert-file and tls-key-file, or neither")
        return self


class CompanionDefinition(Definition):
    """A development service started in-process with a profile, unless its port is already taken.

    ``start`` names an async factory ``module:function(host, port)`` returning an object with ``aclose()``.
    A companion that listens on more ports declares each as ``NAME-port = N`` (``smtp-port = 2525``): the
    factory gets it as ``NAME_port``, and it binds no port that is not declared.
    """

    start: Annotated[str, Field(pattern=r"^[\w.]+:\w+$")]
    """The factory: `module:function`."""
    host: str = "127.0.0.1"
    """The address it listens on."""
    port: Annotated[int, Field(ge=1, le=65535)]
    """Its (main) port; when something already listens there, the companion is not started."""
    ports: dict[str, Annotated[int, Field(ge=1, le=65535)]] = Field(default_factory=dict)
    """The other ports, by their keys (``smtp-port``); gathered from the table's ``NAME-port`` keys."""

    @model_validator(mode="before")
    @classmethod
    def _gather_ports(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        named = {key: value for key, value in data.items() if key.endswith("-port") and key != "port"}
        if not named:
            return data
        return {**{key: value for key, value in data.items() if key not in named}, "ports": named}


class CoordinationDefinition(Definition):
    """The ``[coordination]`` table: the PostgreSQL database where nodes hold leases, so that a task or
    inbound endpoint marked ``coordination: true`` runs on exactly one of them."""

    dsn: Annotated[str, Field(pattern=r"^(postgres(ql)?://|\$\{env\.)")]
    """``postgresql://USER[:PASSWORD]@HOST:5432/DB``; ``${env.X}`` takes it from the environment."""
    lease: PositiveDuration = 15.0
    """How long a lease lasts without renewal: a node that dies is replaced after at most this long."""
    renew: PositiveDuration = 5.0
    """How often the holder renews its leases (well below ``lease``)."""
    node: str | None = None
    """This node's name in the lease table (default: host name and process id)."""
    share_deployments: bool = False
    """The nodes also share their deployments (read from the project a server starts with): a bundle
    deployed to one node, a rollback to a version deployed so and an undeploy reach every node, through
    the tables `interlace_bundles` and `interlace_active` of this database. Off by default, since
    servers running different projects may share one database for their leases."""

    @model_validator(mode="after")
    def _renew_within_lease(self) -> CoordinationDefinition:
        if self.renew >= self.lease:
            raise ValueError(f"renew must be shorter than lease ({self.lease:g}s) (got {self.renew:g}s)")
        return self


class ConnectorsDefinition(Definition):
    """The ``[connectors]`` table: where ``interlace connector search|add|upgrade``, run in the project's
    folder, find the connector store's catalog index (docs/connectors/catalog.md)."""

    index: Annotated[str | None, Field(min_length=1)] = None
    """The catalog index: a JSON file (relative to the project's folder) or an http(s) URL, laid over the
    index of the built-in connectors; ``--index`` and ``$INTERLACE_CONNECTOR_INDEX`` come first."""


class ProfileDefinition(Definition):
    """A named profile: configuration and server values that override the defaults."""

    configs: dict[str, Any] = Field(default_factory=dict)
    """Values of `${configs.NAME}` that replace the project's `[configs]` ones under this profile."""
    server: dict[str, Any] = Field(default_factory=dict)
    """Keys of `[server]` that replace the project's under this profile."""
    companions: dict[str, CompanionDefinition] = Field(default_factory=dict)
    """Development services started in-process with this profile, by name (below)."""
    coordination: CoordinationDefinition | None = None
    """Overrides the project's ``[coordination]`` table."""
    secrets: dict[str, str] = Field(default_factory=dict)
    """Values for ``${secret.NAME}`` when neither the environment nor the secrets folder has NAME: for
    development credentials only (a local test service's), never for real ones."""


class ProjectDefinition(Definition):
    """The whole interlace.toml."""

    project: ProjectInfo
    """The project's name, version and default profile (below)."""
    server: ServerDefinition = Field(default_factory=ServerDefinition)
    """Where the HTTP APIs listen and the limits of every port (below)."""
    management: ManagementDefinition = Field(default_factory=ManagementDefinition)
    """The management API (below)."""
    configs: dict[str, Any] = Field(default_factory=dict)
    """Values flows read as `${configs.NAME}`; profiles override them."""
    profiles: dict[str, ProfileDefinition] = Field(default_factory=dict)
    """Named profiles (`--profile NAME`): configuration for one environment (below)."""
    coordination: CoordinationDefinition | None = None
    """Off (every node runs everything) unless given."""
    tracing: TracingDefinition = Field(default_factory=TracingDefinition)
    """Message traces and OpenTelemetry export (below)."""
    connectors: ConnectorsDefinition = Field(default_factory=ConnectorsDefinition)
    """Where the connector commands find the catalog index (below)."""
