"""The console's pages, one module per page or group of actions."""

__all__: list[str] = []
