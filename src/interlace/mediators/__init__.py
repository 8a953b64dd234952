"""Mediators: the runtime steps of a flow, one per module; the compiler builds them from definitions."""

from interlace.mediators.base import CONTINUE, STOP, Mediator
from interlace.mediators.sequence import SequenceCallMediator, SequenceMediator

__all__ = ["CONTINUE", "STOP", "Mediator", "SequenceCallMediator", "SequenceMediator"]
