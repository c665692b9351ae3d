"""The HTTP API as its clients see it: shapes, filters, errors, caching, limits."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

ROOT = Path(__file__).resolve().parents[2]


def test_healthz_and_readyz(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz").json()
    assert ready == {"status": "ready", "approved_snippets": 3}


def test_topics_list_every_taxonomy_topic_with_counts(client: TestClient) -> None:
    topics = {t["id"]: t for t in client.get("/v1/topics").json()["results"]}
    assert len(topics) >= 26
    assert topics["stay.registration"]["area"] == "stay"
    assert topics["work.eaeu"]["approved_snippets"] == 1  # the draft is not counted


def test_snippet_by_id_in_one_language(client: TestClient) -> None:
    body = client.get("/v1/snippets/child.school.fixture-enrol", params={"lang": "kk"}).json()
    assert body["topic"] == "child.school"
    assert list(body["texts"]) == ["kk"]
    assert "мектепке" in body["texts"]["kk"]["title"]
    assert body["sources"][0]["url"].startswith("https://egov.kz/")
    assert body["last_reviewed"] == "2026-11-20"


def test_drafts_are_never_served(client: TestClient) -> None:
    response = client.get("/v1/snippets/work.eaeu.fixture-draft")
    assert response.status_code == 404
    assert response.json()["error"] == "not_found"
    listed = client.get("/v1/snippets", params={"topic": "work.eaeu"}).json()
    assert [s["snippet_id"] for s in listed["results"]] == ["work.eaeu.fixture-no-permit"]


def test_snippets_filtered_by_citizenship_group(client: TestClient) -> None:
    eaeu = client.get("/v1/snippets", params={"group": "eaeu"}).json()
    other = client.get("/v1/snippets", params={"group": "non_eaeu"}).json()
    assert "work.eaeu.fixture-no-permit" in {s["snippet_id"] for s in eaeu["results"]}
    assert "work.eaeu.fixture-no-permit" not in {s["snippet_id"] for s in other["results"]}
    assert other["total"] == 2


@pytest.mark.parametrize(
    ("query", "lang", "expected"),
    [
        ("Как записать ребенка в школу", "ru", "child.school.fixture-enrol"),
        ("запесать ребёнка в шклу", None, "child.school.fixture-enrol"),  # typos
        ("баланы мектепке беру", "kk", "child.school.fixture-enrol"),  # no Kazakh letters
        ("balany mektepke qalay beremin", None, "child.school.fixture-enrol"),  # Latin Kazakh
        ("zapisat rebenka v shkolu", None, "child.school.fixture-enrol"),  # Latin Russian
        ("enroll child school", "en", "child.school.fixture-enrol"),
        ("тіркелу керек пе келгеннен кейін", None, "stay.registration.fixture-host-notifies"),
        ("регистрацыя после приезда", None, "stay.registration.fixture-host-notifies"),
        ("work permit kyrgyzstan", None, "work.eaeu.fixture-no-permit"),
    ],
)
def test_search_finds_the_answer(
    client: TestClient, query: str, lang: str | None, expected: str
) -> None:
    params = {"q": query, **({"lang": lang} if lang else {})}
    results = client.get("/v1/search", params=params).json()["results"]
    assert results, query
    assert results[0]["snippet_id"] == expected
    assert results[0]["topic"] == expected.rsplit(".", 1)[0]
    assert results[0]["score"] > 0


def test_search_finds_a_snippet_by_the_questions_it_answers(client: TestClient) -> None:
    """ "propiska" is in none of its titles or texts, only in one of its questions."""
    results = client.get("/v1/search", params={"q": "propiska nuzhna", "lang": "ru"}).json()
    assert results["results"][0]["snippet_id"] == "stay.registration.fixture-host-notifies"


def test_a_snippet_names_its_sources_in_the_language_asked(client: TestClient) -> None:
    snippet_id = "stay.registration.fixture-host-notifies"
    for lang, title in (
        ("ru", "Закон «О миграции населения»"),
        ("kk", "«Халықтың көші-қоны туралы» Заң"),
        ("en", 'Law "On Population Migration"'),
    ):
        body = client.get(f"/v1/snippets/{snippet_id}", params={"lang": lang}).json()
        assert body["sources"][0]["title"] == title


def test_search_never_returns_drafts(client: TestClient) -> None:
    results = client.get("/v1/search", params={"q": "черновик проверен"}).json()["results"]
    assert "work.eaeu.fixture-draft" not in {r["snippet_id"] for r in results}


def test_search_with_nothing_to_find_is_empty_not_an_error(client: TestClient) -> None:
    for query in ["🙂🙂", "<script>alert(1)</script>", "' OR 1=1 --", '"fts5" NEAR(', "ыыыы"]:
        response = client.get("/v1/search", params={"q": query})
        assert response.status_code == 200, query
        assert isinstance(response.json()["results"], list)


def test_referrals_closest_first_and_nationwide_included(client: TestClient) -> None:
    ids = [
        r["id"] for r in client.get("/v1/referrals", params={"city": "almaty"}).json()["results"]
    ]
    assert ids[:3] == ["fixture-almaty-labour", "fixture-almaty-legal", "fixture-almaty-refugee"]
    assert set(ids[3:]) == {"emergency", "fixture-111"}
    legal = client.get("/v1/referrals", params={"city": "astana", "service": "legal.aid"}).json()
    assert [r["id"] for r in legal["results"]] == ["fixture-astana-legal"]
    english = client.get("/v1/referrals", params={"lang": "en"}).json()
    assert [r["id"] for r in english["results"]] == [
        "fixture-almaty-legal",
        "fixture-almaty-refugee",
    ]


# (her need, her city) -> the organisations she is told of, in order, and whose came first.
SELECTION = [
    # violence: the crisis centre in her city, then 111, then the police and 112
    (
        "safety.domestic_violence",
        "shymkent",
        ["fixture-shymkent-crisis", "fixture-111", "emergency"],
        "shymkent",
    ),
    # a town without one: the regional centre's, and the reply says so
    (
        "safety.domestic_violence",
        "temirtau",
        ["fixture-karaganda-crisis", "fixture-111", "emergency"],
        "karaganda",
    ),
    ("safety.domestic_violence", "astana", ["fixture-111", "emergency"], "nationwide"),
    ("safety.domestic_violence", None, None, None),
    # trafficking: the lines made for it, then free legal aid in her city
    (
        "safety.trafficking",
        "almaty",
        ["fixture-111", "emergency", "fixture-almaty-legal", "fixture-almaty-refugee"],
        "almaty",
    ),
    # refugee status: the refugee organisation before general legal aid
    (
        "stay.refugee_asylum",
        "almaty",
        ["fixture-almaty-refugee", "fixture-almaty-legal"],
        "almaty",
    ),
    # work: the labour inspection, then free legal aid
    (
        "work.rights",
        "almaty",
        ["fixture-almaty-labour", "fixture-almaty-legal", "fixture-almaty-refugee"],
        "almaty",
    ),
    (
        "work.labour_migrant_permit",
        "almaty",
        ["fixture-almaty-labour", "fixture-almaty-legal", "fixture-almaty-refugee"],
        "almaty",
    ),
    # a legal question: free legal aid in her city first
    (
        "legal.discrimination",
        "almaty",
        ["fixture-almaty-legal", "fixture-almaty-refugee"],
        "almaty",
    ),
]


@pytest.mark.parametrize(("need", "city", "expected", "city_used"), SELECTION)
def test_referrals_by_need_and_city(
    client: TestClient,
    need: str,
    city: str | None,
    expected: list[str] | None,
    city_used: str | None,
) -> None:
    params = {"service": need} | ({"city": city} if city else {})
    found = client.get("/v1/referrals", params=params).json()
    ids = [r["id"] for r in found["results"]]
    if expected is None:  # no city: every organisation for the need, nationwide or not
        assert set(ids) == {"fixture-shymkent-crisis", "fixture-karaganda-crisis"} | {
            "fixture-111",
            "emergency",
        }
    else:
        assert ids == expected
    assert (found["city"], found["service"], found["city_used"]) == (city, need, city_used)


def test_referrals_filter_by_kind_and_carry_what_she_needs_to_call(client: TestClient) -> None:
    params = {"city": "shymkent", "service": "safety.domestic_violence", "kind": "ngo"}
    found = client.get("/v1/referrals", params=params).json()["results"]
    assert [r["id"] for r in found] == ["fixture-shymkent-crisis"]
    crisis = found[0]
    assert crisis["phone"][0]["tel"] == "tel:+77000000002"
    assert crisis["address"]["ru"] == "Шымкент, Первая улица 1"
    assert (crisis["kind"], crisis["serves"]) == ("ngo", ["women", "victims_of_violence"])
    # a lead without a confirmed number is a draft: never listed
    everything = client.get("/v1/referrals", params={"limit": 100}).json()["results"]
    assert "fixture-unconfirmed-lead" not in {r["id"] for r in everything}
    bad = client.get("/v1/referrals", params={"kind": "charity"})
    assert bad.status_code == 422


def test_cities_fixture_is_the_real_list() -> None:
    real = (ROOT / "knowledge" / "cities.yaml").read_text("utf-8")
    fixture = (ROOT / "tests" / "fixtures" / "knowledge" / "cities.yaml").read_text("utf-8")
    assert fixture.split("\n", 1)[1] == real


@pytest.mark.parametrize(
    ("path", "params", "fragment"),
    [
        ("/v1/snippets/x", {"lang": "de"}, "lang"),
        ("/v1/search", {}, "q"),
        ("/v1/search", {"q": "x" * 501}, "q"),
        ("/v1/search", {"q": "школа", "limit": 0}, "limit"),
        ("/v1/referrals", {"city": "Almaty; DROP TABLE"}, "city"),
        ("/v1/snippets", {"offset": -1}, "offset"),
    ],
)
def test_bad_requests_get_json_422(
    client: TestClient, path: str, params: dict[str, object], fragment: str
) -> None:
    response = client.get(path, params=params)
    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "validation_error"
    assert any(fragment in d for d in body["detail"])
    assert body["request_id"]


def test_unknown_path_and_method_are_json(client: TestClient) -> None:
    assert client.get("/v1/nothing").json()["error"] == "not_found"
    assert client.post("/v1/topics").json()["error"] == "method_not_allowed"


def test_etag_gives_304_when_unchanged(client: TestClient) -> None:
    first = client.get("/v1/snippets/child.school.fixture-enrol")
    etag = first.headers["etag"]
    again = client.get("/v1/snippets/child.school.fixture-enrol", headers={"If-None-Match": etag})
    assert again.status_code == 304
    other = client.get(
        "/v1/snippets/child.school.fixture-enrol",
        params={"lang": "ru"},
        headers={"If-None-Match": etag},
    )
    assert other.status_code == 200


def test_body_over_the_cap_is_413(client: TestClient) -> None:
    response = client.post(
        "/v1/topics", content=b"x" * 20_000, headers={"content-type": "application/json"}
    )
    assert response.status_code == 413
    assert response.json()["error"] == "payload_too_large"


def test_security_headers_and_request_id(client: TestClient) -> None:
    response = client.get("/v1/topics")
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert len(response.headers["x-request-id"]) == 16
