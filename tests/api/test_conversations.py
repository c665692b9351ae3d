"""Handoffs, feedback, questions, statistics and purging, as the action server and staff use them."""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, inspect, select
from sqlalchemy.orm import Session

from app.core.config import Settings
from app.models import Feedback, Handoff, HandoffMessage, Question
from app.privacy import sender_hash
from app.statistics import iso_week, suppress

from .conftest import migrate

SNIPPET = "child.school.fixture-enrol"
PROTECTED = [
    ("POST", "/v1/handoffs"),
    ("POST", "/v1/feedback"),
    ("POST", "/v1/questions"),
    ("GET", "/v1/stats"),
    ("POST", "/v1/privacy/purge"),
]
CONVERSATION_TABLES = {"handoffs", "handoff_messages", "feedback", "questions"}


def handoff_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "channel": "telegram",
        "sender_id": "987654321",
        "lang": "ru",
        "topic": "stay.registration",
        "consent": True,
        "transcript": [
            {"author": "user", "text": "Хозяйка не делает регистрацию"},
            {"author": "bot", "text": "Регистрацию делает принимающая сторона в течение 3 дней."},
            {"author": "user", "text": "Позвоните мне 8 (701) 123-45-67, паспорт N12345678"},
        ],
    }
    body.update(overrides)
    return body


def question_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "channel": "socketio",
        "lang": "kk",
        "topic": None,
        "answered": False,
        "text": "Балабақшаға кезекке қалай тұрамын? Нөмірім +7 777 123 45 67",
    }
    body.update(overrides)
    return body


# --- Service key ---------------------------------------------------------------------------


@pytest.mark.parametrize(("method", "path"), PROTECTED)
@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"X-Service-Key": ""},
        {"X-Service-Key": "wrong"},
        {"X-Service-Key": "t" * 31},
        {"X-Service-Key": "t" * 33},
        {"Authorization": "Bearer " + "t" * 32},
    ],
    ids=["missing", "empty", "wrong", "prefix", "longer", "other-header"],
)
def test_missing_or_wrong_service_key_is_401_json(
    client: TestClient, method: str, path: str, headers: dict[str, str]
) -> None:
    body = {"handoffs": handoff_body(), "questions": question_body()}.get(path.split("/")[2])
    response = client.request(method, path, headers=headers, json=body)
    assert response.status_code == 401
    assert response.json()["error"] == "unauthorized"
    assert response.json()["request_id"]


def test_non_ascii_service_key_is_401_not_500(client: TestClient) -> None:
    response = client.get("/v1/stats", headers={"X-Service-Key": "ключ".encode()})
    assert response.status_code == 401


def test_public_reads_still_need_no_key(client: TestClient) -> None:
    assert client.get("/v1/topics").status_code == 200


