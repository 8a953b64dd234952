"""The Redis store: a stream read through a consumer group, shared by every node.

A returned ``put`` was acknowledged by the server; whether it survives a restart of Redis is the server's
persistence setting: with ``appendonly yes`` and ``appendfsync always`` every write is on disk, with
``everysec`` (Redis' default) up to a second of writes can be lost, and without the append-only file only
the last snapshot survives. Put a store that must not lose messages on a server configured for it.

Keys: the stream ``S`` holds the messages in order (entry fields ``id`` and ``body``); the hash ``S:ids``
maps a message id to its entry, so ``ack``, ``get`` and ``delete`` find it; the hash ``S:state`` holds the
current form of a released message (a stream entry cannot change: its attempts and last error live
there); ``S:seen:ID`` keys (with the window as their expiry) implement the de-duplication window; the
hash ``S:usage`` holds the bytes of the stored messages (field ``bytes``), so a put checks the bound
(the stream's length and those bytes) in the same script that adds the message: exact for every node.

Claims: ``fetch`` first takes back entries whose claim is older than the lease (``XAUTOCLAIM``, which
also finds released ones), then reads new entries (``XREADGROUP``). A live store renews its claims; a
released message is handed to the placeholder consumer ``interlace:released`` with an idle time past the
lease, so the next ``fetch`` of any node takes it, in its place; a closing store releases what it holds.
Every multi-step change is one Lua script, atomic on the server.
"""

from __future__ import annotations

from typing import Any, Final

import redis.asyncio as aioredis
from redis.commands.core import AsyncScript
from redis.exceptions import RedisError, ResponseError

from interlace.stores._common import LeaseRenewal, closed_error, encode_for, new_owner, safe_url, store_error
from interlace.stores.bounds import Room, StoreBounds, StoreUsage, put_within_bounds
from interlace.stores.message import StoredMessage, decode_message

__all__ = ["RedisStore"]

_RELEASED = "interlace:released"
_LONG_IDLE = 10**11  # ms: "idle" far past any lease, so a released entry is taken back at once
_FAILURES: tuple[type[BaseException], ...] = (RedisError, OSError, TimeoutError)

# KEYS: stream, ids, seen key, usage. ARGV: message id, body, window ms, max messages, max bytes (0: none).
# Answers the entry when stored, nothing when ignored, {messages, bytes} when full.
_PUT = """
if redis.call('HEXISTS', KEYS[2], ARGV[1]) == 1 then return false end
local window = tonumber(ARGV[3])
if window > 0 and redis.call('EXISTS', KEYS[3]) == 1 then return false end
local count = redis.call('XLEN', KEYS[1])
local bytes = tonumber(redis.call('HGET', KEYS[4], 'bytes') or '0')
local max_bytes = tonumber(ARGV[5])
if count + 1 > tonumber(ARGV[4]) or (max_bytes > 0 and bytes + string.len(ARGV[2]) > max_bytes) then
  return {count, bytes}
end
if window > 0 then redis.call('SET', KEYS[3], '1', 'PX', window) end
local entry = redis.call('XADD', KEYS[1], '*', 'id', ARGV[1], 'body', ARGV[2])
redis.call('HSET', KEYS[2], ARGV[1], entry)
redis.call('HINCRBY', KEYS[4], 'bytes', string.len(ARGV[2]))
return entry
"""

# KEYS: stream, ids, state, usage. ARGV: group, message id.
_REMOVE = """
local entry = redis.call('HGET', KEYS[2], ARGV[2])
if not entry then return 0 end
local found = redis.call('XRANGE', KEYS[1], entry, entry)
if found[1] then
  local fields = found[1][2]
  for i = 1, #fields, 2 do
    if fields[i] == 'body' then redis.call('HINCRBY', KEYS[4], 'bytes', -string.len(fields[i + 1])) end
  end
end
redis.call('XACK', KEYS[1], ARGV[1], entry)
redis.call('XDEL', KEYS[1], entry)
redis.call('HDEL', KEYS[2], ARGV[2])
redis.call('HDEL', KEYS[3], ARGV[2])
return 1
"""

# KEYS: stream, usage. Counts the bytes of a stream written before the usage hash existed.
_COUNT_BYTES = """
if redis.call('EXISTS', KEYS[2]) == 1 then return 0 end
local total = 0
for _, entry in ipairs(redis.call('XRANGE', KEYS[1], '-', '+')) do
  local fields = entry[2]
  for i = 1, #fields, 2 do
    if fields[i] == 'body' then total = total + string.len(fields[i + 1]) end
  end
end
redis.call('HSET', KEYS[2], 'bytes', total)
return total
"""

