"""The converters, by artifact root element and by mediator element.

A module per concept registers its converter with :func:`artifact` or :func:`mediator`; supporting a
new Synapse construct means adding a module, never a branch. Elements without a converter are reported
unsupported at their line.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from lxml import etree

    from interlace.importers.synapse.conversion import Conversion

__all__ = [
    "ARTIFACTS",
    "MEDIATORS",
    "ArtifactConverter",
    "FlowPart",
    "MediatorConverter",
    "artifact",
    "mediator",
]

FlowPart = Literal["in", "out", "sequence"]
"""Where a flow runs: an API's inSequence (``in``), its outSequence (``out``), or anywhere else."""

FlowItem = dict[str, Any] | str
ArtifactConverter = Callable[["etree._Element", "Conversion"], None]
MediatorConverter = Callable[["etree._Element", "Conversion", FlowPart], list[FlowItem]]

ARTIFACTS: dict[str, ArtifactConverter] = {}
MEDIATORS: dict[str, MediatorConverter] = {}


def artifact(*tags: str) -> Callable[[ArtifactConverter], ArtifactConverter]:
    """Register the converter of the artifacts whose root element is one of ``tags``."""

    def register(converter: ArtifactConverter) -> ArtifactConverter:
        for tag in tags:
            ARTIFACTS[tag] = converter
        return converter

    return register


def mediator(*tags: str) -> Callable[[MediatorConverter], MediatorConverter]:
    """Register the converter of the mediators written as one of ``tags``."""

    def register(converter: MediatorConverter) -> MediatorConverter:
        for tag in tags:
            MEDIATORS[tag] = converter
        return converter

    return register