def test_openapi_documents_the_key_and_examples(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    assert schema["components"]["securitySchemes"]["ServiceKey"] == {
        "type": "apiKey",
        "in": "header",
        "name": "X-Service-Key",
        "description": "Shared secret of the action server (SERVICE_API_KEY).",
    }
    handoffs = schema["paths"]["/v1/handoffs"]["post"]
    assert handoffs["security"] == [{"ServiceKey": []}]
    assert {"201", "401", "422"} <= set(handoffs["responses"])
    assert schema["components"]["schemas"]["HandoffIn"]["examples"][0]["consent"] is True
    assert "404" in schema["paths"]["/v1/feedback"]["post"]["responses"]
    assert "security" not in schema["paths"]["/v1/topics"]["get"]


# --- Handoffs ------------------------------------------------------------------------------


def test_handoff_stores_masked_transcript_and_hashed_sender(
    client: TestClient, synced: Session, settings: Settings, service_headers: dict[str, str]
) -> None:
    response = client.post("/v1/handoffs", json=handoff_body(), headers=service_headers)
    assert response.status_code == 201
    created = response.json()
    assert created["status"] == "open"
    handoff = synced.get(Handoff, created["id"])
    assert handoff is not None
    assert (handoff.channel, handoff.lang, handoff.topic, handoff.consent) == (
        "telegram",
        "ru",
        "stay.registration",
        True,
    )
    assert handoff.sender_hash == sender_hash("987654321", settings.sender_salt)
    assert "987654321" not in handoff.sender_hash
    assert handoff.taken_by is None and handoff.closed_at is None
    messages = synced.scalars(
        select(HandoffMessage)
        .where(HandoffMessage.handoff_id == handoff.id)
        .order_by(HandoffMessage.id)
    ).all()
    assert [(m.author, m.text_masked) for m in messages] == [
        ("user", "Хозяйка не делает регистрацию"),
        ("bot", "Регистрацию делает принимающая сторона в течение 3 дней."),
        ("user", "Позвоните мне [phone], паспорт [document]"),
    ]


def test_same_sender_gets_the_same_pseudonym_and_salt_setting_is_used(
    client: TestClient, synced: Session, settings: Settings, service_headers: dict[str, str]
) -> None:
    settings.sender_hash_salt = "a-separate-secret-salt"
    ids = [
        client.post("/v1/handoffs", json=handoff_body(), headers=service_headers).json()["id"]
        for _ in range(2)
    ]
    hashes = {synced.get(Handoff, i).sender_hash for i in ids}  # type: ignore[union-attr]
    assert hashes == {sender_hash("987654321", "a-separate-secret-salt")}


def test_handoff_without_transcript_or_topic(
    client: TestClient, service_headers: dict[str, str]
) -> None:
    body = handoff_body(transcript=[], channel="rest", lang="en")
    del body["topic"]
    response = client.post("/v1/handoffs", json=body, headers=service_headers)
    assert response.status_code == 201


@pytest.mark.parametrize(
    ("overrides", "fragment"),
    [
        ({"consent": False}, "consent"),
        ({"consent": None}, "consent"),
        ({"channel": "whatsapp"}, "channel"),
        ({"lang": "de"}, "lang"),
        ({"sender_id": ""}, "sender_id"),
        ({"sender_id": 12345}, "sender_id"),
        ({"topic": "stay.no_such_topic"}, "topic"),
        ({"topic": "Stay; DROP TABLE"}, "topic"),
        ({"transcript": [{"author": "user", "text": "x"}] * 51}, "transcript"),
        ({"transcript": [{"author": "user", "text": "x" * 2001}]}, "text"),
        ({"transcript": [{"author": "user", "text": ""}]}, "text"),
        ({"transcript": [{"author": "admin", "text": "hi"}]}, "author"),
        ({"transcript": "hello"}, "transcript"),
        ({"unexpected": 1}, "unexpected"),
    ],
)
def test_invalid_handoffs_are_422(
    client: TestClient,
    service_headers: dict[str, str],
    overrides: dict[str, Any],
    fragment: str,
) -> None:
    response = client.post("/v1/handoffs", json=handoff_body(**overrides), headers=service_headers)
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["error"] == "validation_error"
    assert any(fragment in d for d in body["detail"]), body["detail"]


def test_consent_is_required(client: TestClient, service_headers: dict[str, str]) -> None:
    body = handoff_body()
    del body["consent"]
    response = client.post("/v1/handoffs", json=body, headers=service_headers)
    assert response.status_code == 422
    assert any("consent" in d for d in response.json()["detail"])


@pytest.mark.parametrize(
    "content", [b"", b"not json", b"[]", b'{"channel": "telegram"', "🙂".encode()]
)
def test_malformed_bodies_are_422_json(
    client: TestClient, service_headers: dict[str, str], content: bytes
) -> None:
    headers = {**service_headers, "content-type": "application/json"}
    response = client.post("/v1/handoffs", content=content, headers=headers)
    assert response.status_code == 422
    assert response.json()["error"] == "validation_error"


# --- Feedback and questions ----------------------------------------------------------------


def test_feedback_on_a_snippet(
    client: TestClient, synced: Session, service_headers: dict[str, str]
) -> None:
    body = {"snippet_id": SNIPPET, "helpful": False, "lang": "kk", "channel": "telegram"}
    response = client.post("/v1/feedback", json=body, headers=service_headers)
    assert response.status_code == 201
    row = synced.get(Feedback, response.json()["id"])
    assert row is not None
    assert (row.snippet_id, row.helpful, row.lang, row.channel) == (
        SNIPPET,
        False,
        "kk",
        "telegram",
    )


def test_feedback_on_an_unknown_snippet_is_404(
    client: TestClient, service_headers: dict[str, str]
) -> None:
    body = {"snippet_id": "no.such.snippet", "helpful": True, "lang": "ru", "channel": "rest"}
    response = client.post("/v1/feedback", json=body, headers=service_headers)
    assert response.status_code == 404
    assert response.json()["error"] == "not_found"


@pytest.mark.parametrize(
    "body",
    [
        {"snippet_id": SNIPPET, "helpful": "maybe", "lang": "ru", "channel": "rest"},
        {"snippet_id": SNIPPET, "helpful": True, "lang": "ru"},
        {"snippet_id": "", "helpful": True, "lang": "ru", "channel": "rest"},
        {"snippet_id": "x" * 161, "helpful": True, "lang": "ru", "channel": "rest"},
    ],
)
def test_invalid_feedback_is_422(
    client: TestClient, service_headers: dict[str, str], body: dict[str, Any]
) -> None:
    assert client.post("/v1/feedback", json=body, headers=service_headers).status_code == 422


def test_unanswered_question_is_kept_masked(
    client: TestClient, synced: Session, service_headers: dict[str, str]
) -> None:
    response = client.post("/v1/questions", json=question_body(), headers=service_headers)
    assert response.status_code == 201
    row = synced.get(Question, response.json()["id"])
    assert row is not None
    assert row.answered is False
    assert row.text_masked == "Балабақшаға кезекке қалай тұрамын? Нөмірім [phone]"


def test_answered_question_keeps_no_text(
    client: TestClient, synced: Session, service_headers: dict[str, str]
) -> None:
    body = question_body(answered=True, topic="child.school", text="как записать в школу")
    response = client.post("/v1/questions", json=body, headers=service_headers)
    assert response.status_code == 201
    row = synced.get(Question, response.json()["id"])
    assert row is not None
    assert (row.answered, row.topic, row.text_masked) == (True, "child.school", None)


@pytest.mark.parametrize(
    "overrides",
    [
        {"text": ""},
        {"text": "x" * 2001},
        {"answered": None},
        {"topic": "nope.nope"},
        {"lang": "uz"},
    ],
)
def test_invalid_questions_are_422(
    client: TestClient, service_headers: dict[str, str], overrides: dict[str, Any]
) -> None:
    response = client.post(
        "/v1/questions", json=question_body(**overrides), headers=service_headers
    )
    assert response.status_code == 422


# --- Statistics ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        ({}, {}),
        ({"a": 5, "b": 9}, {"a": 5, "b": 9}),
        # One small cell: its neighbour is withheld too, or total - b would give it back.
        ({"a": 4, "b": 6, "c": 7}, {"a": None, "b": None, "c": 7}),
        # Two small cells that together are still under 5: a third goes.
        ({"a": 1, "b": 2, "c": 8, "d": 9}, {"a": None, "b": None, "c": None, "d": 9}),
        # Two small cells holding 5 or more between them are enough.
        ({"a": 2, "b": 3, "c": 8}, {"a": None, "b": None, "c": 8}),
        ({"a": 1}, {"a": None}),
        ({"a": 3, "b": 50}, {"a": None, "b": None}),
    ],
)
def test_suppression(cells: dict[str, int], expected: dict[str, int | None]) -> None:
    assert suppress(cells) == expected


