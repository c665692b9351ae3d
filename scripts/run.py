"""`make run`: start API, action server and Rasa, print the URLs, stop all on Ctrl-C.

While they run, the hand-off sweep (python -m app.cli handoff-sweep) runs every minute,
as the handoff-sweep service does in docker-compose.yml.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time

from stack import API_PY, ROOT, local_stack, telegram_env

SWEEP_EVERY = 60.0


def start_sweep(log: object) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [str(API_PY), "-m", "app.cli", "handoff-sweep"],
        cwd=ROOT / "api",
        stdout=log,  # type: ignore[arg-type]
        stderr=subprocess.STDOUT,
    )


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
    sweep_log = (ROOT / "data" / "logs" / "handoff-sweep.log").open("ab")
    sweep: subprocess.Popen[bytes] | None = None
    next_sweep = time.monotonic()

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
        # One sweep at a time: a slow one is not started twice.
        if time.monotonic() >= next_sweep and (sweep is None or sweep.poll() is not None):
            sweep = start_sweep(sweep_log)
            next_sweep = time.monotonic() + SWEEP_EVERY
        time.sleep(0.5)
    if sweep is not None and sweep.poll() is None:
        sweep.wait(timeout=30)
    sweep_log.close()
    print("[run] stopping...")
    stack.stop()
    print("[run] stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
