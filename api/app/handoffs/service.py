"""Handoffs to a person: what the bot, the routes and the staff console do with them.

Plain functions on a SQLAlchemy Session, committing their own work. Errors are exceptions
(HandoffNotFound, HandoffClosed) that the routes turn into 404 and 409.

Privacy: every stored text is masked (app.privacy.mask) and the sender kept as a keyed hash.
The one raw id kept is `reply_to`, the address a staff reply is delivered to; it is cleared
when the handoff closes (and goes with the row in the retention purge).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app.core.config import Settings
from app.handoffs import notices
from app.handoffs.delivery import PUSHED, DeliveryFailed, send_telegram
from app.models import Handoff, HandoffMessage, utcnow
from app.privacy import mask, sender_hash

log = logging.getLogger(__name__)

WAITING = ("open", "taken")


class HandoffError(Exception):
    def __init__(self, handoff_id: int, message: str) -> None:
        super().__init__(message)
        self.handoff_id = handoff_id


class HandoffNotFound(HandoffError):
    def __init__(self, handoff_id: int) -> None:
        super().__init__(handoff_id, f"no handoff {handoff_id}")


class HandoffClosed(HandoffError):
    def __init__(self, handoff_id: int) -> None:
        super().__init__(handoff_id, f"handoff {handoff_id} is closed")


class ConsentRequired(ValueError):
    """A handoff is opened only when she agreed that a person reads the conversation."""


def open_handoff(
    session: Session,
    settings: Settings,
    *,
    channel: str,
    sender_id: str,
    lang: str,
    topic: str | None,
    consent: bool,
    transcript: Iterable[tuple[str, str]],
) -> Handoff:
    """Store a new handoff; `transcript` is (author, text) pairs, oldest first."""
    if consent is not True:
        raise ConsentRequired("she has not agreed that a person reads the conversation")
    handoff = Handoff(
        channel=channel,
        sender_hash=sender_hash(sender_id, settings.sender_salt),
        lang=lang,
        topic=topic,
        consent=True,
        status="open",
        # PostgreSQL text cannot hold NUL, and no channel's address contains one.
        reply_to=sender_id.replace("\x00", "") or None,
        messages=[
            HandoffMessage(author=author, text_masked=mask(text)) for author, text in transcript
        ],
    )
    session.add(handoff)
    session.commit()
    return handoff


def queue(session: Session, *, statuses: Sequence[str] = WAITING) -> list[Handoff]:
    """Handoffs in `statuses`, the one waiting longest first."""
    rows = session.scalars(
        select(Handoff)
        .where(Handoff.status.in_(tuple(statuses)))
        .order_by(Handoff.created_at, Handoff.id)
    )
    return list(rows)


def get(session: Session, handoff_id: int) -> Handoff | None:
    """One handoff with its messages, oldest first."""
    return session.scalar(
        select(Handoff).options(selectinload(Handoff.messages)).where(Handoff.id == handoff_id)
    )


def _open(session: Session, handoff_id: int) -> Handoff:
    handoff = get(session, handoff_id)
    if handoff is None:
        raise HandoffNotFound(handoff_id)
    if handoff.status == "closed":
        raise HandoffClosed(handoff_id)
    return handoff


def take(session: Session, handoff_id: int, staff_name: str) -> Handoff:
    """A staff member takes the conversation over (taking it from a colleague is allowed)."""
    handoff = _open(session, handoff_id)
    handoff.status = "taken"
    handoff.taken_by = staff_name
    handoff.taken_at = utcnow()
    session.commit()
    return handoff


def _deliver(settings: Settings, handoff: Handoff, message: HandoffMessage, text: str) -> None:
    """Push `text` on her channel when it can be pushed; record the outcome on `message`."""
    if handoff.channel not in PUSHED:
        return  # stored; the widget fetches it from GET /v1/handoffs/replies
    if not handoff.reply_to:
        message.delivery_error = "no address to deliver to"
        return
    try:
        send_telegram(settings, handoff.reply_to, text)
    except DeliveryFailed as exc:
        log.warning("handoff %s: staff message not delivered: %s", handoff.id, exc)
        message.delivery_error = str(exc)[:200]
    else:
        message.delivered_at = utcnow()


def _staff_message(
    session: Session, settings: Settings, handoff: Handoff, text: str
) -> HandoffMessage:
    # Stored before it is sent: a failed delivery never loses the reply.
    message = HandoffMessage(author="staff", text_masked=mask(text))
    handoff.messages.append(message)
    session.flush()
    _deliver(settings, handoff, message, text)
    return message


def reply(
    session: Session, settings: Settings, handoff_id: int, staff_name: str, text: str
) -> HandoffMessage:
    """A staff reply: stored, and delivered at once on Telegram.

    `message.delivery_error` is set when her channel did not accept it (the console shows
    "not delivered"). An open handoff is taken by whoever replies first.
    """
    handoff = _open(session, handoff_id)
    if handoff.status == "open":
        handoff.status, handoff.taken_by, handoff.taken_at = "taken", staff_name, utcnow()
    message = _staff_message(session, settings, handoff, text)
    session.commit()
    return message


def close(session: Session, settings: Settings, handoff_id: int, staff_name: str) -> Handoff:
    """Close it: tell her in her language that the bot answers again, forget her address."""
    handoff = _open(session, handoff_id)
    notice = notices.translate(notices.CLOSED, handoff.lang, settings.locales_dir)
    _staff_message(session, settings, handoff, notice)
    handoff.status = "closed"
    handoff.closed_at = utcnow()
    handoff.taken_by = handoff.taken_by or staff_name
    handoff.reply_to = None
    session.commit()
    return handoff


def add_user_message(session: Session, handoff_id: int, text: str) -> Handoff:
    """Something she wrote while a person has the conversation (stored masked)."""
    handoff = _open(session, handoff_id)
    handoff.messages.append(HandoffMessage(author="user", text_masked=mask(text)))
    session.commit()
    return handoff


def replies_for(
    session: Session, settings: Settings, session_id: str, after: int = 0
) -> tuple[str | None, list[HandoffMessage]]:
    """For the widget: the status of her latest handoff from this socket.io session, and its
    staff messages (replies and the closing notice) with an id above `after`.

    Found through the keyed hash of the session id (her sender id on the web channels), so
    the closing notice is still found after `reply_to` was cleared; Telegram handoffs never
    match, their replies are pushed.
    """
    latest = session.scalar(
        select(Handoff)
        .where(
            Handoff.sender_hash == sender_hash(session_id, settings.sender_salt),
            Handoff.channel.not_in(PUSHED),
        )
        .order_by(Handoff.created_at.desc(), Handoff.id.desc())
        .limit(1)
    )
    if latest is None:
        return None, []
    messages = session.scalars(
        select(HandoffMessage)
        .where(
            HandoffMessage.handoff_id == latest.id,
            HandoffMessage.author == "staff",
            HandoffMessage.id > after,
        )
        .order_by(HandoffMessage.id)
    )
    return latest.status, list(messages)