def test_iso_week_names() -> None:
    assert iso_week(dt.date(2026, 11, 25)) == "2026-W48"
    assert iso_week("2027-01-01") == "2026-W53"
    assert iso_week("2026-01-01 10:00:00.000000") == "2026-W01"


def _post_all(client: TestClient, headers: dict[str, str], path: str, bodies: list[Any]) -> None:
    for body in bodies:
        assert client.post(path, json=body, headers=headers).status_code == 201, body


def _by_key(cells: list[dict[str, Any]]) -> dict[str | None, int | None]:
    for cell in cells:
        assert cell["suppressed"] is (cell["count"] is None)
    return {c["key"]: c["count"] for c in cells}


def test_stats_suppress_counts_below_five(
    client: TestClient, service_headers: dict[str, str]
) -> None:
    phones = ["87011234567", "+7 701 765 43 21", "8 (777) 000-11-22", "87470001122", "7011112233"]
    _post_all(
        client,
        service_headers,
        "/v1/questions",
        [
            question_body(channel="telegram", lang="ru", text=f"Как встать в очередь в садик? {p}")
            for p in phones
        ]
        + [question_body(channel="telegram", lang="ru", text="Моя редкая ситуация, Шымкент")]
        + [question_body(channel="socketio", lang="kk", answered=True, topic="stay.registration")]
        * 7
        + [question_body(channel="rest", lang="en", answered=True, topic="work.eaeu")] * 3,
    )
    _post_all(
        client,
        service_headers,
        "/v1/feedback",
        [{"snippet_id": SNIPPET, "helpful": True, "lang": "ru", "channel": "telegram"}] * 5
        + [{"snippet_id": SNIPPET, "helpful": False, "lang": "ru", "channel": "telegram"}]
        + [
            {
                "snippet_id": "stay.registration.fixture-host-notifies",
                "helpful": True,
                "lang": "kk",
                "channel": "socketio",
            }
        ]
        * 2,
    )
    _post_all(client, service_headers, "/v1/handoffs", [handoff_body()] * 2)

    response = client.get("/v1/stats", headers=service_headers)
    assert response.status_code == 200
    stats = response.json()
    assert stats["min_count"] == 5
    questions = stats["questions"]
    assert questions["total"] == {"count": 16, "suppressed": False}
    assert questions["answered"] == {"count": 10, "suppressed": False}
    assert questions["unanswered"] == {"count": 6, "suppressed": False}
    # work.eaeu (3) is under 5; the smallest other cell goes with it.
    assert _by_key(questions["by_topic"]) == {"stay.registration": 7, "work.eaeu": None, None: None}
    assert _by_key(questions["by_lang"]) == {"en": None, "kk": 7, "ru": None}
    assert _by_key(questions["by_channel"]) == {"rest": None, "socketio": 7, "telegram": None}
    assert list(_by_key(questions["by_week"]).values()) == [16]
    assert next(iter(_by_key(questions["by_week"]))) == iso_week(dt.datetime.now(dt.UTC).date())
    # Only the question asked five times is shown, masked; the one-off is not.
    assert stats["top_unanswered"] == [
        {"text": "Как встать в очередь в садик? [phone]", "count": 5}
    ]
    assert "Шымкент" not in response.text
    for phone in phones:
        assert phone not in response.text

    feedback = stats["feedback"]
    assert feedback["total"] == {"count": 8, "suppressed": False}
    assert feedback["by_snippet"] == [
        {
            "snippet_id": SNIPPET,
            "helpful": {"count": None, "suppressed": True},
            "not_helpful": {"count": None, "suppressed": True},
        },
        {
            "snippet_id": "stay.registration.fixture-host-notifies",
            "helpful": {"count": None, "suppressed": True},
            "not_helpful": {"count": 0, "suppressed": False},
        },
    ]
    handoffs = stats["handoffs"]
    assert handoffs["total"] == {"count": None, "suppressed": True}
    assert _by_key(handoffs["by_topic"]) == {"stay.registration": None}


