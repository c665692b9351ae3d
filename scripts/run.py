"""`make run`: start API, action server and Rasa, print the URLs, stop all on Ctrl-C."""

from __future__ import annotations

import signal
import sys
import time

from stack import local_stack, telegram_env


def main() -> int:
    started = time.monotonic()
    telegram = telegram_env()
    stack = local_stack(env=telegram)
    channels = (
        "REST, socket.io and Telegram"
        if telegram.get("TELEGRAM_ACCESS_TOKEN")
        else "REST, socket.io"
    )
    print(f"[run] starting api :8000, actions :5055, rasa :5005 ({channels}; logs in data/logs/)")
    try:
        stack.start()
    except RuntimeError as exc:
        print(f"[run] failed: {exc}", file=sys.stderr)
        return 1
    print(
        f"[run] ready in {time.monotonic() - started:.0f} s\n"
        "  web widget:   http://localhost:8000/  (demo page; ?lang=kk|ru|en)\n"
        "  chat (REST):  POST http://localhost:5005/webhooks/rest/webhook\n"
        "  API docs:     http://localhost:8000/docs\n"
        "  health:       http://localhost:8000/healthz\n"
        "Press Ctrl-C to stop."
    )
    stopping = False

    def stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    while not stopping:
        for service in stack.services:
            if service.process is not None and service.process.poll() is not None:
                print(
                    f"[run] {service.name} stopped unexpectedly:\n{service.tail()}", file=sys.stderr
                )
                stopping = True
        time.sleep(0.5)
    print("[run] stopping...")
    stack.stop()
    print("[run] stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
