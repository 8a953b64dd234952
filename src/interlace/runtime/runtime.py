"""Runtime: owns what a running project needs (the pooled HTTP client, companions, the active
deployment) and swaps deployments atomically.

Requests read ``runtime.artifacts`` once when they start, so a redeploy never changes the flow under a
request in flight: old requests finish on the old artifacts, new ones get the new.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType

from interlace.compiler.compile import Artifacts, compile_project
from interlace.endpoints import HttpClient
from interlace.model.load import Project, load_project
from interlace.runtime.companions import Companion, start_companion

__all__ = ["Runtime"]

_log = logging.getLogger("interlace.runtime")


class Runtime:
    """A project running under a profile. Use ``async with Runtime(...)`` or ``start()`` / ``aclose()``.

    ``env`` replaces the process environment for ``${env.X}`` (tests and embedding pass their own).
    """

    def __init__(
        self,
        root: Path | str,
        profile: str | None = None,
        client: HttpClient | None = None,
        env: Mapping[str, str] | None = None,
    ) -> None:
        self.root = Path(root)
        self.profile = profile
        self.env = env
        self.client = client or HttpClient()
        self._owns_client = client is None
        self._companions: list[Companion] = []
        self._artifacts: Artifacts | None = None
        self.project: Project | None = None

    @property
    def artifacts(self) -> Artifacts:
        """The active deployment; raises RuntimeError before ``start()``."""
        if self._artifacts is None:
            raise RuntimeError("the runtime has not been started")
        return self._artifacts

    async def start(self) -> None:
        """Load, compile and activate the project (ConfigError lists every problem), then start the
        profile's companions."""
        project = load_project(self.root, self.profile, self.env)
        self._artifacts = compile_project(project, self.client)
        self.project = project
        for name, companion in project.companions.items():
            started = await start_companion(name, companion)
            if started is not None:
                self._companions.append(started)
        _log.info("deployed %s %s (%d APIs)", project.name, project.version, len(self._artifacts.apis))

    async def redeploy(self) -> Artifacts:
        """Reload and recompile the project and make it active; on ConfigError the old one keeps running."""
        project = load_project(self.root, self.profile, self.env)
        artifacts = compile_project(project, self.client)
        self._artifacts, self.project = artifacts, project
        _log.info("redeployed %s %s", project.name, project.version)
        return artifacts

    async def aclose(self) -> None:
        """Stop companions and close the HTTP client; safe to call twice."""
        companions, self._companions = self._companions, []
        for companion in reversed(companions):
            try:
                await companion.aclose()
            except Exception:
                _log.exception("companion failed to stop cleanly")
        if self._owns_client:
            await self.client.aclose()

    async def __aenter__(self) -> Runtime:
        await self.start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()
