"""Does the first thing she reads answer what she asked? The relevance benchmark.

Sends every question of tests/data/relevance/<lang>.yaml (written blind, with an answer key
of the approved snippets that answer it) to a running bot over REST, one new conversation
each, and reads the reply as she would:

- first right: the first snippet shown is in the key (`answers`);
- shown or offered right: some snippet shown, or offered as a button ("Also: ..."), is in
  the key;
- topic: the first payload's topic is the question's topic (reported for the messy
  questions apart, as the issue's "understood as she types");
- not understood: no answer and no referral, only "did you mean" or "not understood";
- asked citizenship: the bot asked her passport before answering (the benchmark then
  taps "another country", as most mothers here hold Uzbek or Tajik passports);
- length: characters of text and number of messages of the reply (buttons not counted);
- English: a Kazakh or Russian reply with a word in Latin letters (links aside).

Questions whose key is empty (no approved snippet answers them: a content gap) count in
every figure except "first right" and "any right", which are reported over the answerable
ones. Beside the bot, the same questions go to the API's search alone (first hit in her
language): the baseline the dialogue must beat.

    .venv-api/bin/python scripts/measure_answers.py --rasa http://localhost:5005 --api http://localhost:8000
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import uuid
from pathlib import Path
from typing import Any

import httpx
import yaml
from catalogs import LANGUAGES

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "api"))

from app.knowledge.language import latin_words  # noqa: E402

DATA = ROOT / "tests" / "data" / "relevance"
ANOTHER_COUNTRY = '/inform{"citizenship_group": "non_eaeu"}'


def load(lang: str, data_dir: Path = DATA) -> list[dict[str, Any]]:
    return yaml.safe_load((data_dir / f"{lang}.yaml").read_text(encoding="utf-8")) or []


def _send(client: httpx.Client, rasa: str, sender: str, text: str) -> list[dict[str, Any]]:
    response = client.post(
        f"{rasa}/webhooks/rest/webhook", json={"sender": sender, "message": text}
    )
    response.raise_for_status()
    return response.json()


def ask(client: httpx.Client, rasa: str, question: str) -> dict[str, Any]:
    """Her question in a new conversation; the citizenship question answered if asked."""
    sender = f"bench-{uuid.uuid4().hex[:12]}"
    reply = _send(client, rasa, sender, question)
    asked = any(
        b.get("payload", "").startswith("/inform") for m in reply for b in m.get("buttons") or []
    )
    if asked:
        reply = reply + _send(client, rasa, sender, ANOTHER_COUNTRY)
    payloads = [m["custom"] for m in reply if isinstance(m.get("custom"), dict)]
    offered = [
        b["payload"].split('"')[3]
        for m in reply
        for b in m.get("buttons") or []
        if b.get("payload", "").startswith('/more{"snippet"')
    ]
    texts = [m["text"] for m in reply if m.get("text")]
    return {
        "asked_citizenship": asked,
        "snippets": [p["snippet_id"] for p in payloads if p.get("snippet_id")],
        "offered": offered,
        "topic": next((p.get("topic") for p in payloads if p.get("topic")), None),
        "texts": texts,
    }


def measure_language(
    client: httpx.Client, rasa: str, api: str | None, lang: str, items: list[dict[str, Any]]
) -> dict[str, Any]:
    rows = []
    for item in items:
        got = ask(client, rasa, item["q"])
        key = set(item.get("answers") or [])
        baseline = None
        if api:
            hits = client.get(f"{api}/v1/search", params={"q": item["q"], "lang": lang, "limit": 1})
            found = hits.json().get("results") if hits.status_code == 200 else []
            baseline = found[0]["snippet_id"] if found else None
        reply = "\n".join(got["texts"])
        rows.append(
            {
                "q": item["q"],
                "messy": bool(item.get("messy")),
                "answerable": bool(key),
                "first_right": bool(got["snippets"]) and got["snippets"][0] in key,
                "any_right": bool(key & set(got["snippets"] + got["offered"])),
                "baseline_right": baseline in key if baseline else False,
                "topic_right": got["topic"] == item["topic"],
                "not_understood": got["topic"] is None,
                "asked_citizenship": got["asked_citizenship"],
                "chars": len(reply),
                "messages": len(got["texts"]),
                "latin": latin_words(reply) if lang != "en" else [],
                "first": got["snippets"][0] if got["snippets"] else None,
                "topic": got["topic"],
                "want_topic": item["topic"],
                "key": sorted(key),
            }
        )
    return summarise(rows)


def measure_all(rasa: str, api: str | None, langs: tuple[str, ...] = LANGUAGES) -> dict[str, Any]:
    with httpx.Client(timeout=60) as client:
        return {lang: measure_language(client, rasa, api, lang, load(lang)) for lang in langs}


def _share(rows: list[dict[str, Any]], key: str) -> float | None:
    return round(sum(bool(r[key]) for r in rows) / len(rows), 3) if rows else None


def summarise(rows: list[dict[str, Any]]) -> dict[str, Any]:
    answerable = [r for r in rows if r["answerable"]]
    messy = [r for r in rows if r["messy"]]
    return {
        "questions": len(rows),
        "answerable": len(answerable),
        "first_right": _share(answerable, "first_right"),
        "any_right": _share(answerable, "any_right"),
        "baseline_first_right": _share(answerable, "baseline_right"),
        "topic_accuracy": _share(rows, "topic_right"),
        "messy": len(messy),
        "messy_topic_accuracy": _share(messy, "topic_right"),
        "messy_not_understood": _share(messy, "not_understood"),
        "not_understood": _share(rows, "not_understood"),
        "asked_citizenship": _share(rows, "asked_citizenship"),
        "median_chars": statistics.median(r["chars"] for r in rows) if rows else None,
        "median_messages": statistics.median(r["messages"] for r in rows) if rows else None,
        "with_latin": _share(rows, "latin"),
        "rows": rows,
    }


def to_markdown(report: dict[str, dict[str, Any]]) -> str:
    def pct(value: float | None) -> str:
        return "-" if value is None else f"{100 * value:.0f}%"

    lines = [
        "| language | questions (answerable) | first snippet right | shown or offered right "
        "| search alone, first right | topic right, messy (n) | not understood, messy "
        "| asked passport | median reply | kk/ru reply with Latin words |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for lang, r in report.items():
        latin = pct(r["with_latin"])
        lines.append(
            f"| {lang} | {r['questions']} ({r['answerable']}) | **{pct(r['first_right'])}** "
            f"| {pct(r['any_right'])} | {pct(r['baseline_first_right'])} "
            f"| {pct(r['messy_topic_accuracy'])} ({r['messy']}) | {pct(r['messy_not_understood'])} "
            f"| {pct(r['asked_citizenship'])} | {r['median_chars']:.0f} chars, "
            f"{r['median_messages']:.0f} messages | {latin if lang != 'en' else '-'} |"
        )
    return "\n".join(lines)


def misses(report: dict[str, dict[str, Any]]) -> str:
    lines = []
    for lang, r in report.items():
        for row in r["rows"]:
            if row["answerable"] and not row["first_right"]:
                lines.append(
                    f"{lang}: {row['q']}\n    got {row['first']} ({row['topic']}), "
                    f"want {row['key']} ({row['want_topic']})"
                )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rasa", default="http://localhost:5005")
    parser.add_argument("--api", default="http://localhost:8000", help="'' to skip the baseline")
    parser.add_argument("--lang", choices=LANGUAGES, action="append")
    parser.add_argument("--json", type=Path, help="write the full report here")
    parser.add_argument("--misses", action="store_true", help="list the questions answered wrong")
    args = parser.parse_args(argv)
    report = measure_all(args.rasa, args.api or None, tuple(args.lang or LANGUAGES))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, ensure_ascii=False, indent=2))
    print(to_markdown(report))
    if args.misses:
        print("\n" + misses(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
