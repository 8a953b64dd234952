"""A small IMAP4rev1 server (RFC 3501) for tests, on loopback, in the test's event loop.

It speaks what the e-mail connector uses: CAPABILITY, NOOP, LOGOUT, STARTTLS, LOGIN (checking the
password), SELECT, CLOSE, EXPUNGE, and UID SEARCH / FETCH / STORE / COPY / MOVE / EXPUNGE, with MOVE and
UIDPLUS (RFC 6851, RFC 4315) announced unless switched off. Messages are delivered straight into folders
by the test; ``commands`` records every command received, for assertions, and ``command_arrived`` is
set on each.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import re
import ssl
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from email import message_from_bytes
from email.policy import default

_TOKEN = re.compile(r'"((?:[^"\\]|\\.)*)"|\(|\)|[^\s()"\[]+(?:\[[^\]]*\][^\s()"]*)?')
_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


@dataclass
class StoredMessage:
    uid: int
    data: bytes
    flags: set[str]
    received: datetime

    def header(self, name: str) -> str:
        return str(message_from_bytes(self.data, policy=default).get(name, ""))


@dataclass
class Folder:
    uidvalidity: int
    messages: list[StoredMessage] = field(default_factory=list)
    next_uid: int = 1


class ImapTestServer:
    """``await server.start()`` listens on 127.0.0.1 (``port``); ``deliver`` puts a message in a folder."""

    def __init__(
        self,
        users: dict[str, str],
        *,
        tls: ssl.SSLContext | None = None,
        starttls: ssl.SSLContext | None = None,
        extensions: tuple[str, ...] = ("MOVE", "UIDPLUS"),
        refuse: frozenset[str] = frozenset(),
    ) -> None:
        self.users = users
        self.folders: dict[str, Folder] = {
            name: Folder(index + 1) for index, name in enumerate(["INBOX", "Trash"])
        }
        self.commands: list[str] = []
        self.command_arrived = asyncio.Event()  # set on each command, for tests waiting for one
        self.logins = 0
        self._tls = tls
        self._starttls = starttls
        self._extensions = extensions
        self._refuse = refuse  # UID commands answered NO, to test how refusals are reported
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self.port = 0

    async def start(self) -> ImapTestServer:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0, ssl=self._tls)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def aclose(self) -> None:
        await self.drop_connections()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    async def drop_connections(self) -> None:
        """Close every client connection, as a server does to idle sessions."""
        for writer in list(self._writers):
            writer.close()
            with contextlib.suppress(ConnectionError, ssl.SSLError):
                await writer.wait_closed()
        self._writers.clear()

    def deliver(
        self,
        data: bytes,
        folder: str = "INBOX",
        *,
        flags: tuple[str, ...] = (),
        received: datetime | None = None,
    ) -> int:
        data = re.sub(rb"(?<!\r)\n", b"\r\n", data)
        box = self.folders.setdefault(folder, Folder(len(self.folders) + 1))
        uid = box.next_uid
        box.next_uid += 1
        box.messages.append(StoredMessage(uid, data, set(flags), received or datetime.now(UTC)))
        return uid

    def message(self, folder: str, uid: int) -> StoredMessage | None:
        return next((m for m in self.folders[folder].messages if m.uid == uid), None)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writers.add(writer)
        session = _Session(self, reader, writer)
        try:
            await session.run()
        except (ConnectionError, asyncio.IncompleteReadError, ssl.SSLError):
            pass
        finally:
            self._writers.discard(writer)
            writer.close()


class _Session:
    def __init__(
        self, server: ImapTestServer, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        self.server = server
        self.reader = reader
        self.writer = writer
        self.user: str | None = None
        self.folder: Folder | None = None
        self.secure = server._tls is not None

    def capabilities(self) -> str:
        words = ["IMAP4rev1", *self.server._extensions]
        if self.server._starttls is not None and not self.secure:
            words.append("STARTTLS")
        return " ".join(words)

    async def send(self, *lines: bytes | str) -> None:
        for line in lines:
            self.writer.write(line if isinstance(line, bytes) else line.encode() + b"\r\n")
        await self.writer.drain()

    async def run(self) -> None:
        await self.send("* OK IMAP4rev1 test server ready")
        while True:
            line = await self.reader.readline()
            if not line:
                return
            text = line.decode().rstrip("\r\n")
            self.server.commands.append(text)
            self.server.command_arrived.set()
            tag, _, rest = text.partition(" ")
            name, _, arguments = rest.partition(" ")
            if not await self.dispatch(tag, name.upper(), _tokens(arguments)):
                return

    async def dispatch(self, tag: str, name: str, args: list[object]) -> bool:
        if name == "CAPABILITY":
            await self.send(f"* CAPABILITY {self.capabilities()}", f"{tag} OK CAPABILITY completed")
        elif name == "NOOP":
            await self.send(f"{tag} OK NOOP completed")
        elif name == "LOGOUT":
            await self.send("* BYE logging out", f"{tag} OK LOGOUT completed")
            return False
        elif name == "STARTTLS" and self.server._starttls is not None and not self.secure:
            await self.send(f"{tag} OK begin TLS now")
            await self.writer.start_tls(self.server._starttls)
            self.secure = True
        elif name == "LOGIN":
            user, password = str(args[0]), str(args[1])
            if self.server.users.get(user) != password:
                await self.send(f"{tag} NO [AUTHENTICATIONFAILED] Invalid credentials")
            else:
                self.user = user
                self.server.logins += 1
                await self.send(f"{tag} OK [CAPABILITY {self.capabilities()}] LOGIN completed")
        elif self.user is None:
            await self.send(f"{tag} BAD log in first")
        elif name == "SELECT":
            await self.select(tag, str(args[0]))
        elif self.folder is None:
            await self.send(f"{tag} BAD select a folder first")
        elif name == "CLOSE":
            self.folder = None
            await self.send(f"{tag} OK CLOSE completed")
        elif name == "EXPUNGE":
            await self.expunge(tag, None)
        elif name == "UID" and args:
            await self.uid_command(tag, str(args[0]).upper(), args[1:])
        else:
            await self.send(f"{tag} BAD unknown command {name}")
        return True

    async def select(self, tag: str, name: str) -> None:
        folder = self.server.folders.get(_decode_mailbox(name))
        self.folder = folder
        if folder is None:
            await self.send(f"{tag} NO [NONEXISTENT] no such mailbox")
            return
        await self.send(
            r"* FLAGS (\Answered \Flagged \Deleted \Seen \Draft)",
            f"* {len(folder.messages)} EXISTS",
            "* 0 RECENT",
            f"* OK [UIDVALIDITY {folder.uidvalidity}] UIDs valid",
            f"* OK [UIDNEXT {folder.next_uid}] predicted next UID",
            f"{tag} OK [READ-WRITE] SELECT completed",
        )

    async def uid_command(self, tag: str, name: str, args: list[object]) -> None:
        assert self.folder is not None
        if name in self.server._refuse:
            await self.send(f"{tag} NO [CANNOT] {name} is not allowed here")
        elif name == "SEARCH":
            found = [m.uid for m in self.folder.messages if _matches(m, args)]
            await self.send(f"* SEARCH {' '.join(map(str, found))}".rstrip(), f"{tag} OK SEARCH completed")
        elif name == "FETCH":
            for message in self._in_set(str(args[0])):
                await self.send(self.fetch_response(message, args[1]))
            await self.send(f"{tag} OK FETCH completed")
        elif name == "STORE":
            action, flags = str(args[1]).upper(), {str(flag) for flag in _as_list(args[2])}
            for message in self._in_set(str(args[0])):
                if action.startswith("+"):
                    message.flags |= flags
                elif action.startswith("-"):
                    message.flags -= flags
                else:
                    message.flags = set(flags)
                if not action.endswith(".SILENT"):
                    await self.send(
                        f"* {self._seq(message)} FETCH (UID {message.uid} FLAGS ({' '.join(message.flags)}))"
                    )
            await self.send(f"{tag} OK STORE completed")
        elif name in ("COPY", "MOVE") and (name != "MOVE" or "MOVE" in self.server._extensions):
            await self.copy(tag, name, str(args[0]), _decode_mailbox(str(args[1])))
        elif name == "EXPUNGE" and "UIDPLUS" in self.server._extensions:
            await self.expunge(tag, {m.uid for m in self._in_set(str(args[0]))})
        else:
            await self.send(f"{tag} BAD unknown command UID {name}")

    async def copy(self, tag: str, name: str, uid_set: str, target_name: str) -> None:
        assert self.folder is not None
        target = self.server.folders.get(target_name)
        if target is None:
            await self.send(f"{tag} NO [TRYCREATE] no such mailbox")
            return
        pairs = []
        for message in self._in_set(uid_set):
            new_uid = self.server.deliver(
                message.data, target_name, flags=tuple(message.flags), received=message.received
            )
            pairs.append((message, new_uid))
        code = ""
        if pairs and "UIDPLUS" in self.server._extensions:
            old = ",".join(str(m.uid) for m, _ in pairs)
            new = ",".join(str(uid) for _, uid in pairs)
            code = f"[COPYUID {target.uidvalidity} {old} {new}] "
        if name == "MOVE":
            await self.send(f"* OK {code}moved")
            for message, _ in pairs:
                await self.send(f"* {self._seq(message)} EXPUNGE")
                self.folder.messages.remove(message)
            await self.send(f"{tag} OK MOVE completed")
        else:
            await self.send(f"{tag} OK {code}COPY completed")

    async def expunge(self, tag: str, uids: set[int] | None) -> None:
        assert self.folder is not None
        for message in list(self.folder.messages):
            if "\\Deleted" in message.flags and (uids is None or message.uid in uids):
                await self.send(f"* {self._seq(message)} EXPUNGE")
                self.folder.messages.remove(message)
        await self.send(f"{tag} OK EXPUNGE completed")

    def fetch_response(self, message: StoredMessage, items: object) -> bytes:
        wanted = [str(item) for item in _as_list(items)]
        parts: list[bytes] = [f"UID {message.uid}".encode()]
        for item in wanted:
            upper = item.upper()
            if upper == "FLAGS":
                parts.append(f"FLAGS ({' '.join(sorted(message.flags))})".encode())
            elif upper == "RFC822.SIZE":
                parts.append(f"RFC822.SIZE {len(message.data)}".encode())
            elif upper in ("BODY[]", "BODY.PEEK[]", "RFC822"):
                if not upper.startswith("BODY.PEEK"):
                    message.flags.add("\\Seen")
                name = "RFC822" if upper == "RFC822" else "BODY[]"
                parts.append(f"{name} {{{len(message.data)}}}\r\n".encode() + message.data)
            elif upper.startswith(("BODY.PEEK[HEADER.FIELDS", "BODY[HEADER.FIELDS")):
                names = upper[upper.index("(") + 1 : upper.index(")")].split()
                data = _header_fields(message.data, names)
                section = item[item.index("[") :]
                parts.append(f"BODY{section} {{{len(data)}}}\r\n".encode() + data)
        return f"* {self._seq(message)} FETCH (".encode() + b" ".join(parts) + b")\r\n"

    def _seq(self, message: StoredMessage) -> int:
        assert self.folder is not None
        return self.folder.messages.index(message) + 1

    def _in_set(self, uid_set: str) -> list[StoredMessage]:
        assert self.folder is not None
        highest = max((m.uid for m in self.folder.messages), default=0)
        wanted: set[int] = set()
        for part in uid_set.split(","):
            low, _, high = part.partition(":")
            first = highest if low == "*" else int(low)
            last = first if not high else (highest if high == "*" else int(high))
            wanted |= set(range(min(first, last), max(first, last) + 1))
        return [m for m in self.folder.messages if m.uid in wanted]


def _tokens(text: str) -> list[object]:
    stack: list[list[object]] = [[]]
    for match in _TOKEN.finditer(text):
        token = match.group(0)
        if token == "(":
            nested: list[object] = []
            stack[-1].append(nested)
            stack.append(nested)
        elif token == ")":
            stack.pop()
        elif match.group(1) is not None:
            stack[-1].append(re.sub(r"\\(.)", r"\1", match.group(1)))
        else:
            stack[-1].append(token)
    return stack[0]


def _as_list(value: object) -> list[object]:
    return value if isinstance(value, list) else [value]


def _matches(message: StoredMessage, criteria: list[object]) -> bool:
    position = 0
    while position < len(criteria):
        key = str(criteria[position]).upper()
        position += 1
        if key == "CHARSET":
            position += 1
        elif key == "ALL":
            pass
        elif key in ("SEEN", "UNSEEN"):
            if ("\\Seen" in message.flags) != (key == "SEEN"):
                return False
        elif key in ("FROM", "SUBJECT", "TO"):
            needle = str(criteria[position]).lower()
            position += 1
            if needle not in message.header(key).lower():
                return False
        elif key == "SINCE":
            day, month, year = str(criteria[position]).split("-")
            position += 1
            if message.received.date() < date(int(year), _MONTHS.index(month) + 1, int(day)):
                return False
        else:
            raise ValueError(f"search key {key} is not supported by the test server")
    return True


def _header_fields(data: bytes, names: list[str]) -> bytes:
    head = data.split(b"\r\n\r\n", 1)[0].split(b"\r\n")
    lines: list[bytes] = []
    keep = False
    for line in head:
        if line[:1] in (b" ", b"\t"):
            if keep:
                lines.append(line)
            continue
        keep = line.split(b":", 1)[0].decode().upper() in names
        if keep:
            lines.append(line)
    return b"\r\n".join(lines) + b"\r\n\r\n"


def _decode_mailbox(name: str) -> str:
    def decode(match: re.Match[str]) -> str:
        encoded = match.group(1)
        if not encoded:
            return "&"
        padded = encoded.replace(",", "/") + "=" * (-len(encoded) % 4)
        return base64.b64decode(padded).decode("utf-16-be")

    return re.sub(r"&([^-]*)-", decode, name)
