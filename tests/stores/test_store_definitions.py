"""Store definitions (stores/NAME.yaml) and the stores they build."""

from __future__ import annotations

from pathlib import Path

import pytest

from interlace.errors import ConfigError
from interlace.model.base import validate_definition
from interlace.model.store import StoreDefinition
from interlace.model.yamlsource import load_yaml
from interlace.stores import MemoryStore, SqliteStore, StoreBounds, build_store, store_bounds
from interlace.stores.postgres import PostgresStore
from interlace.stores.rabbitmq import RabbitMqStore
from interlace.stores.redis import RedisStore

FILE = "stores/payments.yaml"


def load(text: str) -> StoreDefinition:
    return validate_definition(StoreDefinition, load_yaml(text, FILE), FILE)


def problem(text: str) -> ConfigError:
    with pytest.raises(ConfigError) as caught:
        load(text)
    return caught.value


def test_a_store_without_a_kind_is_sqlite_with_its_defaults() -> None:
    definition = load("store: PaymentRequestMessageStore\n")

    assert definition.kind == "sqlite"
    assert definition.options.model_dump() == {
        "path": ".interlace/stores.sqlite",
        "synchronous": "full",
        "lease": 30.0,
    }
    assert definition.dedupe_window is None


def test_every_kind_reads_its_kebab_case_options() -> None:
    sqlite = load("store: S\nsqlite: {path: data/s.db, synchronous: normal}\ndedupe-window: 10m\n")
    postgres = load(
        "store: P\npostgres: {dsn: 'postgresql://root@db/test', table: msgs, pool-size: 8, lease: 5s}\n"
    )
    rabbitmq = load(
        "store: R\nrabbitmq: {url: 'amqp://guest:guest@mq:5672/', queue: payments, timeout: 2s}\n"
    )
    redis = load("store: X\nredis: {url: 'redis://cache:6379/1', stream: payments, group: billing}\n")

    assert sqlite.sqlite is not None and postgres.postgres is not None
    assert rabbitmq.rabbitmq is not None and redis.redis is not None
    assert (sqlite.kind, sqlite.sqlite.synchronous, sqlite.dedupe_window) == ("sqlite", "normal", 600.0)
    assert (postgres.kind, postgres.postgres.table, postgres.postgres.pool_size) == ("postgres", "msgs", 8)
    assert (rabbitmq.kind, rabbitmq.rabbitmq.queue, rabbitmq.rabbitmq.timeout) == (
        "rabbitmq",
        "payments",
        2.0,
    )
    assert (redis.kind, redis.redis.stream, redis.redis.group) == ("redis", "payments", "billing")
    assert postgres.options is postgres.postgres
    assert load("store: M\nmemory: {}\n").kind == "memory"


def test_two_kinds_are_an_error_at_the_second() -> None:
    error = problem("store: Payments\nmemory: {}\nredis: {}\n")

    assert str(error) == (
        "store 'Payments' must have at most one of memory, sqlite, postgres, rabbitmq or redis "
        "(got memory and redis) at stores/payments.yaml:3"
    )


def test_a_dedupe_window_on_rabbitmq_is_refused() -> None:
    error = problem("store: Payments\nrabbitmq: {}\ndedupe-window: 10m\n")

    assert "cannot have dedupe-window: RabbitMQ cannot look up" in str(error)
    assert str(error.location) == "stores/payments.yaml:3"


def test_max_bytes_on_rabbitmq_is_refused_and_a_bound_is_read_with_units() -> None:
    error = problem("store: Payments\nrabbitmq: {}\nmax-messages: 50\nmax-bytes: 1MiB\n")

    assert "cannot have max-bytes: RabbitMQ does not tell how many bytes a queue holds" in str(error)
    assert str(error.location) == "stores/payments.yaml:4"
    bounded = StoreDefinition.model_validate(
        {"store": "P", "max-messages": 50, "max-bytes": "2MiB", "when-full": "wait", "full-wait": "2s"}
    )
    assert store_bounds(bounded) == StoreBounds(50, 2 * 1024 * 1024, "wait", 2.0, 5.0)
    rabbit = StoreDefinition.model_validate({"store": "P", "rabbitmq": {}})
    assert (store_bounds(rabbit).max_messages, store_bounds(rabbit).max_bytes) == (10_000, None)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("sqlite: {synchronous: off}", "sqlite.synchronous: Input should be 'full' or 'normal'"),
        ("postgres: {table: 'drop table x'}", "postgres.table: must be a lower-case SQL name"),
        ("postgres: {dsn: 'mysql://db/x'}", "postgres.dsn: must be a URL starting with postgresql://"),
        ("postgres: {pool-size: 0}", "postgres.pool-size: must be >= 1"),
        ("redis: {url: 'http://cache'}", "redis.url: must be a URL starting with redis://"),
        ("redis: {lease: 0s}", "redis.lease: must be > 0"),
        ("rabbitmq: {queue: 'a b'}", "rabbitmq.queue: must be 1 to 200 letters"),
        ("sqlite: {wal: true}", "unknown key 'wal'"),
        ("dedupe-window: soon", "dedupe-window: must be a duration like 30s or 250ms"),
        ("max-messages: 0", "max-messages: must be >= 1 (got 0)"),
        ("max-bytes: 10 apples", "max-bytes: size must be a positive number of bytes like 1048576 or 10MiB"),
        ("when-full: block", "when-full: Input should be 'refuse' or 'wait'"),
        ("full-wait: 0s", "full-wait: must be > 0"),
    ],
)
def test_wrong_options_are_reported_at_their_line(text: str, expected: str) -> None:
    error = problem(f"store: Payments\n{text}\n")

    assert expected in str(error)
    assert str(error.location) == "stores/payments.yaml:2"


def test_build_store_makes_the_kind_and_resolves_sqlite_paths_in_the_project(tmp_path: Path) -> None:
    def built(text: str) -> object:
        return build_store(load(text), project_root=tmp_path)

    default = built("store: S\n")
    assert isinstance(default, SqliteStore)
    assert default._path == tmp_path / ".interlace/stores.sqlite"
    absolute = built(f"store: S\nsqlite: {{path: {tmp_path / 'elsewhere.db'}}}\n")
    assert isinstance(absolute, SqliteStore)
    assert absolute._path == tmp_path / "elsewhere.db"
    assert isinstance(built("store: M\nmemory: {}\n"), MemoryStore)
    assert isinstance(built("store: P\npostgres: {}\n"), PostgresStore)
    assert isinstance(built("store: R\nrabbitmq: {}\n"), RabbitMqStore)
    assert isinstance(built("store: X\nredis: {}\n"), RedisStore)
