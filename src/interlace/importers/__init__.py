"""Importers: foreign integration formats turned into Interlace projects (see :mod:`.synapse`)."""
