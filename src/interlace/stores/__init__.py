"""Message stores: durable, ordered queues of messages for store-and-forward."""

from interlace.stores.base import MessageStore
from interlace.stores.memory import MemoryStore
from interlace.stores.message import StoredMessage, StoreError, decode_message, encode_message

__all__ = ["MemoryStore", "MessageStore", "StoreError", "StoredMessage", "decode_message", "encode_message"]
