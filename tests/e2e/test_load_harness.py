"""The load client of `make bench` (tests/load_client.py), run for two seconds against two
small local servers that fail in known ways: every failure the servers produced is
counted, as the right kind, and nothing else is."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import threading
import time
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from load_client import markdown_table, run_load

# message → what the server does with it
BEHAVIOUR = {
    "ok": (200, b'[{"recipient_id": "x", "text": "ok"}]'),
    "fail500": (500, b'{"error": "boom"}'),
    "empty": (200, b"[]"),
    "badjson": (200, b"<html>not json</html>"),
    "slow": (200, b'[{"text": "too late"}]'),
    "down": (200, b'[{"text": "back soon"}]'),
    "busy": (200, b'[{"text": "write again"}]'),
}
MESSAGES = ["ok", "fail500", "ok", "empty", "badjson", "slow", "down", "busy", "ok"]
TIMEOUT = 0.5


class Recorder(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.seen: Counter[str] = Counter()
        self.times: dict[str, list[float]] = {}  # sender → when each of her messages came
        self.lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class Handler(BaseHTTPRequestHandler):
    server: Recorder

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        message = body["message"]
        with self.server.lock:
            self.server.seen[message] += 1
            self.server.times.setdefault(body["sender"], []).append(time.monotonic())
        if message == "slow":
            time.sleep(TIMEOUT * 3)
        status, payload = BEHAVIOUR[message]
        self.send_response(status)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.wfile.write(payload)  # the client may have given up on a slow answer

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def servers() -> Iterator[list[Recorder]]:
    started = [Recorder(), Recorder()]
    for server in started:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    yield started
    for server in started:
        server.shutdown()
        server.server_close()


def test_the_load_client_counts_each_failure_by_kind(servers: list[Recorder]) -> None:
    result = asyncio.run(
        run_load(
            [s.url for s in servers],
            MESSAGES,
            conversations=4,
            seconds=2,
            timeout=TIMEOUT,
            cannot_answer={"back soon"},
            busy={"write again"},
        )
    )
    seen = servers[0].seen + servers[1].seen
    assert result.requests == sum(seen.values()) > len(MESSAGES)
    assert result.errors == Counter(
        {
            "HTTP 500": seen["fail500"],
            "no reply": seen["empty"],
            "JSONDecodeError": seen["badjson"],
            "timeout": seen["slow"],
            "cannot answer": seen["down"],
            "busy": seen["busy"],
        }
    )
    assert result.error_count == result.requests - seen["ok"]
    # Round-robin: the two servers got the same number of requests, give or take one.
    assert abs(sum(servers[0].seen.values()) - sum(servers[1].seen.values())) <= 1
    summary = result.summary()
    assert summary["p50_ms"] <= summary["p95_ms"] <= summary["p99_ms"]
    table = markdown_table([result])
    row = f"| 2 | 4 | 0.0 | {summary['seconds']} | {result.requests} | {result.error_count} |"
    assert row in table


def test_conversations_end_after_their_turns_and_users_pause(servers: list[Recorder]) -> None:
    pause, turns = 0.3, 3
    result = asyncio.run(
        run_load(
            [s.url for s in servers],
            ["ok"],
            conversations=2,
            seconds=2.5,
            pause=pause,
            turns=turns,
            timeout=TIMEOUT,
        )
    )
    times: dict[str, list[float]] = {}
    for server in servers:
        for sender, seen in server.times.items():
            times.setdefault(sender, []).extend(seen)
    assert result.requests == sum(len(t) for t in times.values())
    assert result.error_count == 0
    # New users took the places of those whose conversations ended.
    assert len(times) > 2
    assert all(len(t) <= turns for t in times.values())
    gaps = [b - a for t in map(sorted, times.values()) for a, b in itertools.pairwise(t)]
    assert gaps and min(gaps) >= pause * 0.5 * 0.9  # pauses vary from half to 1.5 times
    assert result.summary()["pause_s"] == pause
