"""A fake Telegram Bot API on a free loopback port, for the Telegram channel's tests.

It answers `POST /bot<token>/<method>` like Telegram does (`{"ok": true, "result": ...}`)
and records every call: the method and its parameters (form or JSON, as aiogram sends
them). Standard library only; it runs in a thread of the test process.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl


@dataclass
class Call:
    method: str
    params: dict[str, Any]

    @property
    def reply_markup(self) -> dict[str, Any] | None:
        raw = self.params.get("reply_markup")
        return json.loads(raw) if isinstance(raw, str) else raw


class FakeTelegram:
    def __init__(self, token: str, username: str) -> None:
        self.token = token
        self.username = username
        self.calls: list[Call] = []
        self._lock = threading.Lock()
        self._message_ids = itertools.count(1)
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> FakeTelegram:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def since(self, mark: int) -> list[Call]:
        with self._lock:
            return list(self.calls[mark:])

    def mark(self) -> int:
        with self._lock:
            return len(self.calls)

    def wait_for(self, method: str, timeout: float = 60) -> list[Call]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                found = [c for c in self.calls if c.method == method]
            if found:
                return found
            time.sleep(0.2)
        raise AssertionError(f"no {method} call reached the fake Bot API")

    def _result(self, method: str, params: dict[str, Any]) -> Any:
        if method == "getMe":
            return {
                "id": 4242,
                "is_bot": True,
                "first_name": "Ana Komek",
                "username": self.username,
            }
        if method in ("sendMessage", "editMessageReplyMarkup", "editMessageText"):
            return {
                "message_id": next(self._message_ids),
                "date": int(time.time()),
                "chat": {"id": int(params.get("chat_id", 0)), "type": "private"},
                "text": params.get("text", ""),
            }
        return True

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length).decode("utf-8")
                if "json" in (self.headers.get("Content-Type") or ""):
                    params = json.loads(raw or "{}")
                else:
                    params = dict(parse_qsl(raw, keep_blank_values=True))
                parts = self.path.strip("/").split("/")
                if len(parts) != 2:
                    self._send(404, {"ok": False, "error_code": 404, "description": "Not Found"})
                    return
                if parts[0] != f"bot{fake.token}":  # what Telegram answers to a wrong token
                    self._send(401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
                    return
                method = parts[1]
                with fake._lock:
                    fake.calls.append(Call(method, params))
                self._send(200, {"ok": True, "result": fake._result(method, params)})

            do_GET = do_POST

            def _send(self, status: int, body: dict[str, Any]) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler
