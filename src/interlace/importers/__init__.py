"""Importers: foreign integration formats turned into Interlace projects (see :mod:`.synapse`)."""

from interlace.importers.synapse import Report, convert_synapse, write_project

__all__ = ["Report", "convert_synapse", "write_project"]
