"""A bounded load client for the REST channel (asyncio + httpx, loopback only).

`run_load` keeps `conversations` conversations going at once for `seconds`: each one is
a user who sends her messages one after another (the next when the answer came and she
has paused to read it and type: `pause` seconds on average, between half and one and a
half times that, and as long before her first message, so that users do not all type in
step), to the Rasa servers in `urls` in turn (round-robin per request). After `turns` messages her conversation ends and a new user
takes her place, so there are always `conversations` at once, each as long as a real one
(0: one user per place for the whole run). It counts every request:
latency, and an error when the request failed, timed out, was not a 200, brought no
reply, the bot's "cannot answer now" or its "many people are writing, write again".
Used by tests/bench/test_load.py (`make bench`) and checked against a server with known
failures by tests/e2e/test_load_harness.py.
"""

from __future__ import annotations

import asyncio
import itertools
import math
import random
import time
from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx


@dataclass
class LoadResult:
    conversations: int
    servers: int
    seconds: float
    pause: float = 0.0
    turns: int = 0
    latencies_ms: list[float] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)

    @property
    def requests(self) -> int:
        return len(self.latencies_ms)

    @property
    def error_count(self) -> int:
        return sum(self.errors.values())

    def percentile(self, p: float) -> float:
        """Nearest-rank percentile of all request latencies (failed ones included)."""
        if not self.latencies_ms:
            return math.nan
        ordered = sorted(self.latencies_ms)
        return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]

    def summary(self) -> dict[str, Any]:
        return {
            "conversations": self.conversations,
            "rasa_servers": self.servers,
            "pause_s": self.pause,
            "turns": self.turns,
            "seconds": round(self.seconds, 1),
            "requests": self.requests,
            "errors": self.error_count,
            "error_kinds": dict(self.errors),
            "p50_ms": round(self.percentile(50), 1),
            "p95_ms": round(self.percentile(95), 1),
            "p99_ms": round(self.percentile(99), 1),
            "throughput_rps": round(self.requests / self.seconds, 1) if self.seconds else 0.0,
            # Requests that brought an answer, per second (timed-out ones count above).
            "answered_rps": (
                round((self.requests - self.error_count) / self.seconds, 1) if self.seconds else 0.0
            ),
        }


async def run_load(
    urls: Sequence[str],
    messages: Sequence[str],
    *,
    conversations: int,
    seconds: float,
    pause: float = 0.0,
    turns: int = 0,
    timeout: float = 30,
    sender_prefix: str = "load",
    cannot_answer: Collection[str] = (),
    busy: Collection[str] = (),
) -> LoadResult:
    """`cannot_answer`: reply texts that mean the bot could not answer (its "back soon"
    when a part behind it failed); `busy`: its "many people are writing, write again in a
    minute". A reply with one of them counts as an error of that kind."""
    result = LoadResult(conversations, len(urls), 0.0, pause, turns)
    rng = random.Random(0)  # the same pauses in every run
    turn = itertools.count()
    limits = httpx.Limits(max_connections=conversations, max_keepalive_connections=conversations)
    async with httpx.AsyncClient(timeout=timeout, limits=limits) as client:
        start = time.perf_counter()
        deadline = start + seconds

        async def conversation(n: int) -> None:
            if pause:
                await asyncio.sleep(rng.uniform(0, pause))
            for i in itertools.count():
                if i and pause:
                    await asyncio.sleep(rng.uniform(0.5 * pause, 1.5 * pause))
                if time.perf_counter() >= deadline:
                    return
                url = urls[next(turn) % len(urls)]
                user = i // turns if turns else 0
                body = {
                    "sender": f"{sender_prefix}-{n}-{user}",
                    "message": messages[(n + i) % len(messages)],
                }
                sent = time.perf_counter()
                error = None
                try:
                    response = await client.post(f"{url}/webhooks/rest/webhook", json=body)
                    if response.status_code != 200:
                        error = f"HTTP {response.status_code}"
                    elif not (replies := response.json()):
                        error = "no reply"
                    elif any(r.get("text") in cannot_answer for r in replies):
                        error = "cannot answer"
                    elif any(r.get("text") in busy for r in replies):
                        error = "busy"
                except httpx.TimeoutException:
                    error = "timeout"
                except (httpx.HTTPError, ValueError) as exc:
                    error = type(exc).__name__
                result.latencies_ms.append((time.perf_counter() - sent) * 1000)
                if error:
                    result.errors[error] += 1

        await asyncio.gather(*(conversation(n) for n in range(conversations)))
        result.seconds = time.perf_counter() - start
    return result


def markdown_table(results: Sequence[LoadResult]) -> str:
    head = (
        "| Rasa servers | conversations | pause s | seconds | requests | errors | p50 ms "
        "| p95 ms | p99 ms | req/s | answered/s |\n|---|---|---|---|---|---|---|---|---|---|---|\n"
    )
    rows = []
    for r in results:
        s = r.summary()
        rows.append(
            f"| {s['rasa_servers']} | {s['conversations']} | {s['pause_s']} | {s['seconds']} "
            f"| {s['requests']} "
            f"| {s['errors']} | {s['p50_ms']} | {s['p95_ms']} | {s['p99_ms']} "
            f"| {s['throughput_rps']} | {s['answered_rps']} |"
        )
    return head + "\n".join(rows) + "\n"
