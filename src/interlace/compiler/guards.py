"""Builders of the mediators that guard the flows they hold: ``throttle`` and ``cache``."""

from __future__ import annotations

from interlace.compiler.flows import FlowBuilder
from interlace.mediators.base import Mediator
from interlace.mediators.cache import CacheLimits, CacheMediator
from interlace.mediators.throttle import ThrottleLimits, ThrottleMediator
from interlace.model.guards import CacheDefinition, ThrottleDefinition

__all__ = ["build_cache", "build_throttle"]


def build_throttle(d: ThrottleDefinition, fb: FlowBuilder) -> Mediator:
    limits = ThrottleLimits(d.max_requests, d.window, d.max_concurrent, d.max_keys)
    key = fb.template(d.key, d.location_of("key")) if d.key is not None else None
    on_accept = (
        fb.nested(d, "on-accept", d.on_accept, "throttle/on-accept") if d.on_accept is not None else None
    )
    on_reject = (
        fb.nested(d, "on-reject", d.on_reject, "throttle/on-reject") if d.on_reject is not None else None
    )
    return ThrottleMediator(key, limits, on_accept, on_reject, d.location)


def build_cache(d: CacheDefinition, fb: FlowBuilder) -> Mediator:
    limits = CacheLimits(d.ttl, d.max_entries, d.max_size)
    key = fb.template(d.key, d.location_of("key")) if d.key is not None else None
    on_hit = fb.nested(d, "on-hit", d.on_hit, "cache/on-hit") if d.on_hit is not None else None
    return CacheMediator(key, limits, fb.nested(d, "flow", d.flow, "cache"), on_hit, d.location)
