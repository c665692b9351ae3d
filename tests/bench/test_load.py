"""`make bench`, the load part: many conversations at once through the REST channel of the
real bot (trained model, action server, API), with one Rasa process and with two behind
round-robin in the client. Both Rasa set-ups use the production stores (SQL tracker
store on PostgreSQL, Redis lock store: tests/support_stores.py), so any server can
answer any message of a conversation.

Prints a Markdown table and writes data/bench/load.json and data/bench/load.md. Nothing
here asserts a timing: a benchmark reports. Loopback only.

Each user's conversation is LOAD_TURNS messages long (8), then a new user takes her place.
Two kinds of user: one who sends her next message the moment the answer comes (pause 0:
a stress test, the most the machine can take) and one who takes LOAD_PAUSES seconds to
read the answer and type (5: quicker than people on a phone are).

Settings (environment): LOAD_SECONDS (60) per run, LOAD_CONVERSATIONS ("50,200"),
LOAD_RASA_SERVERS ("1,2"), LOAD_PAUSES ("0,5"), LOAD_TURNS (8). A quick look:
LOAD_SECONDS=5 LOAD_CONVERSATIONS=5 make bench.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import sys
import time
from pathlib import Path

import httpx
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "bot"))

from e2e.conftest import MODEL, prepare_database, service_env  # noqa: E402

from channels import texts  # noqa: E402
from load_client import LoadResult, markdown_table, run_load  # noqa: E402
from stack import local_stack, rasa_service  # noqa: E402
from support_pg import free_port  # noqa: E402
from support_stores import available, production_stores, use_endpoints  # noqa: E402

OUT = ROOT / "data" / "bench"
SECONDS = float(os.environ.get("LOAD_SECONDS", "60"))
CONVERSATIONS = [int(n) for n in os.environ.get("LOAD_CONVERSATIONS", "50,200").split(",")]
SERVERS = [int(n) for n in os.environ.get("LOAD_RASA_SERVERS", "1,2").split(",")]
PAUSES = [float(n) for n in os.environ.get("LOAD_PAUSES", "0,5").split(",")]
TURNS = int(os.environ.get("LOAD_TURNS", "8"))


def messages() -> list[str]:
    """Real questions: the held-out NLU examples in kk, ru and en, interleaved."""
    per_language = []
    for lang in ("kk", "ru", "en"):
        data = yaml.safe_load((ROOT / "tests" / "nlu" / f"heldout_{lang}.yml").read_text())
        texts = []
        for block in data["nlu"]:
            for line in block["examples"].splitlines():
                text = line.strip().removeprefix("- ").strip()
                if text:
                    texts.append(re.sub(r"\[([^\]]+)\]\{[^}]*\}", r"\1", text))
        per_language.append(texts)
    return [t for group in zip(*per_language, strict=False) for t in group]


def cannot_answer() -> set[str]:
    """utter_api_down in every language: an answer, but not one she can use."""
    domain = yaml.safe_load((ROOT / "bot" / "domain" / "responses.yml").read_text())
    return {v["text"] for v in domain["responses"]["utter_api_down"] if v.get("text")}


def busy() -> set[str]:
    """The channel's "many people are writing, write again" (bot/channels/guard.py)."""
    return {texts.translate(texts.BUSY, lang) for lang in texts.LANGUAGES}


def warm_up(url: str, texts: list[str]) -> None:
    with httpx.Client(timeout=60) as client:
        for n, text in enumerate(texts[:6]):
            client.post(
                f"{url}/webhooks/rest/webhook", json={"sender": f"warm-{n}", "message": text}
            ).raise_for_status()


@pytest.mark.timeout(3600)  # eight runs of a minute each, and the stacks
@pytest.mark.skipif(not available(), reason="needs PostgreSQL server binaries and redis-server")
def test_load(tmp_path: Path) -> None:
    if not MODEL.exists():
        pytest.fail("no trained model: run `make train`")
    texts = messages()
    results: list[LoadResult] = []
    with production_stores(tmp_path) as stores:
        env = {
            **service_env(tmp_path),
            **stores.env,
            "SENDER_RATE_LIMIT": "100000/minute",
            "TF_CPP_MIN_LOG_LEVEL": "3",
        }
        prepare_database(env)
        actions_port = free_port()
        stack = local_stack(
            api_port=free_port(),
            actions_port=actions_port,
            rasa_port=free_port(),
            model=MODEL,
            env=env,
            log_dir=stores.log_dir,
        )
        use_endpoints(stack.services[-1], stores.endpoints)
        stack.start(timeout=300)
        second = None
        try:
            urls = [stack.services[-1].health_url.rstrip("/")]
            for servers in SERVERS:
                if servers > len(urls):
                    port = free_port()
                    second = rasa_service(
                        port, f"http://127.0.0.1:{actions_port}/webhook", MODEL, env
                    )
                    second.name = "rasa2"
                    use_endpoints(second, stores.endpoints)
                    second.start(stores.log_dir)
                    deadline = time.monotonic() + 300
                    while not second.healthy():
                        assert time.monotonic() < deadline, second.tail()
                        time.sleep(1)
                    urls.append(f"http://127.0.0.1:{port}")
                for url in urls[:servers]:
                    warm_up(url, texts)
                for pause in PAUSES:
                    for conversations in CONVERSATIONS:
                        result = asyncio.run(
                            run_load(
                                urls[:servers],
                                texts,
                                conversations=conversations,
                                seconds=SECONDS,
                                pause=pause,
                                turns=TURNS,
                                sender_prefix=f"load-{servers}-{conversations}-{pause:g}",
                                cannot_answer=cannot_answer(),
                                busy=busy(),
                            )
                        )
                        results.append(result)
                        print(f"\n{servers} Rasa server(s), {conversations} conversations,")
                        print(
                            f"pause {pause:g} s:", json.dumps(result.summary(), ensure_ascii=False)
                        )
        finally:
            if second is not None:
                second.stop()
            stack.stop()
    table = markdown_table(results)
    note = (
        f"Loopback, {SECONDS:.0f} s per run, {os.cpu_count()} CPU cores, conversations of "
        f"{TURNS} messages; 'pause': seconds she takes to read and type. Errors: failed, "
        "timed out (30 s), non-200, empty replies, the bot's 'cannot answer now' "
        "(utter_api_down) or 'busy' (more than MAX_MESSAGES_IN_PROGRESS at once)."
    )
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "load.json").write_text(
        json.dumps({"note": note, "runs": [r.summary() for r in results]}, indent=2) + "\n"
    )
    (OUT / "load.md").write_text(f"{table}\n{note}\n")
    print("\n" + table + "\n" + note)
