"""A socket.io client for the e2e tests, run with .venv-bot's Python (python-socketio
lives only there): `python sio_client.py < request.json > replies.json`.

Request: {"url": "http://127.0.0.1:5005", "session_id": "...", "payloads": [...],
"quiet": 2.0, "timeout": 60}. Each payload is emitted as `user_uttered` as it is (it may
be a broken one); then every `bot_uttered` and `input_error` event is collected until
`quiet` seconds pass without one (after at least one arrived) or `timeout` passes.
Output: one list of {"event", "data"} per payload, as JSON.
"""

from __future__ import annotations

import asyncio
import json
import sys
from typing import Any

import socketio


async def run(request: dict[str, Any]) -> list[list[dict[str, Any]]]:
    client = socketio.AsyncClient()
    received: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    confirmed = asyncio.Event()

    @client.on("session_confirm")
    async def on_confirm(_: Any) -> None:
        confirmed.set()

    for event in ("bot_uttered", "input_error"):

        async def on_event(data: Any, event: str = event) -> None:
            await received.put({"event": event, "data": data})

        client.on(event, on_event)

    await client.connect(request["url"], socketio_path="/socket.io")
    await client.emit("session_request", {"session_id": request["session_id"]})
    await asyncio.wait_for(confirmed.wait(), 30)
    results = []
    for payload in request["payloads"]:
        await client.emit("user_uttered", payload)
        events: list[dict[str, Any]] = []
        loop = asyncio.get_running_loop()
        deadline = loop.time() + request.get("timeout", 60)
        while loop.time() < deadline:
            wait = request.get("quiet", 2.0) if events else deadline - loop.time()
            try:
                events.append(await asyncio.wait_for(received.get(), max(wait, 0.01)))
            except asyncio.TimeoutError:
                if events:
                    break
        results.append(events)
    await client.disconnect()
    return results


if __name__ == "__main__":
    print(json.dumps(asyncio.run(run(json.load(sys.stdin)))))