def test_stats_with_nothing_stored(client: TestClient, service_headers: dict[str, str]) -> None:
    stats = client.get("/v1/stats", headers=service_headers).json()
    assert stats["questions"]["total"] == {"count": None, "suppressed": True}
    assert stats["questions"]["by_topic"] == []
    assert stats["feedback"]["by_snippet"] == []
    assert stats["top_unanswered"] == []


def test_stats_show_counts_of_five_and_more(
    client: TestClient, service_headers: dict[str, str]
) -> None:
    _post_all(
        client,
        service_headers,
        "/v1/questions",
        [question_body(answered=True, topic="child.school", lang="ru", channel="telegram")] * 5
        + [question_body(answered=True, topic="work.eaeu", lang="en", channel="rest")] * 6,
    )
    questions = client.get("/v1/stats", headers=service_headers).json()["questions"]
    assert _by_key(questions["by_topic"]) == {"child.school": 5, "work.eaeu": 6}
    assert _by_key(questions["by_lang"]) == {"en": 6, "ru": 5}
    assert questions["unanswered"] == {"count": 0, "suppressed": False}


# --- Retention -----------------------------------------------------------------------------


def _store_old_and_new(session: Session, days_old: int) -> None:
    old = dt.datetime.now(dt.UTC) - dt.timedelta(days=days_old)
    new = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
    for created in (old, new):
        session.add(
            Handoff(
                created_at=created,
                channel="telegram",
                sender_hash="0" * 64,
                lang="ru",
                consent=True,
                status="closed",
                messages=[
                    HandoffMessage(created_at=created, author="user", text_masked="привет"),
                    HandoffMessage(created_at=created, author="staff", text_masked="здравствуйте"),
                ],
            )
        )
        session.add(
            Feedback(
                created_at=created, snippet_id=SNIPPET, helpful=True, lang="ru", channel="rest"
            )
        )
        session.add(
            Question(created_at=created, channel="rest", lang="en", answered=False, text_masked="x")
        )
    session.commit()