# KEYS: stream, ids, state. ARGV: group, consumer, message id, body, idle, placeholder consumer.
_RELEASE = """
local entry = redis.call('HGET', KEYS[2], ARGV[3])
if not entry then return 0 end
local pending = redis.call('XPENDING', KEYS[1], ARGV[1], entry, entry, 1)
if not pending[1] or pending[1][2] ~= ARGV[2] then return 0 end
redis.call('HSET', KEYS[3], ARGV[3], ARGV[4])
redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[6], 0, entry, 'IDLE', ARGV[5], 'JUSTID')
return 1
"""

# KEYS: stream. ARGV: group, consumer, target consumer, idle (0: renew in place).
_CLAIM_ALL = """
local count = 0
local start = '-'
while true do
  local pending = redis.call('XPENDING', KEYS[1], ARGV[1], start, '+', 100, ARGV[2])
  if #pending == 0 then break end
  for _, entry in ipairs(pending) do
    redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[3], 0, entry[1], 'IDLE', ARGV[4], 'JUSTID')
    count = count + 1
  end
  start = '(' .. pending[#pending][1]
end
return count
"""

# KEYS: stream, ids, state, usage. ARGV: group.
_PURGE = """
local count = redis.call('XLEN', KEYS[1])
redis.call('DEL', KEYS[1], KEYS[2], KEYS[3], KEYS[4])
redis.call('XGROUP', 'CREATE', KEYS[1], ARGV[1], '0', 'MKSTREAM')
return count
"""


