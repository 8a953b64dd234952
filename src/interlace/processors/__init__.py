"""Message processors: background consumers of message stores (forwarding, sampling)."""

__all__: list[str] = []
