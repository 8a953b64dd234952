"""Refresh tokens at rest: encrypted, private, surviving a new store instance, with rotatable keys."""

from __future__ import annotations

import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from prometheus_client.parser import text_string_to_metric_families

from interlace.errors import ConfigError
from interlace.observability.metrics import Metrics
from interlace.runtime.token_store import KEY_ENV, EncryptedTokenStore, LazyTokenStore, load_fernet
from interlace.sdk import RefreshNote


async def test_a_saved_token_is_read_back_by_a_new_store(tmp_path: Path) -> None:
    fernet = load_fernet(tmp_path / "secret.key", env={})
    await EncryptedTokenStore(tmp_path / "tokens", fernet).save("patientMail", "rotated-1")
    again = EncryptedTokenStore(tmp_path / "tokens", load_fernet(tmp_path / "secret.key", env={}))
    assert await again.load("patientMail") == "rotated-1"
    assert await again.load("other") is None


async def test_the_token_file_and_key_file_are_private_and_hold_no_plain_token(tmp_path: Path) -> None:
    store = EncryptedTokenStore(tmp_path / "tokens", load_fernet(tmp_path / "secret.key", env={}))
    await store.save("patientMail", "very-secret-refresh-token")
    for name in ("tokens", "secret.key"):
        mode = stat.S_IMODE((tmp_path / name).stat().st_mode)
        assert mode == 0o600, f"{name} is {oct(mode)}"
    assert b"very-secret-refresh-token" not in (tmp_path / "tokens").read_bytes()


async def test_keys_from_the_environment_can_be_rotated(tmp_path: Path) -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    await EncryptedTokenStore(tmp_path / "tokens", load_fernet(tmp_path / "k", env={KEY_ENV: old})).save(
        "c", "t1"
    )
    rotated = EncryptedTokenStore(
        tmp_path / "tokens", load_fernet(tmp_path / "k", env={KEY_ENV: f"{new},{old}"})
    )
    assert await rotated.load("c") == "t1"
    assert not (tmp_path / "k").exists()


async def test_a_wrong_key_is_a_clear_configuration_error(tmp_path: Path) -> None:
    key = Fernet.generate_key().decode()
    await EncryptedTokenStore(tmp_path / "tokens", load_fernet(tmp_path / "k", env={KEY_ENV: key})).save(
        "c", "t"
    )
    other = EncryptedTokenStore(tmp_path / "tokens", load_fernet(tmp_path / "k2", env={}))
    with pytest.raises(ConfigError, match="cannot be decrypted"):
        await other.load("c")


def test_a_malformed_key_names_where_it_came_from(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=KEY_ENV):
        load_fernet(tmp_path / "k", env={KEY_ENV: "not-a-key"})


async def test_each_noted_refresh_is_counted_by_connection_and_outcome(tmp_path: Path) -> None:
    metrics = Metrics()
    store = LazyTokenStore(tmp_path, env={}, metrics=metrics)
    now = datetime.now(UTC)
    await store.note("patientMail", RefreshNote(now, "ok"))
    await store.note("patientMail", RefreshNote(now, "ok"))
    await store.note("patientMail", RefreshNote(now, "connection patientMail: the grant is revoked"))
    counted = {
        sample.labels["outcome"]: sample.value
        for family in text_string_to_metric_families(metrics.exposition().decode())
        for sample in family.samples
        if sample.name == "interlace_oauth2_refreshes_total"
    }
    assert counted == {"ok": 2, "failed": 1}
