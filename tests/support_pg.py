"""A throwaway PostgreSQL server for tests: initdb in a temp dir, started on a free port.

Runs the server as the `postgres` system user when the tests run as root (initdb
refuses root). Used by the API tests and the benchmarks.
"""

from __future__ import annotations

import getpass
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def _bin(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    matches = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return matches[-1] if matches else None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def available() -> bool:
    return _bin("initdb") is not None and _bin("pg_ctl") is not None


@contextmanager
def postgres_server() -> Iterator[str]:
    """Yield a SQLAlchemy URL of a fresh database; stop and delete it afterwards."""
    initdb, pg_ctl = _bin("initdb"), _bin("pg_ctl")
    if not initdb or not pg_ctl:
        raise RuntimeError("PostgreSQL server binaries not found (apt-get install postgresql)")
    as_root = os.geteuid() == 0
    prefix = ["runuser", "-u", "postgres", "--"] if as_root else []
    user = "postgres" if as_root else getpass.getuser()
    tmp = Path(tempfile.mkdtemp(prefix="ana-pg-"))
    data, sock = tmp / "data", tmp / "sock"
    sock.mkdir()
    if as_root:
        shutil.chown(tmp, "postgres")
        shutil.chown(sock, "postgres")
    port = free_port()
    subprocess.run(
        [*prefix, initdb, "-D", str(data), "-A", "trust", "-U", user, "-E", "UTF8"],
        check=True,
        capture_output=True,
    )
    subprocess.run(
        [
            *prefix,
            pg_ctl,
            "-D",
            str(data),
            "-l",
            str(tmp / "log"),
            "-w",
            "-o",
            f"-p {port} -k {sock} -c listen_addresses=127.0.0.1 -c fsync=off",
            "start",
        ],
        check=True,
        capture_output=True,
    )
    _SERVERS[port] = (prefix, pg_ctl, data)
    try:
        _wait_listening(port)
        yield f"postgresql+psycopg://{user}@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            [*prefix, pg_ctl, "-D", str(data), "-m", "immediate", "stop"], capture_output=True
        )
        _SERVERS.pop(port, None)
        shutil.rmtree(tmp, ignore_errors=True)


# Servers started by postgres_server(), by port: for the fault tests, which stop one
# mid-conversation and start it again (tests/e2e/test_faults.py).
_SERVERS: dict[int, tuple[list[str], str, Path]] = {}


def _wait_listening(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)


def stop_server(port: int) -> None:
    """Stop the server at once, as a crash or a killed container would."""
    prefix, pg_ctl, data = _SERVERS[port]
    subprocess.run([*prefix, pg_ctl, "-D", str(data), "-m", "immediate", "-w", "stop"], check=True)


def start_server(port: int) -> None:
    """Start a stopped server again with the options it had (postmaster.opts)."""
    prefix, pg_ctl, data = _SERVERS[port]
    opts = (data / "postmaster.opts").read_text().split(None, 1)[1].strip()
    # postmaster.opts quotes every argument; pg_ctl -o wants them as one string.
    subprocess.run(
        [
            *prefix,
            pg_ctl,
            "-D",
            str(data),
            "-l",
            str(data.parent / "log"),
            "-w",
            "-o",
            opts.replace('"', ""),
            "start",
        ],
        check=True,
        capture_output=True,
    )
    _wait_listening(port)
