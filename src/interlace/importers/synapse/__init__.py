"""Synapse XML (WSO2 Micro Integrator) -> Interlace projects.

``convert_synapse(path)`` reads a synapse-config folder, an Integration Studio or MI VS Code project, or
a CApp (``.car``) and returns the project as a :class:`ProjectTree` in memory, with a :class:`Report` of
every construct (converted, approximated, unsupported, at file:line); ``write_project`` puts the tree on
disk. Converters are registered per artifact and per mediator (:mod:`.registry`), one module each.
"""

from interlace.importers.synapse.convert import convert_synapse
from interlace.importers.synapse.report import Finding, Origin, Report
from interlace.importers.synapse.tree import Document, ProjectTree
from interlace.importers.synapse.writer import write_project

__all__ = ["Document", "Finding", "Origin", "ProjectTree", "Report", "convert_synapse", "write_project"]
