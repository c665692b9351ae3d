"""Rasa's production stores for tests and benchmarks: the SQL tracker store on a throwaway
PostgreSQL (support_pg.py) and the Redis lock store on a redis-server of its own.

Rasa is pointed at bot/endpoints.production.yml when it exists, else at a file of the same
shape written here; either way every value comes from the environment returned.
"""

from __future__ import annotations

import shutil
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import support_pg
from stack import ROOT, Service

PRODUCTION_ENDPOINTS = ROOT / "bot" / "endpoints.production.yml"
ENDPOINTS = """\
action_endpoint:
  url: ${ACTION_SERVER_URL}
  enable_selective_domain: true
tracker_store:
  type: SQL
  dialect: postgresql
  url: ${TRACKER_DB_HOST}
  port: ${TRACKER_DB_PORT}
  db: ${TRACKER_DB}
  login_db: ${TRACKER_LOGIN_DB}
  username: ${TRACKER_DB_USER}
  password: ${TRACKER_DB_PASSWORD}
lock_store:
  type: redis
  url: ${REDIS_HOST}
  port: ${REDIS_PORT}
  password: ${REDIS_PASSWORD}
  db: 1
"""


def available() -> bool:
    return support_pg.available() and shutil.which("redis-server") is not None


def _listening(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


@dataclass
class Stores:
    endpoints: Path
    env: dict[str, str]
    pg_port: int
    tracker_url: str  # SQLAlchemy URL of the tracker database
    redis: Service
    redis_port: int
    log_dir: Path

    def start_redis(self) -> None:
        self.redis.start(self.log_dir)
        deadline = time.monotonic() + 30
        while not _listening(self.redis_port):
            if time.monotonic() > deadline:
                raise RuntimeError(f"redis-server did not start:\n{self.redis.tail()}")
            time.sleep(0.2)

    def stop_redis(self) -> None:
        self.redis.stop()


@contextmanager
def production_stores(tmp: Path) -> Iterator[Stores]:
    log_dir = tmp / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    redis_port = support_pg.free_port()
    redis = Service(
        "redis",
        [
            "redis-server",
            "--port",
            str(redis_port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ],
        ROOT,
        "",
    )
    endpoints = PRODUCTION_ENDPOINTS
    if not endpoints.exists():
        endpoints = tmp / "endpoints.yml"
        endpoints.write_text(ENDPOINTS, encoding="utf-8")
    with support_pg.postgres_server() as pg_url:
        pg_port = int(pg_url.rsplit(":", 1)[1].split("/")[0])
        stores = Stores(
            endpoints,
            {
                "TRACKER_DB_HOST": "127.0.0.1",
                "TRACKER_DB_PORT": str(pg_port),
                "TRACKER_DB": "rasa",
                "TRACKER_LOGIN_DB": "postgres",
                "TRACKER_DB_USER": pg_url.split("//", 1)[1].split("@", 1)[0],
                "TRACKER_DB_PASSWORD": "",
                "REDIS_HOST": "127.0.0.1",
                "REDIS_PORT": str(redis_port),
                "REDIS_PASSWORD": "",
            },
            pg_port,
            pg_url.rsplit("/", 1)[0] + "/rasa",
            redis,
            redis_port,
            log_dir,
        )
        stores.start_redis()
        try:
            yield stores
        finally:
            stores.stop_redis()


def use_endpoints(rasa: Service, endpoints: Path) -> None:
    """Point a Rasa service of scripts/stack.py at another endpoints file."""
    rasa.args[rasa.args.index("endpoints.yml")] = str(endpoints)
