"""stores/redis_lock.py on a real redis-server: tickets taken at the same time by several
processes (as by several Rasa replicas) are all different, and cleanup keeps the others."""

from __future__ import annotations

import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest
from rasa.utils.endpoints import EndpointConfig
from stores.redis_lock import AtomicRedisLockStore

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from support_redis import RedisServer, redis_server


@pytest.fixture(scope="module")
def redis() -> RedisServer:
    with redis_server() as server:
        yield server


def _store(redis: RedisServer) -> AtomicRedisLockStore:
    config = EndpointConfig(
        url="127.0.0.1", port=redis.port, password=redis.password, db=1, key_prefix="test"
    )
    return AtomicRedisLockStore(config)


def _take(args: tuple[int, str, int]) -> list[int]:
    port, password, count = args
    store = _store(RedisServer(port, password))
    return [store.issue_ticket("her", 60) for _ in range(count)]


def test_tickets_taken_by_several_processes_at_once_are_unique(redis: RedisServer) -> None:
    with ProcessPoolExecutor(4) as pool:
        batches = list(pool.map(_take, [(redis.port, redis.password, 50)] * 4))
    tickets = [t for batch in batches for t in batch]
    assert len(tickets) == 200
    assert sorted(tickets) == list(range(200))


def test_cleanup_removes_only_its_ticket(redis: RedisServer) -> None:
    store = _store(redis)
    first = store.issue_ticket("two", 60)
    second = store.issue_ticket("two", 60)
    store.cleanup("two", first)
    lock = store.get_lock("two")
    assert lock is not None and not lock.is_locked(second)  # the second is served now
    store.cleanup("two", second)
    assert store.get_lock("two") is None
