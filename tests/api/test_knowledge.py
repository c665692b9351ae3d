"""The knowledge base: validator, sync and report, on the repository's files and on fixtures."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.knowledge.report import content_report
from app.knowledge.sync import sync_knowledge
from app.knowledge.validate import Knowledge, load_knowledge
from app.models import Referral, Snippet

from .conftest import FIXTURE_KNOWLEDGE, ROOT, TESTS

KNOWLEDGE = ROOT / "knowledge"
SHARED_TAXONOMY = ROOT.parent / "shared" / "taxonomy.yaml"


@pytest.fixture(scope="module")
def repo_knowledge() -> Knowledge:
    return load_knowledge(KNOWLEDGE)


def test_repository_knowledge_is_valid(repo_knowledge: Knowledge) -> None:
    assert [str(p) for p in repo_knowledge.problems] == []


def test_every_topic_has_three_approved_snippets_in_every_language(
    repo_knowledge: Knowledge,
) -> None:
    report = content_report(repo_knowledge, KNOWLEDGE, stale_after_days=180)
    assert report["gaps"] == []
    assert report["coverage_percent"] == 100.0
    assert report["totals"]["approved"] >= 100


def test_shared_emergency_entry_lists_the_emergency_numbers(repo_knowledge: Knowledge) -> None:
    emergency = next(r for r in repo_knowledge.referrals if r.id == "emergency")
    numbers = {p.number for p in emergency.phone}
    assert {"112", "102", "103", "101"} <= numbers
    assert emergency.cities == ["nationwide"]


@pytest.mark.skipif(not SHARED_TAXONOMY.exists(), reason="shared/ is not beside the repo")
def test_taxonomy_keeps_every_shared_topic() -> None:
    ours = yaml.safe_load((KNOWLEDGE / "taxonomy.yaml").read_text())
    shared = yaml.safe_load(SHARED_TAXONOMY.read_text())
    for area, topics in shared["areas"].items():
        assert set(topics) <= set(ours["areas"][area]), area
    assert set(shared["conversation"]) <= set(ours["conversation"])


def test_broken_files_fail_with_file_id_and_field() -> None:
    problems = {str(p) for p in load_knowledge(TESTS / "fixtures" / "broken").problems}
    expected = [
        "broken/snippets/broken.yaml: stay.registration.no-kazakh: text.kk: reads as ru, not kk",
        "broken/snippets/broken.yaml: stay.nowhere.bad-topic: topic: unknown topic 'stay.nowhere'",
        "broken/snippets/broken.yaml: stay.registration.missing-ru: text.ru: Field required",
        "broken/snippets/broken.yaml: stay.registration.no-sources: sources: List should have at least 1 item after validation, not 0",
        "broken/snippets/broken.yaml: stay.registration.bad-date-url: sources.0.url: Input should be a valid URL, relative URL without a base",
        "broken/snippets/broken.yaml: stay.registration.bad-enums: applies_to.0: Input should be 'eaeu' or 'non_eaeu'",
        "broken/snippets/broken.yaml: stay.registration.bad-enums: status: Input should be 'draft', 'approved' or 'retired'",
        "broken/snippets/broken.yaml: stay.registration.no-kazakh: id: duplicate of broken/snippets/broken.yaml",
        "broken/referrals.yaml: no-phone: phone: an approved contact needs a phone number",
        "broken/referrals.yaml: not-rechecked: kind: Input should be 'state', 'ngo' or 'international'",
        "broken/referrals.yaml: not-rechecked: phone.0.number: Value error, not dialable from Kazakhstan: write +7 and ten digits, 8 800 and seven, or a short number such as 111",
        "broken/referrals.yaml: unknown-city: cities: 'gotham' is not in knowledge/cities.yaml",
        "broken/referrals.yaml: unknown-city: rechecked: a second person must re-read the phones first",
    ]
    for message in expected:
        assert message in problems, f"missing: {message}\n got: {sorted(problems)}"
    assert any(
        p.startswith("broken/snippets/broken.yaml: stay.registration.bad-date-url: last_reviewed:")
        for p in problems
    )


def test_invalid_yaml_is_reported_not_raised(tmp_path: Path) -> None:
    (tmp_path / "snippets").mkdir()
    (tmp_path / "taxonomy.yaml").write_text((FIXTURE_KNOWLEDGE / "taxonomy.yaml").read_text())
    (tmp_path / "snippets" / "bad.yaml").write_text("- id: [unclosed\n")
    problems = [str(p) for p in load_knowledge(tmp_path).problems]
    assert len(problems) == 1 and "not valid YAML" in problems[0]


def test_sync_adds_then_changes_nothing(session: Session, fixture_knowledge: Knowledge) -> None:
    first = sync_knowledge(session, fixture_knowledge)
    assert len(first.added) == 4 and not first.changed and not first.retired
    assert sorted(first.referrals_added) == sorted(r.id for r in fixture_knowledge.referrals)
    second = sync_knowledge(session, fixture_knowledge)
    assert (second.added, second.changed, second.retired, second.unchanged) == ([], [], [], 4)


def test_sync_reports_changes_and_retires_removed_items(
    session: Session, fixture_knowledge: Knowledge
) -> None:
    sync_knowledge(session, fixture_knowledge)
    path, first = fixture_knowledge.snippets[0]
    edited = first.model_copy(update={"last_reviewed": dt.date(2026, 11, 21)})
    changed = Knowledge(
        snippets=[(path, edited), *fixture_knowledge.snippets[1:3]],
        referrals=fixture_knowledge.referrals[:1],
    )
    report = sync_knowledge(session, changed)
    assert report.changed == [first.id]
    assert report.retired == ["work.eaeu.fixture-draft"]
    assert sorted(report.referrals_retired) == sorted(r.id for r in fixture_knowledge.referrals[1:])
    retired = session.get(Snippet, "work.eaeu.fixture-draft")
    assert retired is not None and retired.status == "retired"
    statuses = dict(session.execute(select(Referral.id, Referral.status)).all())
    assert statuses["fixture-almaty-legal"] == "retired"


def test_sync_refuses_invalid_knowledge(session: Session) -> None:
    broken = load_knowledge(TESTS / "fixtures" / "broken")
    with pytest.raises(ValueError, match="validation problems"):
        sync_knowledge(session, broken)
    assert session.scalars(select(Snippet)).first() is None


def test_report_lists_drafts_gaps_and_stale(fixture_knowledge: Knowledge) -> None:
    report = content_report(
        fixture_knowledge, FIXTURE_KNOWLEDGE, stale_after_days=3, today=dt.date(2026, 11, 25)
    )
    assert report["drafts"] == [
        {"id": "work.eaeu.fixture-draft", "file": "knowledge/snippets/sample.yaml"}
    ]
    assert {s["id"] for s in report["stale"]} == {
        "stay.registration.fixture-host-notifies",
        "child.school.fixture-enrol",
        "work.eaeu.fixture-no-permit",
    }
    assert report["coverage"]["stay.registration"] == {"kk": 1, "ru": 1, "en": 1}
    assert {"topic": "stay.registration", "lang": "kk", "approved": 1} in report["gaps"]


def _one_snippet(tmp_path: Path, **changes: object) -> list[str]:
    """The problems of a copy of the fixture knowledge whose first snippet has `changes`."""
    (tmp_path / "snippets").mkdir()
    (tmp_path / "taxonomy.yaml").write_text((FIXTURE_KNOWLEDGE / "taxonomy.yaml").read_text())
    snippets = yaml.safe_load((FIXTURE_KNOWLEDGE / "snippets" / "sample.yaml").read_text())
    snippets[0].update(changes)
    (tmp_path / "snippets" / "sample.yaml").write_text(
        yaml.safe_dump(snippets, allow_unicode=True), encoding="utf-8"
    )
    return [str(p) for p in load_knowledge(tmp_path, check_language=False).problems]


def test_an_approved_snippet_names_its_source_in_every_language(tmp_path: Path) -> None:
    problems = _one_snippet(
        tmp_path,
        sources=[
            {"title": "Law on Migration", "article": "Art. 1", "url": "https://adilet.zan.kz/"}
        ],
    )
    assert any("sources[0].title: needs kk, ru and en" in p for p in problems), problems
    assert any("sources[0].article: needs kk, ru and en" in p for p in problems), problems


def test_an_approved_snippet_carries_four_to_eight_questions_per_language(tmp_path: Path) -> None:
    problems = _one_snippet(tmp_path, questions={"kk": ["a"], "ru": ["б"] * 9, "en": ["c"] * 4})
    assert any("questions.kk: needs 4 to 8 questions" in p for p in problems), problems
    assert any("questions.ru: needs 4 to 8 questions" in p for p in problems), problems
    assert not any("questions.en" in p for p in problems), problems


def test_no_english_word_in_a_kazakh_or_russian_answer(tmp_path: Path) -> None:
    snippets = yaml.safe_load((FIXTURE_KNOWLEDGE / "snippets" / "sample.yaml").read_text())
    text = dict(snippets[0]["text"])
    text["ru"] = text["ru"] + " Подробнее в Migration Service, https://egov.kz/x, или WhatsApp."
    problems = _one_snippet(tmp_path, text=text)
    assert any("ru: words in Latin letters: Migration, Service" in p for p in problems), problems