class RedisStore:
    """A message store in a Redis stream (see the module docstring for keys, claims and durability)."""

    kind: Final = "redis"

    def __init__(
        self,
        name: str,
        url: str,
        *,
        stream: str | None = None,
        group: str = "interlace",
        lease: float = 30.0,
        timeout: float = 10.0,
        dedupe_window: float | None = None,
        bounds: StoreBounds | None = None,
    ) -> None:
        self._name = name
        self._bounds = bounds or StoreBounds()
        self._room = Room()
        self._url = url
        self._stream = stream or f"interlace:{name}"
        self._keys = [self._stream, f"{self._stream}:ids", f"{self._stream}:state", f"{self._stream}:usage"]
        self._group = group
        self._lease_ms = max(1, round(lease * 1000))
        self._timeout = timeout
        self._window_ms = 0 if dedupe_window is None else max(1, round(dedupe_window * 1000))
        self._consumer = new_owner()
        self._where = f"redis {safe_url(url)} stream {self._stream}"
        self._client: aioredis.Redis | None = None
        self._scripts: dict[str, AsyncScript] = {}  # sent once, then called by their digest
        self._renewal = LeaseRenewal(name, lease / 3, self._renew)

    @property
    def name(self) -> str:
        return self._name

    @property
    def bounds(self) -> StoreBounds:
        return self._bounds

    async def open(self) -> None:
        if self._client is not None:
            return
        client = aioredis.Redis.from_url(
            self._url, socket_connect_timeout=self._timeout, socket_timeout=self._timeout
        )
        try:
            await self._create_group(client)
            await self._forget_idle_consumers(client)
            await client.eval(_COUNT_BYTES, 2, self._stream, self._keys[3])
        except _FAILURES as exc:
            await client.aclose()
            raise store_error(self._name, self._where, "connect", exc) from exc
        self._client = client
        self._renewal.start()

    async def _create_group(self, client: aioredis.Redis) -> None:
        try:
            await client.xgroup_create(self._stream, self._group, id="0", mkstream=True)
        except ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise

    async def _forget_idle_consumers(self, client: aioredis.Redis) -> None:
        # Consumers of stopped nodes stay in the group; one with nothing pending can go.
        for consumer in await client.xinfo_consumers(self._stream, self._group):
            name = _text(consumer["name"])
            if int(consumer["pending"]) == 0 and int(consumer["idle"]) > self._lease_ms and name != _RELEASED:
                await client.xgroup_delconsumer(self._stream, self._group, name)

    async def aclose(self) -> None:
        client, self._client = self._client, None
        if client is None:
            return
        await self._renewal.stop()
        try:
            await client.eval(_CLAIM_ALL, 1, self._stream, self._group, self._consumer, _RELEASED, _LONG_IDLE)
            await client.xgroup_delconsumer(self._stream, self._group, self._consumer)
        except _FAILURES:
            pass  # the claims return when their lease runs out
        finally:
            await client.aclose()

    async def put(self, message: StoredMessage) -> None:
        body = encode_for(self._name, message)
        keys = [*self._keys[:2], f"{self._stream}:seen:{message.id}", self._keys[3]]
        bounds = self._bounds
        args: list[str | bytes | int] = [
            message.id,
            body,
            self._window_ms,
            bounds.max_messages,
            bounds.max_bytes or 0,
        ]

        async def try_put() -> StoreUsage | None:
            answer = await self._call("store a message", _PUT, keys, args)
            return StoreUsage(int(answer[0]), int(answer[1])) if isinstance(answer, list) else None

        await put_within_bounds(self._name, bounds, self._room, try_put)

    async def fetch(self, limit: int = 1) -> list[StoredMessage]:
        if limit < 1:
            return []
        client = self._open_client()
        try:
            entries = await self._take_back(client, limit)
            if len(entries) < limit:
                answer: Any = await client.xreadgroup(
                    self._group, self._consumer, {self._stream: ">"}, count=limit - len(entries)
                )
                for _stream, new in answer or []:
                    entries.extend(new)
            return await self._messages(client, entries)
        except _FAILURES as exc:
            raise store_error(self._name, self._where, "claim messages", exc) from exc

    async def _take_back(self, client: aioredis.Redis, limit: int) -> list[Any]:
        entries: list[Any] = []
        start = "0-0"
        for _ in range(10):  # bounded: each call scans at most 10 x count pending entries
            answer = await client.xautoclaim(
                self._stream, self._group, self._consumer, self._lease_ms, start, count=limit - len(entries)
            )
            start = _text(answer[0])
            entries.extend(entry for entry in answer[1] if entry and entry[1])
            if start == "0-0" or len(entries) >= limit:
                break
        return entries

    async def ack(self, message_id: str) -> None:
        await self._remove(message_id, "acknowledge a message")

    async def _remove(self, message_id: str, action: str) -> bool:
        removed = bool(await self._call(action, _REMOVE, self._keys, [self._group, message_id]))
        if removed:
            self._room.freed()
        return removed

    async def release(self, message: StoredMessage) -> None:
        body = encode_for(self._name, message)
        args: list[str | bytes | int] = [self._group, self._consumer, message.id, body, _LONG_IDLE, _RELEASED]
        await self._call("release a message", _RELEASE, self._keys, args)

    async def size(self) -> int:
        return (await self.usage()).messages

    async def usage(self) -> StoreUsage:
        client = self._open_client()
        try:
            async with client.pipeline(transaction=True) as pipe:
                pipe.xlen(self._stream)
                pipe.hget(self._keys[3], "bytes")
                count, size = await pipe.execute()
        except _FAILURES as exc:
            raise store_error(self._name, self._where, "count messages", exc) from exc
        return StoreUsage(int(count), int(size or 0))

    async def browse(self, offset: int = 0, limit: int = 50) -> list[StoredMessage]:
        client = self._open_client()
        offset, limit = max(offset, 0), max(limit, 0)
        if limit == 0:
            return []
        try:
            entries: Any = await client.xrange(self._stream, count=offset + limit)
            return await self._messages(client, entries[offset:])
        except _FAILURES as exc:
            raise store_error(self._name, self._where, "browse", exc) from exc

    async def get(self, message_id: str) -> StoredMessage | None:
        client = self._open_client()
        try:
            entry = await client.hget(self._keys[1], message_id)
            if entry is None:
                return None
            found: Any = await client.xrange(self._stream, entry, entry)
            messages = await self._messages(client, found)
            return messages[0] if messages else None
        except _FAILURES as exc:
            raise store_error(self._name, self._where, "read a message", exc) from exc

    async def delete(self, message_id: str) -> bool:
        return await self._remove(message_id, "delete a message")

    async def purge(self) -> int:
        purged = int(await self._call("purge", _PURGE, self._keys, [self._group]))
        self._room.freed(self._room.waiting)
        return purged

    async def _renew(self) -> None:
        args: list[str | bytes | int] = [self._group, self._consumer, self._consumer, 0]
        await self._call("renew its claims", _CLAIM_ALL, [self._stream], args)

    async def _messages(self, client: aioredis.Redis, entries: list[Any]) -> list[StoredMessage]:
        """Decode stream entries, each in its released form when it has one."""
        if not entries:
            return []
        ids = [entry[1][b"id"] for entry in entries]
        released = await client.hmget(self._keys[2], ids)
        return [
            decode_message(state if state is not None else entry[1][b"body"])
            for entry, state in zip(entries, released, strict=True)
        ]

    async def _call(self, action: str, script: str, keys: list[str], args: list[str | bytes | int]) -> Any:
        client = self._open_client()
        registered = self._scripts.get(script)
        if registered is None:
            registered = self._scripts[script] = client.register_script(script)
        try:
            return await registered(keys, args, client)
        except _FAILURES as exc:
            raise store_error(self._name, self._where, action, exc) from exc

    def _open_client(self) -> aioredis.Redis:
        if self._client is None:
            raise closed_error(self._name)
        return self._client


def _text(value: str | bytes) -> str:
    return value.decode() if isinstance(value, bytes) else value
