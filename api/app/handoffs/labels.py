"""How staff read a hand-off: topic and channel names, its state, how long it has waited.

Topic names are the bot's own menu titles (bot/responses.yml), so the catalogs already
hold them in Kazakh and Russian and staff see the words she chose from; a topic added to
the taxonomy without a title here shows its id until one is added.
"""

from __future__ import annotations

import datetime as dt

from app.i18n.translate import N_, gettext
from app.models import Handoff, utcnow

TOPICS = {
    "stay.registration": N_("Registration after arrival"),
    "stay.temporary_residence": N_("Temporary residence permit"),
    "stay.permanent_residence": N_("Permanent residence, kandas"),
    "stay.overstay": N_("My stay has expired"),
    "stay.refugee_asylum": N_("Asylum and refugees"),
    "work.eaeu": N_("Work for EAEU citizens"),
    "work.labour_migrant_permit": N_("Work permit for labour migrants"),
    "work.rights": N_("My rights at work"),
    "health.insurance": N_("Health insurance"),
    "health.pregnancy": N_("Pregnancy and childbirth"),
    "health.children": N_("Children's health"),
    "health.emergency": N_("Emergency care"),
    "child.school": N_("School"),
    "child.kindergarten": N_("Kindergarten"),
    "child.birth_registration": N_("Birth registration"),
    "child.citizenship": N_("Child's citizenship"),
    "child.documents": N_("Child's documents"),
    "legal.aid": N_("Free legal aid"),
    "legal.documents_recognition": N_("Diplomas and foreign documents"),
    "legal.discrimination": N_("Discrimination and complaints"),
    "safety.domestic_violence": N_("Violence at home"),
    "safety.trafficking": N_("Forced labour, documents taken"),
    "safety.lost_documents": N_("Lost or stolen passport"),
    "social.benefits": N_("Social payments"),
    "social.language_integration": N_("Language courses"),
    "contacts.referral": N_("Organisations that help"),
}
NO_TOPIC = N_("No topic")
CHANNELS = {
    "telegram": N_("Telegram"),
    "socketio": N_("Web chat"),
    "rest": N_("REST API"),
}
LANGUAGES = {"kk": "Қазақша", "ru": "Русский", "en": "English"}
# Translators: the state of a hand-off in the staff console's queue.
IN_HOURS = N_("in hours")
OUT_OF_HOURS = N_("out of hours")
LEFT_MESSAGE = N_("out of hours (left a message)")
CALLBACK = N_("callback requested")


def topic_msgid(topic: str | None) -> str:
    if topic is None:
        return NO_TOPIC
    return TOPICS.get(topic, topic)


def state_msgid(handoff: Handoff) -> str | None:
    """How she asked: None for hand-offs from before hours were known (migration 0006)."""
    if handoff.mode == "callback":
        return CALLBACK
    if handoff.mode == "message":
        return LEFT_MESSAGE
    if handoff.in_hours is None:
        return None
    return IN_HOURS if handoff.in_hours else OUT_OF_HOURS


def waited(handoff: Handoff, now: dt.datetime | None = None) -> dt.timedelta:
    """How long she has waited for a person (until taken), or waits still."""
    end = handoff.taken_at or now or utcnow()
    return max(end - handoff.created_at, dt.timedelta(0))


def duration_parts(delta: dt.timedelta) -> tuple[str, int]:
    """(msgid, n): minutes under two hours ("95 min" reads better than "1 h"), then hours,
    then days."""
    minutes = int(delta.total_seconds() // 60)
    if minutes < 120:
        return N_("%(n)s min"), minutes
    if minutes < 48 * 60:
        return N_("%(n)s h"), minutes // 60
    return N_("%(n)s d"), minutes // (24 * 60)


def summary(handoff: Handoff, lang: str) -> str:
    """One line for the staff Telegram group: no name, number, words of hers or address."""
    state = state_msgid(handoff)
    parts = [
        gettext(lang, N_("New handoff #{id}")).format(id=handoff.id),
        gettext(lang, topic_msgid(handoff.topic)),
        gettext(lang, CHANNELS[handoff.channel]),
    ]
    if state is not None:
        parts.append(gettext(lang, state))
    return " · ".join(parts)
