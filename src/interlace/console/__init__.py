"""The web console over the management API: pages, and the flow diagrams they draw."""

__all__: list[str] = []
