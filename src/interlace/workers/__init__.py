"""Every core: ``interlace run --workers N`` runs N processes serving the same ports. The parent
(:class:`WorkerPool`) starts and supervises them; each worker learns its part from its
:class:`WorkerRole`. Kept apart from the runtime so that the parent imports nothing it does not run."""

from __future__ import annotations

from interlace.workers.pool import METRICS_DIR_ENV, WorkerPool
from interlace.workers.role import FOLLOW_SIGNAL, WORKER_ENV, UnsharedStoreError, WorkerReady, WorkerRole

__all__ = [
    "FOLLOW_SIGNAL",
    "METRICS_DIR_ENV",
    "WORKER_ENV",
    "UnsharedStoreError",
    "WorkerPool",
    "WorkerReady",
    "WorkerRole",
]
