"""Privacy: mask contact and document numbers in free text, pseudonymise senders, purge old rows.

`mask()` runs on every piece of free text before it is stored (handoff transcripts, unanswered
questions), so that staff and statistics never see a phone number, an e-mail address, a
passport, ID card or IIN number, or a payment card. Ordinary numbers stay: emergency lines
(112, 102, 103, 1414), ages, years, dates, amounts of money ("150 000 тенге"), "3 days".

Rules run in order, most specific first; each replaces what it finds with a token that has no
digits, so later rules never see the digits again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
from collections.abc import Callable

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from app.models import Feedback, Handoff, HandoffMessage, Question

PHONE = "[phone]"
EMAIL = "[email]"
DOCUMENT = "[document]"

# A separator inside a written number: spaces (not line breaks), hyphens and brackets.
_SEP = r"[ \t\u00a0\-()]{0,3}"
_LETTER = r"A-Za-zА-ЯЁа-яёӘәҒғҚқҢңӨөҰұҮүҺһІі"
_UPPER = r"A-ZА-ЯЁӘҒҚҢӨҰҮҺІ"


def _digits(text: str) -> int:
    return sum(ch.isdigit() for ch in text)


def _looks_like_amount_or_date(groups: list[str]) -> bool:
    """'1 500 000' (thousands), '01 02 2024' (a date) or '2019 2020 2021' (years)."""
    if 1 <= len(groups[0]) <= 3 and all(len(g) == 3 for g in groups[1:]):
        return True
    if all(len(g) == 4 and g[:2] in ("19", "20") for g in groups):
        return True
    if len(groups) == 3 and len(groups[2]) == 4 and all(1 <= len(g) <= 2 for g in groups[:2]):
        day, month = int(groups[0]), int(groups[1])
        return 1 <= day <= 31 and 1 <= month <= 12
    return False


def _grouped_phone(match: re.Match[str]) -> str:
    found = match.group(0)
    groups = re.findall(r"\d+", found)
    if not 7 <= _digits(found) <= 13 or _looks_like_amount_or_date(groups):
        return found
    return PHONE


Replacement = str | Callable[[re.Match[str]], str]
_RULES: list[tuple[re.Pattern[str], Replacement]] = [
    # E-mail addresses, also with Cyrillic letters.
    (re.compile(r"(?<![\w.+\-])[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+"), EMAIL),
    # Payment cards: 16 digits, usually in fours.
    (re.compile(r"(?<![\w+])\d{4}(?:[ \-]?\d{4}){3}(?!\d)"), DOCUMENT),
    # Kazakhstan with the country code: +7 701 123 45 67, +7 (727) 250-12-34.
    (re.compile(rf"\+{_SEP}7(?:{_SEP}\d){{10}}(?!\d)"), PHONE),
    # Any other international number: +996 555 123 456, +998 90 123 45 67, +44 20 7946 0958.
    (re.compile(rf"\+{_SEP}\d(?:{_SEP}\d){{6,14}}(?!\d)"), PHONE),
    # Kazakhstan, national: 8 701 123 45 67, 8(7172)12-34-56, 87011234567, 7 777 123 4567.
    (re.compile(rf"(?<![\w+])[78](?:{_SEP}\d){{10}}(?!\d)"), PHONE),
    # Birth certificates: I-ЖЛ № 123456, IV-МЮ 654321.
    (re.compile(rf"(?<!\w)[IVX]{{1,4}}-?[{_UPPER}]{{2}}\s?№?\s?\d{{6,7}}(?!\d)"), DOCUMENT),
    # Passports and ID cards: N12345678, n12345678, AA1234567, ID1234567, "AC 1234567".
    (re.compile(rf"(?<!\w)[{_LETTER}]{{1,3}}\d{{6,9}}(?!\w)"), DOCUMENT),
    (re.compile(rf"(?<!\w)[{_UPPER}]{{1,3}}[ \-№]{{1,2}}\d{{6,9}}(?!\w)"), DOCUMENT),
    # Russian passport: 45 06 123456 or 4506 123456.
    (re.compile(r"(?<![\d+])\d{2} ?\d{2} \d{6}(?!\d)"), DOCUMENT),
    # Anything numbered with №: "паспорт № 1234567" (short ones, "школа № 154", stay).
    (re.compile(r"№\s?\d{5,}"), DOCUMENT),
    # A Kazakh mobile without 8 or +7: 701 123 45 67, 7011234567.
    (re.compile(rf"(?<![\w+])\(?7[0-7]\d(?:{_SEP}\d){{7}}(?!\d)"), PHONE),
    # IIN/BIN (12 digits), ID card numbers (9) and any other long run of digits.
    (re.compile(r"(?<!\d)\d{9,}(?!\d)"), DOCUMENT),
    # A number written in groups: 0555 123 456, 250-12-34, (727) 250 12 34.
    (
        re.compile(r"(?<![\w+])\(?\d{2,5}\)?(?:[ \-]\d{2,4}){2,4}(?![\d\w])"),
        _grouped_phone,
    ),
]


def mask(text: str) -> str:
    """Replace phone numbers, e-mails and document numbers with [phone], [email], [document]."""
    for pattern, replacement in _RULES:
        text = pattern.sub(replacement, text)
    return text


def sender_hash(sender_id: str, salt: str) -> str:
    """A stable pseudonym of a sender: HMAC-SHA256 keyed with a server-side secret.

    Without the secret the raw id (a Telegram chat id, say) cannot be found by trying ids.
    """
    return hmac.new(salt.encode(), sender_id.encode(), hashlib.sha256).hexdigest()


def purge_expired(
    session: Session, retention_days: int, now: dt.datetime | None = None
) -> dict[str, int]:
    """Delete conversation rows older than `retention_days`; return how many of each went."""
    cutoff = (now or dt.datetime.now(dt.UTC)) - dt.timedelta(days=retention_days)
    old_handoffs = select(Handoff.id).where(Handoff.created_at < cutoff)
    deleted = {
        # Messages of an old handoff go with it, even a message added later.
        "handoff_messages": session.execute(
            delete(HandoffMessage).where(
                (HandoffMessage.created_at < cutoff) | HandoffMessage.handoff_id.in_(old_handoffs)
            )
        ),
        "handoffs": session.execute(delete(Handoff).where(Handoff.created_at < cutoff)),
        "feedback": session.execute(delete(Feedback).where(Feedback.created_at < cutoff)),
        "questions": session.execute(delete(Question).where(Question.created_at < cutoff)),
    }
    # Closing clears a callback number already; this catches one a closed hand-off kept by
    # any other path (a row edited by hand, a crash between close and commit).
    session.execute(
        update(Handoff)
        .where(Handoff.status == "closed", Handoff.callback_phone.is_not(None))
        .values(callback_phone=None)
    )
    session.commit()
    return {table: int(result.rowcount) for table, result in deleted.items()}  # type: ignore[attr-defined]