def _counts(session: Session) -> dict[str, int]:
    return {
        model.__tablename__: session.scalar(select(func.count()).select_from(model)) or 0
        for model in (Handoff, HandoffMessage, Feedback, Question)
    }


def test_purge_deletes_rows_older_than_retention(
    client: TestClient, synced: Session, settings: Settings, service_headers: dict[str, str]
) -> None:
    _store_old_and_new(synced, days_old=settings.retention_days + 1)
    assert _counts(synced) == {"handoffs": 2, "handoff_messages": 4, "feedback": 2, "questions": 2}
    response = client.post("/v1/privacy/purge", headers=service_headers)
    assert response.status_code == 200
    body = response.json()
    assert body["deleted"] == {"handoff_messages": 2, "handoffs": 1, "feedback": 1, "questions": 1}
    cutoff = dt.datetime.fromisoformat(body["cutoff"])
    expected = dt.datetime.now(dt.UTC) - dt.timedelta(days=settings.retention_days)
    assert abs((cutoff - expected).total_seconds()) < 60
    assert _counts(synced) == {"handoffs": 1, "handoff_messages": 2, "feedback": 1, "questions": 1}
    # Nothing more to do the second time.
    again = client.post("/v1/privacy/purge", headers=service_headers).json()
    assert set(again["deleted"].values()) == {0}


def test_purge_keeps_rows_inside_retention(
    client: TestClient, synced: Session, settings: Settings, service_headers: dict[str, str]
) -> None:
    _store_old_and_new(synced, days_old=settings.retention_days - 1)
    client.post("/v1/privacy/purge", headers=service_headers)
    assert _counts(synced) == {"handoffs": 2, "handoff_messages": 4, "feedback": 2, "questions": 2}


def test_deleting_a_handoff_deletes_its_messages_in_the_database(synced: Session) -> None:
    _store_old_and_new(synced, days_old=100)
    synced.execute(Handoff.__table__.delete())
    assert _counts(synced)["handoff_messages"] == 0


@pytest.fixture
def fresh_engine(engine: Engine, tmp_path: Any) -> Iterator[Engine]:
    """An empty database on the same engine kind, so the shared test schema stays intact."""
    from app.db import make_engine

    if engine.dialect.name == "sqlite":
        fresh = make_engine(f"sqlite:///{tmp_path / 'fresh.db'}")
        yield fresh
        fresh.dispose()
        return
    name = f"fresh_{uuid.uuid4().hex[:8]}"
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql(f"CREATE DATABASE {name}")
    fresh = make_engine(engine.url.set(database=name).render_as_string(hide_password=False))
    yield fresh
    fresh.dispose()
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql(f"DROP DATABASE {name}")


