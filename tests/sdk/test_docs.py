from __future__ import annotations

from typing import Annotated

from interlace.sdk import Connection, ConnectionConfig, Connector, Param, Secret, render_connector_reference

from .kv import connector


def test_the_page_documents_settings_operations_and_triggers() -> None:
    page = render_connector_reference(connector)
    assert page.startswith("# `kv` connector\n\nAn in-memory key-value store for tests.\n")
    assert "Version `1.2.0`." in page
    assert "## Connection\n\nWhich store to use and how to open it.\n" in page
    assert "| `max-keys` | integer | `100` | How many keys the store holds at most. |" in page
    assert "| `password` | secret | — | The password the store asks for, if any. |" in page
    assert "### `kv.put`\n\nKeep *value* under *key*.\n\nOverwrites what the key held.\n" in page
    assert "| `key` | string | required | The key to store under. |" in page
    assert "| `ttl` | integer | — | Seconds to keep it; forever if not given. |" in page
    assert '| `default` | string | `""` | What to answer when the key holds nothing. |' in page
    assert "| `tags` | list of string | `[]` | Labels of the change. |" in page
    assert "**Result**: integer. How many keys the store holds now.\n" in page
    assert '```yaml\n- kv.put: {connection: NAME, key: "orders:1", value: "..."}\n```\n' in page
    assert "## Triggers\n\n### `kv.changes`\n" in page
    assert page.endswith('| `prefix` | string | `""` | Only keys starting with this. |\n')


def test_operations_come_in_the_order_they_were_defined() -> None:
    page = render_connector_reference(connector)
    positions = [page.index(f"### `kv.{name}`") for name in ("put", "getValue", "incr", "login", "changes")]
    assert positions == sorted(positions)


class VaultConfig(ConnectionConfig):
    """Where the vault is."""

    url: str
    """The vault's address | with a pipe."""

    token: Secret = Secret("default-vault-token")
    """The vault token."""


class VaultConnection(Connection[VaultConfig]):
    pass


vault = Connector("vault", version="2.0.0", connection=VaultConnection, pool_size=4)


@vault.operation
async def read(
    conn: VaultConnection,
    path: Annotated[str, Param("Where the secret is.")],
    *,
    wrapping: Annotated[str, Param("A wrapping token.", secret=True)] = "default-wrapping-token",
) -> str:
    """Read a secret."""
    return ""


def test_secret_defaults_are_hidden_and_table_cells_are_escaped() -> None:
    page = render_connector_reference(vault)
    assert "default-vault-token" not in page
    assert "default-wrapping-token" not in page
    assert "| `token` | secret | (hidden) | The vault token. |" in page
    assert "| `wrapping` | string (secret) | (hidden) | A wrapping token. |" in page
    assert "| `url` | string | required | The vault's address \\| with a pipe. |" in page
    assert "keeps up to 4 live connections" in page
    assert "## Triggers" not in page
