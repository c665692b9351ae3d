"""Who can help, as she reads it: organisations chosen by the API for her need and city
(GET /v1/referrals), one short message each."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import api_client
from actions.api_client import ApiUnavailable
from actions.cities import OTHER, city_name
from actions.payload import for_channel

# Topics whose answer is followed by the organisations near her: a mother who is beaten or
# held needs a place to go as much as the law.
PEOPLE_AFTER_ANSWER = frozenset({"safety.domestic_violence", "safety.trafficking"})
# Organisations in one reply: enough to choose from on a phone screen; "more" gives the rest.
PER_REPLY = 3
# Enough for every "more" of one need and city.
FETCH = 20


def _in(lang: str, localized: dict[str, str] | None) -> str:
    if not localized:
        return ""
    return localized.get(lang) or localized.get("ru") or next(iter(localized.values()), "")


def contact_lines(ref: dict[str, Any], lang: str) -> str:
    """Phones one per line, in the form every phone dials and Telegram links (+7 ...),
    then the address and the hours as published."""
    lines = [f"{p['number']} – {_in(lang, p['label'])}" for p in ref["phone"]]
    lines += [x for x in (_in(lang, ref.get("address")), _in(lang, ref["hours"])) if x]
    return "\n".join(lines)


def send_referrals(
    dispatcher: CollectingDispatcher,
    referrals: list[dict[str, Any]],
    lang: str,
    channel: str | None,
    intro: str = "utter_referrals_intro",
    **intro_slots: str,
) -> None:
    payload = {"topic": "contacts.referral", "referral_ids": [r["id"] for r in referrals]}
    dispatcher.utter_message(
        response=intro, json_message=for_channel({**payload, "lang": lang}, channel), **intro_slots
    )
    for ref in referrals:
        dispatcher.utter_message(
            response="utter_referral",
            referral_name=_in(lang, ref["name"]),
            referral_contacts=contact_lines(ref, lang),
        )


def intro_for(asked: str | None, used: str | None, lang: str) -> tuple[str, dict[str, str]]:
    """Say so when her city has nobody for this need and help comes from elsewhere."""
    if not asked or asked == OTHER or used in (None, asked):
        return "utter_referrals_intro", {}
    if used == "nationwide":
        return "utter_referrals_nationwide", {"city": city_name(asked, lang)}
    return "utter_referrals_near", {"city": city_name(asked, lang), "near": city_name(used, lang)}


async def referrals_for(topic: str | None, tracker: Tracker) -> list[dict[str, Any]]:
    # Her city as the slot has it: "other" is a city the API does not know, so it gives
    # the nationwide lines.
    found = await api_client.referrals(topic, tracker.get_slot("city"), None, limit=PER_REPLY)
    return list(found["results"])


async def send_contacts(dispatcher: CollectingDispatcher, tracker: Tracker, lang: str) -> None:
    """The people who help with her topic, in her city when known. When the API is down she
    is told so, with the numbers that need no API (112, 111), rather than left waiting for
    contacts that never come."""
    try:
        found = await referrals_for(tracker.get_slot("current_topic"), tracker)
    except ApiUnavailable:
        dispatcher.utter_message(response="utter_api_down")
        return
    if found:
        send_referrals(dispatcher, found, lang, tracker.get_latest_input_channel())


async def people_near(
    dispatcher: CollectingDispatcher, tracker: Tracker, topic: str, lang: str
) -> list[str]:
    """After the answer to a cry for help: who helps near her, when her city is known (the
    emergency numbers went out first). The ids named; none when the API is down."""
    city = tracker.get_slot("city")
    if topic not in PEOPLE_AFTER_ANSWER or city is None:
        return []
    try:
        found = await api_client.referrals(topic, city, None, limit=PER_REPLY)
    except ApiUnavailable:
        return []
    now = found["results"][:PER_REPLY]
    if now:
        intro, intro_slots = intro_for(city, found.get("city_used"), lang)
        send_referrals(
            dispatcher, now, lang, tracker.get_latest_input_channel(), intro, **intro_slots
        )
    return [r["id"] for r in now]