def test_cli_purge(
    fresh_engine: Engine, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import app.cli

    migrate(fresh_engine)
    with Session(fresh_engine) as session:
        _store_old_and_new(session, days_old=10)
    monkeypatch.setattr(app.cli, "get_engine", lambda: fresh_engine)
    assert app.cli.main(["purge", "--days", "5"]) == 0
    assert '"questions": 1' in capsys.readouterr().out
    with Session(fresh_engine) as session:
        assert _counts(session) == {
            "handoffs": 1,
            "handoff_messages": 2,
            "feedback": 1,
            "questions": 1,
        }
    with pytest.raises(SystemExit):
        app.cli.main(["purge", "--days", "0"])


# --- Migration 0002 ------------------------------------------------------------------------


def test_migration_0002_up_and_down(fresh_engine: Engine) -> None:
    migrate(fresh_engine, "0001")
    tables = set(inspect(fresh_engine).get_table_names())
    assert "snippets" in tables
    assert not CONVERSATION_TABLES & tables

    migrate(fresh_engine, "0002")
    inspector = inspect(fresh_engine)
    assert set(inspector.get_table_names()) >= CONVERSATION_TABLES
    columns = {c["name"]: c for c in inspector.get_columns("handoffs")}
    assert set(columns) == {
        "id",
        "created_at",
        "channel",
        "sender_hash",
        "lang",
        "topic",
        "consent",
        "status",
        "taken_by",
        "closed_at",
    }
    assert columns["topic"]["nullable"] and not columns["sender_hash"]["nullable"]
    (fk,) = inspector.get_foreign_keys("handoff_messages")
    assert fk["referred_table"] == "handoffs"
    assert fk["options"].get("ondelete") == "CASCADE"
    assert "ix_questions_created_at" in {i["name"] for i in inspector.get_indexes("questions")}
    assert {c["name"] for c in inspector.get_columns("questions")} >= {"text_masked", "answered"}

    migrate(fresh_engine, "0001", down=True)
    tables = set(inspect(fresh_engine).get_table_names())
    assert not CONVERSATION_TABLES & tables
    assert "snippets" in tables

    migrate(fresh_engine)
    assert set(inspect(fresh_engine).get_table_names()) >= CONVERSATION_TABLES


# --- Input PostgreSQL cannot store -----------------------------------------------------------


def test_nul_characters_are_dropped_from_stored_text(
    client: TestClient, synced: Session, service_headers: dict[str, str]
) -> None:
    body = handoff_body(
        sender_id="\x00", transcript=[{"author": "user", "text": "помогите\x00 87011234567"}]
    )
    response = client.post("/v1/handoffs", json=body, headers=service_headers)
    assert response.status_code == 201
    messages = synced.scalars(
        select(HandoffMessage.text_masked).where(HandoffMessage.handoff_id == response.json()["id"])
    ).all()
    assert messages == ["помогите [phone]"]
    question = client.post(
        "/v1/questions", json=question_body(text="\x00а\x00"), headers=service_headers
    )
    assert question.status_code == 201
    assert synced.get(Question, question.json()["id"]).text_masked == "а"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("method", "path", "kwargs"),
    [
        ("GET", "/v1/snippets/a%00b", {}),
        ("GET", "/v1/snippets", {"params": {"topic": "a\x00"}}),
        ("GET", "/v1/search", {"params": {"q": "школа\x00"}}),
        (
            "POST",
            "/v1/feedback",
            {"json": {"snippet_id": "a\x00", "helpful": True, "lang": "ru", "channel": "rest"}},
        ),
    ],
)
def test_nul_characters_never_cause_a_500(
    client: TestClient,
    service_headers: dict[str, str],
    method: str,
    path: str,
    kwargs: dict[str, Any],
) -> None:
    response = client.request(method, path, headers=service_headers, **kwargs)
    assert response.status_code in {200, 404, 422}, response.text
    assert "error" in response.json() or response.status_code == 200


# --- Forget one sender ---------------------------------------------------------------------


def test_forget_deletes_her_handoffs_and_only_hers(
    client: TestClient, synced: Session, service_headers: dict[str, str]
) -> None:
    mine = [
        client.post("/v1/handoffs", json=handoff_body(), headers=service_headers).json()["id"]
        for _ in range(2)
    ]
    other = client.post(
        "/v1/handoffs", json={**handoff_body(), "sender_id": "555"}, headers=service_headers
    ).json()["id"]

    response = client.delete("/v1/conversations/987654321", headers=service_headers)
    assert response.status_code == 200
    assert response.json() == {"deleted": {"handoffs": 2, "handoff_messages": 6}}
    synced.expire_all()
    assert all(synced.get(Handoff, i) is None for i in mine)
    assert (
        synced.scalars(select(HandoffMessage).where(HandoffMessage.handoff_id.in_(mine))).all()
        == []
    )
    assert synced.get(Handoff, other) is not None
    # Asking again is not an error: there is simply nothing left.
    again = client.delete("/v1/conversations/987654321", headers=service_headers)
    assert again.json() == {"deleted": {"handoffs": 0, "handoff_messages": 0}}


def test_forget_needs_the_service_key_and_a_sane_id(
    client: TestClient, service_headers: dict[str, str]
) -> None:
    assert client.delete("/v1/conversations/987654321").status_code == 401
    response = client.delete("/v1/conversations/" + "9" * 300, headers=service_headers)
    assert response.status_code == 422
    assert "error" in response.json()


def test_forget_does_not_log_her_sender_id(
    client: TestClient, service_headers: dict[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="app.access"):
        client.delete("/v1/conversations/987654321", headers=service_headers)
    logged = [r for r in caplog.records if r.name == "app.access"]
    assert logged, "the request was logged"
    assert logged[-1].fields["path"] == "/v1/conversations/{sender_id:path}"  # type: ignore[attr-defined]
    assert "987654321" not in caplog.text + str([r.__dict__ for r in logged])
