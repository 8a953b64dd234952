"""Mediators: the runtime steps of a flow, one per module; the compiler builds them from definitions."""

from interlace.mediators.base import CONTINUE, STOP, Mediator
from interlace.mediators.flow import FlowOutcome, FlowResult, run_flow
from interlace.mediators.sequence import SequenceCallMediator, SequenceMediator

__all__ = [
    "CONTINUE",
    "STOP",
    "FlowOutcome",
    "FlowResult",
    "Mediator",
    "SequenceCallMediator",
    "SequenceMediator",
    "run_flow",
]
