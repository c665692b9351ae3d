"""Console pages on SQLite and PostgreSQL: role permissions, lookup, review, statistics."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.console_helpers import add_user, login, signed_in
from app.console.models import StaffSession, StaffUser
from app.models import Feedback, Question

PAGES = {
    "/console/lookup?q=school": "staff",
    "/console/referrals?city=almaty": "staff",
    "/console/handoffs": "staff",
    "/console/review": "editor",
    "/console/stats": "admin",
    "/console/stats/questions-topic.csv": "admin",
    "/console/staff": "admin",
}
ROLES = ("staff", "editor", "admin")


@pytest.mark.parametrize("role", ROLES)
def test_each_page_for_each_role(client: TestClient, synced: Session, role: str) -> None:
    signed_in(client, add_user(synced, role))
    nav = client.get("/console/lookup").text
    for path, needed in PAGES.items():
        response = client.get(path)
        allowed = ROLES.index(role) >= ROLES.index(needed)
        assert response.status_code == (200 if allowed else 403), path
        if not allowed:
            assert "Your role does not include this page" in response.text
            assert response.headers["x-frame-options"] == "DENY"
        # The navigation offers exactly the pages of the role.
        page = path.split("?")[0]
        if not page.endswith(".csv"):
            assert (f'href="{page}"' in nav) == allowed, (role, page)


def test_pages_need_a_session(client: TestClient) -> None:
    for path in PAGES:
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"].startswith("http://testserver/console/login?next=")


def test_lookup_shows_all_three_languages_with_sources(client: TestClient, synced: Session) -> None:
    signed_in(client, add_user(synced, "staff"))
    page = client.get("/console/lookup", params={"q": "мектеп"}).text  # Kazakh: school
    assert 'id="answer-1"' in page
    first = page.split('id="answer-1"')[1].split("</article>")[0]
    assert "egov.kz арқылы өтініш беріңіз" in first  # kk
    assert "подайте заявление через egov.kz" in first  # ru
    assert "apply on egov.kz" in first  # en
    assert 'href="https://egov.kz/cms/en/services/mon-197-205"' in first
    assert 'datetime="2026-11-20"' in first
    assert first.count('class="copy"') == 3
    empty = client.get("/console/lookup", params={"q": "zzzzqqq"}).text
    assert "Nothing found" in empty


def test_referral_lookup_filters_by_city_service_and_language(
    client: TestClient, synced: Session
) -> None:
    signed_in(client, add_user(synced, "staff"))
    almaty = client.get("/console/referrals", params={"city": "almaty"}).text
    astana = client.get("/console/referrals", params={"city": "astana"}).text
    assert "+7 700 000 00 00" in almaty and "+7 700 000 00 00" not in astana
    assert "112" in almaty and "112" in astana  # nationwide lines are always there
    legal = client.get("/console/referrals", params={"service": "health.emergency"}).text
    assert "112" in legal and "+7 700 000 00 00" not in legal
    bad = client.get("/console/referrals", params={"city": "<script>"})
    assert bad.status_code == 422
    assert bad.json()["error"] == "validation_error"


def test_review_lists_drafts_gaps_and_masked_unanswered_questions(
    client: TestClient, synced: Session
) -> None:
    synced.add(
        Question(
            channel="telegram",
            lang="ru",
            topic=None,
            answered=False,
            text_masked="как оформить пособие [phone]",
        )
    )
    synced.add(Question(channel="rest", lang="en", topic="child.school", answered=True))
    synced.commit()
    signed_in(client, add_user(synced, "editor"))
    page = client.get("/console/review").text
    assert "как оформить пособие [phone]" in page
    assert page.count("<td lang=") == 1  # the answered one keeps no text
    assert 'id="drafts"' in page and 'id="stale"' in page and 'id="gaps"' in page
    assert 'class="gap"' in page  # the fixture has fewer than 3 answers per topic


def _questions(session: Session, topic: str, n: int, lang: str = "kk") -> None:
    day = dt.datetime(2026, 11, 16, 10, tzinfo=dt.UTC)
    for _ in range(n):
        session.add(
            Question(channel="telegram", lang=lang, topic=topic, answered=True, created_at=day)
        )


def test_small_counts_are_shown_as_under_five_and_never_exported(
    client: TestClient, synced: Session
) -> None:
    _questions(synced, "stay.registration", 7)
    _questions(synced, "child.school", 2)
    _questions(synced, "work.eaeu", 6)
    for helpful, n in ((True, 9), (False, 3)):
        for _ in range(n):
            synced.add(
                Feedback(
                    snippet_id="child.school.fixture-enrol",
                    helpful=helpful,
                    lang="ru",
                    channel="rest",
                )
            )
    synced.commit()
    signed_in(client, add_user(synced, "admin"))
    page = client.get("/console/stats").text
    assert "&lt;5" in page
    response = client.get("/console/stats/questions-topic.csv")
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0] == ["Topic", "Count"]
    cells = dict(rows[1:])
    # 2 is under 5; 6 is withheld too, or 7 + 2 + 6 = 15 would give the 2 back.
    assert cells == {"child.school": "<5", "stay.registration": "7", "work.eaeu": "withheld"}
    feedback = list(csv.reader(io.StringIO(client.get("/console/stats/feedback.csv").text)))
    assert feedback[0] == ["Answer", "Helpful", "Not helpful"]
    assert feedback[1][0] == "child.school.fixture-enrol"
    assert "3" not in feedback[1] and "<5" in feedback[1]
    weeks = dict(
        list(csv.reader(io.StringIO(client.get("/console/stats/questions-week.csv").text)))[1:]
    )
    assert weeks == {"2026-W47": "15"}
    kk = client.get("/console/stats/questions-topic.csv?lang=kk").text
    assert kk.splitlines()[0] == "Тақырып,Саны" and "жасырылған" in kk
    assert client.get("/console/stats/nope.csv").status_code == 404


def test_admin_adds_a_staff_account(client: TestClient, synced: Session) -> None:
    token = signed_in(client, add_user(synced, "admin"))
    short = client.post(
        "/console/staff",
        data={"csrf_token": token, "username": "new", "password": "short", "role": "staff"},
    )
    assert short.status_code == 422 and "at least 12 characters" in short.text
    ok = client.post(
        "/console/staff",
        data={"csrf_token": token, "username": "madina", "password": "m" * 14, "role": "editor"},
    )
    assert ok.status_code == 200 and "madina" in ok.text
    client.cookies.clear()
    assert login(client, "madina", "m" * 14).status_code == 303
    assert client.get("/console/review").status_code == 200
    assert client.get("/console/stats").status_code == 403


def _staff_id(session: Session, username: str) -> int:
    return session.scalars(select(StaffUser.id).where(StaffUser.username == username)).one()


def test_a_disabled_account_is_signed_out_and_cannot_sign_in(
    client: TestClient, synced: Session
) -> None:
    add_user(synced, "staff", "aigerim")
    signed_in(client, "aigerim")
    her_cookie = client.cookies.get("console_session")
    client.cookies.clear()
    token = signed_in(client, add_user(synced, "admin", "boss"))
    aigerim = _staff_id(synced, "aigerim")

    page = client.post(f"/console/staff/{aigerim}/disable", data={"csrf_token": token})
    assert page.status_code == 200
    assert re.search(r"aigerim</td><td>staff</td>\s*<td>disabled</td>", page.text)
    assert synced.get(StaffUser, aigerim).active is False  # type: ignore[union-attr]
    sessions = synced.scalars(select(StaffSession).where(StaffSession.user_id == aigerim)).all()
    assert sessions == []
    admin_cookie = client.cookies.get("console_session")
    client.cookies.set("console_session", her_cookie)
    assert client.get("/console/lookup", follow_redirects=False).status_code == 303
    client.cookies.clear()
    assert login(client, "aigerim").status_code == 401

    client.cookies.set("console_session", admin_cookie)
    client.post(f"/console/staff/{aigerim}/enable", data={"csrf_token": token})
    client.cookies.clear()
    assert login(client, "aigerim").status_code == 303


def test_an_admin_cannot_disable_herself(client: TestClient, synced: Session) -> None:
    token = signed_in(client, add_user(synced, "admin", "boss"))
    response = client.post(
        f"/console/staff/{_staff_id(synced, 'boss')}/disable", data={"csrf_token": token}
    )
    assert response.status_code == 422
    assert "You cannot disable your own account" in response.text
    assert client.get("/console/staff").status_code == 200  # still signed in


def test_an_admin_sets_a_forgotten_password(client: TestClient, synced: Session) -> None:
    add_user(synced, "staff", "aigerim")
    token = signed_in(client, add_user(synced, "admin", "boss"))
    url = f"/console/staff/{_staff_id(synced, 'aigerim')}/password"
    short = client.post(url, data={"csrf_token": token, "password": "short"})
    assert short.status_code == 422 and "at least 12 characters" in short.text
    assert client.post(url, data={"csrf_token": token, "password": "n" * 14}).status_code == 200
    client.cookies.clear()
    assert login(client, "aigerim").status_code == 401
    assert login(client, "aigerim", "n" * 14).status_code == 303


@pytest.mark.parametrize("action", ["disable", "enable", "unlock", "password"])
def test_only_an_admin_changes_accounts(client: TestClient, synced: Session, action: str) -> None:
    add_user(synced, "admin", "boss")
    token = signed_in(client, add_user(synced, "editor", "dana"))
    response = client.post(
        f"/console/staff/{_staff_id(synced, 'boss')}/{action}",
        data={"csrf_token": token, "password": "p" * 14},
    )
    assert response.status_code == 403
    client.cookies.clear()
    assert login(client, "boss").status_code == 303


def test_changing_an_unknown_account_is_not_found(client: TestClient, synced: Session) -> None:
    token = signed_in(client, add_user(synced, "admin", "boss"))
    response = client.post("/console/staff/999999/disable", data={"csrf_token": token})
    assert response.status_code == 404
