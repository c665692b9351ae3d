"""A throwaway Redis server for tests: redis-server on a free port in a temp dir.

Nothing is saved to disk; the password is a fresh random one. Used by the replica and fault
tests (tests/e2e).
"""

from __future__ import annotations

import secrets
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from support_pg import free_port


@dataclass(frozen=True)
class RedisServer:
    port: int
    password: str

    def cli(self, *args: str) -> list[str]:
        """The redis-cli command line for `args` against this server."""
        return [
            "redis-cli",
            "-h",
            "127.0.0.1",
            "-p",
            str(self.port),
            "--no-auth-warning",
            "-a",
            self.password,
            *args,
        ]


def available() -> bool:
    return shutil.which("redis-server") is not None and shutil.which("redis-cli") is not None


@contextmanager
def redis_server() -> Iterator[RedisServer]:
    if not available():
        raise RuntimeError("redis-server not found (apt-get install redis-server)")
    password = secrets.token_urlsafe(16)
    tmp = Path(tempfile.mkdtemp(prefix="ana-redis-"))
    port = free_port()
    process = subprocess.Popen(
        [
            "redis-server",
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--dir",
            str(tmp),
            "--save",
            "",
            "--appendonly",
            "no",
            "--requirepass",
            password,
        ],
        stdout=(tmp / "log").open("wb"),
        stderr=subprocess.STDOUT,
    )
    server = RedisServer(port, password)
    try:
        deadline = time.monotonic() + 20
        while True:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("redis-server did not start:\n" + (tmp / "log").read_text())
            time.sleep(0.1)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        shutil.rmtree(tmp, ignore_errors=True)
