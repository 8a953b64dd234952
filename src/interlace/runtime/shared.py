"""Shared: what every deployment of a server uses and none of them owns.

The pooled HTTP client, the connectors, the factory of message stores, the HTTP transport's dispatcher
for inbound listeners, the encrypted token store, the coordinators, the factory of services and the
metrics belong to the server: they outlive every deployment, and the runtime closes them when it stops.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from interlace.compiler.compile import installed_connectors
from interlace.compiler.stores import StoreFactory
from interlace.endpoints import HttpClient
from interlace.errors import ConfigError
from interlace.inbound import HttpDispatch
from interlace.observability.metrics import Metrics
from interlace.runtime.connector_code import ConnectorCode, ConnectorUpgrade
from interlace.runtime.coordination import Coordinators
from interlace.runtime.services import ServicesFactory, SupervisedServices
from interlace.runtime.token_store import LazyTokenStore
from interlace.sdk import ConnectorRegistry, RegistryError

__all__ = ["Shared"]


@dataclass(slots=True)
class Shared:
    """The server's shared pieces (see the module docstring). ``home`` is the server's own folder: its
    ``.interlace/`` state and the files of new message stores live there. ``connectors`` None means the
    installed connectors (looked for again before each deployment); ``stores`` None means a store of
    the kind each definition names."""

    home: Path
    profile: str | None
    env: Mapping[str, str] | None
    client: HttpClient
    token_store: LazyTokenStore
    connectors: ConnectorRegistry | None = None
    stores: StoreFactory | None = None
    http_dispatch: HttpDispatch | None = None
    services: ServicesFactory = SupervisedServices
    coordinators: Coordinators = field(default_factory=Coordinators)
    clock: Callable[[], float] = time.time
    code: ConnectorCode = field(default_factory=ConnectorCode)
    metrics: Metrics | None = None
    """The server's Prometheus figures; None: nothing is counted."""

    def refresh_connectors(self) -> list[ConnectorUpgrade]:
        """Look for installed connectors again (new ones, upgraded ones, removed ones), unless the
        registry was given; ConfigError when the installation is inconsistent."""
        if self.connectors is not None:
            return []
        registry = installed_connectors()
        try:
            return self.code.refresh(registry)
        except RegistryError as exc:
            raise ConfigError(
                f"the installed connectors cannot be loaded: {exc.message}", detail=exc.detail
            ) from exc

    def note_connectors(self) -> None:
        """Remember which versions of the installed connector packages the first deployment loaded."""
        if self.connectors is None:
            try:
                self.code.note(installed_connectors())
            except RegistryError:
                return
