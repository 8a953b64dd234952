"""Built-in connectors, registered through the ``interlace.connectors`` entry point like any other."""

__all__: list[str] = []
