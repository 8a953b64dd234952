from __future__ import annotations

import ssl
from pathlib import Path

import pytest

from .peers import server_tls, write_certificate


@pytest.fixture(scope="session")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return write_certificate(tmp_path_factory.mktemp("tls"))


@pytest.fixture
def ca_file(certificate: tuple[Path, Path]) -> str:
    return str(certificate[0])


@pytest.fixture
def tls(certificate: tuple[Path, Path]) -> ssl.SSLContext:
    return server_tls(*certificate)
