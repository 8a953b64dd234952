"""``python -m interlace`` runs the ``interlace`` command."""

from interlace.cli import main

main()
