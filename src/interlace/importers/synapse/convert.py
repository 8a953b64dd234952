"""Converting a Synapse source into a project tree, with its report."""

from __future__ import annotations

from pathlib import Path

from interlace.importers.synapse import artifacts as _artifacts  # noqa: F401  (registers the converters)
from interlace.importers.synapse import mediators as _mediators  # noqa: F401  (registers the converters)
from interlace.importers.synapse.artifacts.endpoint_template import prepare_endpoint_templates
from interlace.importers.synapse.artifacts.local_entry import prepare_local_entries
from interlace.importers.synapse.conversion import Conversion
from interlace.importers.synapse.registry import ARTIFACTS
from interlace.importers.synapse.registry_resources import resource_finder
from interlace.importers.synapse.report import Report
from interlace.importers.synapse.sources import project_name, read_sources
from interlace.importers.synapse.tree import ProjectTree
from interlace.importers.synapse.xml import local_name

__all__ = ["convert_synapse"]


def convert_synapse(path: Path) -> tuple[ProjectTree, Report]:
    """The project ``path`` (a synapse-config folder, an MI project or a ``.car``) converts to, and the
    report of every construct: converted, approximated or unsupported, at its file and line.

    Raises ConfigError for a file that is not well-formed XML, FileNotFoundError for a missing path.
    """
    if not path.exists():
        raise FileNotFoundError(f"no Synapse configuration at {path}")
    conversion = Conversion(ProjectTree(project_name(path)), resources=resource_finder(path))
    sources = list(read_sources(path))
    prepare_local_entries(
        (source.element for source in sources if local_name(source.element) == "localEntry"), conversion
    )
    prepare_endpoint_templates(sources, conversion)
    for source in sources:
        conversion.file = source.file
        conversion.splits.clear()  # an aggregate completes a split of its own artifact only
        tag = local_name(source.element)
        converter = ARTIFACTS.get(tag)
        if converter is None:
            name = source.element.get("name") or source.element.get("key") or ""
            conversion.unsupported(source.element, f"artifact <{tag}> {name}".rstrip(), "not converted yet")
            continue
        converter(source.element, conversion)
    for step in conversion.finishing:
        step()
    return conversion.tree, conversion.report
