"""Handoffs to a person: what the bot, the routes and the staff console do with them.

Plain functions on a SQLAlchemy Session, committing their own work. Errors are exceptions
(HandoffNotFound, HandoffClosed) that the routes turn into 404 and 409.

Privacy: every stored text is masked (app.privacy.mask) and the sender kept as a keyed hash.
The raw values kept are `reply_to`, the address a staff reply is delivered to, and
`callback_phone`, the number she asked to be called back on; both are cleared when the
handoff closes (and go with the row in the retention purge).

Times: every function that depends on "now" takes it as `now` (tests pass a fixed one).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from app.core.config import Settings
from app.handoffs import labels, notices, presence
from app.handoffs.callback import check_phone
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


class NotTakenByYou(HandoffError):
    """Only the staff member who took a callback sees the number and marks it called."""

    def __init__(self, handoff_id: int) -> None:
        super().__init__(handoff_id, f"handoff {handoff_id} is not taken by this staff member")


class NoCallback(HandoffError):
    def __init__(self, handoff_id: int) -> None:
        super().__init__(handoff_id, f"handoff {handoff_id} has no callback number")


@dataclass(frozen=True)
class Availability:
    in_hours: bool
    available: int
    waiting: int
    next_open: dt.datetime | None


def availability(
    session: Session, settings: Settings, now: dt.datetime | None = None
) -> Availability:
    """What the bot tells her before she asks for a person: is anyone there, and when."""
    now = now or utcnow()
    hours = settings.hours
    in_hours = hours.in_hours(now)
    return Availability(
        in_hours=in_hours,
        available=presence.available_count(session, now),
        waiting=waiting_count(session),
        next_open=None if in_hours else hours.next_open(now),
    )


def waiting_count(session: Session) -> int:
    """Hand-offs open and not taken (the console's navigation shows it)."""
    return int(
        session.scalar(select(func.count()).select_from(Handoff).where(Handoff.status == "open"))
        or 0
    )


def position(session: Session, handoff: Handoff) -> int | None:
    """How many open, untaken hand-offs came before this one (0: she is next); None once it
    is taken or closed."""
    if handoff.status != "open":
        return None
    earlier = or_(
        Handoff.created_at < handoff.created_at,
        (Handoff.created_at == handoff.created_at) & (Handoff.id < handoff.id),
    )
    return int(
        session.scalar(
            select(func.count()).select_from(Handoff).where(Handoff.status == "open", earlier)
        )
        or 0
    )


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
    mode: str = "live",
    callback_phone: str | None = None,
    now: dt.datetime | None = None,
) -> Handoff:
    """Store a new handoff; `transcript` is (author, text) pairs, oldest first.

    `mode` "callback" needs `callback_phone` (InvalidPhone when it is not a number) and
    the other modes refuse one (ValueError): a number is only kept when she asked to be
    called on it.
    """
    if consent is not True:
        raise ConsentRequired("she has not agreed that a person reads the conversation")
    if (mode == "callback") != (callback_phone is not None):
        raise ValueError("callback_phone is required with mode 'callback' and only then")
    now = now or utcnow()
    handoff = Handoff(
        channel=channel,
        sender_hash=sender_hash(sender_id, settings.sender_salt),
        lang=lang,
        topic=topic,
        consent=True,
        status="open",
        # PostgreSQL text cannot hold NUL, and no channel's address contains one.
        reply_to=sender_id.replace("\x00", "") or None,
        mode=mode,
        in_hours=settings.hours.in_hours(now),
        callback_phone=check_phone(callback_phone) if callback_phone is not None else None,
        created_at=now,
        last_activity_at=now,
        messages=[
            HandoffMessage(author=author, text_masked=mask(text)) for author, text in transcript
        ],
    )
    session.add(handoff)
    session.commit()
    _announce(settings, handoff)
    return handoff


def _announce(settings: Settings, handoff: Handoff) -> None:
    """Tell the staff Telegram group (STAFF_TELEGRAM_CHAT_ID) a hand-off is waiting.

    The line names the number, topic, channel and state, never her words, name, number or
    address: the group's members and Telegram itself read it. A failure is logged and
    never fails her request: the console shows the hand-off either way.
    """
    if not settings.staff_telegram_chat_id:
        return
    try:
        send_telegram(settings, settings.staff_telegram_chat_id, staff_summary(handoff, settings))
    except DeliveryFailed as exc:
        log.warning("handoff %s: staff group not told: %s", handoff.id, exc)


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
    handoff.taken_at = handoff.last_activity_at = utcnow()
    session.commit()
    return handoff


def called_back(session: Session, handoff_id: int, staff_name: str) -> Handoff:
    """The staff member who took a callback says she called; the number stays until close
    (she may need to call again) and goes then."""
    handoff = _open(session, handoff_id)
    if handoff.callback_phone is None:
        raise NoCallback(handoff_id)
    if handoff.taken_by != staff_name:
        raise NotTakenByYou(handoff_id)
    handoff.callback_done_at = handoff.last_activity_at = utcnow()
    session.commit()
    return handoff


def _deliver(
    settings: Settings,
    handoff: Handoff,
    message: HandoffMessage,
    text: str,
    buttons: list[tuple[str, str]] | None = None,
) -> None:
    """Push `text` on her channel when it can be pushed; record the outcome on `message`."""
    if handoff.channel not in PUSHED:
        return  # stored; the widget fetches it from GET /v1/handoffs/replies
    if not handoff.reply_to:
        message.delivery_error = "no address to deliver to"
        return
    try:
        send_telegram(settings, handoff.reply_to, text, buttons)
    except DeliveryFailed as exc:
        log.warning("handoff %s: staff message not delivered: %s", handoff.id, exc)
        message.delivery_error = str(exc)[:200]
    else:
        message.delivered_at = utcnow()


def _staff_message(
    session: Session,
    settings: Settings,
    handoff: Handoff,
    text: str,
    buttons: list[tuple[str, str]] | None = None,
) -> HandoffMessage:
    # Stored before it is sent: a failed delivery never loses the reply.
    message = HandoffMessage(
        author="staff",
        text_masked=mask(text),
        buttons=[[title, payload] for title, payload in buttons] if buttons else None,
    )
    handoff.messages.append(message)
    session.flush()
    _deliver(settings, handoff, message, text, buttons)
    return message


def reply(
    session: Session, settings: Settings, handoff_id: int, staff_name: str, text: str
) -> HandoffMessage:
    """A staff reply: stored, and delivered at once on Telegram.

    `message.delivery_error` is set when her channel did not accept it (the console shows
    "not delivered"). An open handoff is taken by whoever replies first.
    """
    handoff = _open(session, handoff_id)
    now = utcnow()
    if handoff.status == "open":
        handoff.status, handoff.taken_by, handoff.taken_at = "taken", staff_name, now
    message = _staff_message(session, settings, handoff, text)
    handoff.last_activity_at = now
    session.commit()
    return message


def _close(
    session: Session,
    settings: Settings,
    handoff: Handoff,
    staff_name: str | None,
    notice_msgid: str,
    now: dt.datetime,
) -> Handoff:
    notice = notices.translate(notice_msgid, handoff.lang, settings.locales_dir)
    _staff_message(session, settings, handoff, notice)
    handoff.status = "closed"
    handoff.closed_at = now
    handoff.taken_by = handoff.taken_by or staff_name
    handoff.reply_to = None
    handoff.callback_phone = None
    session.commit()
    return handoff


def close(session: Session, settings: Settings, handoff_id: int, staff_name: str) -> Handoff:
    """Close it: tell her in her language that the bot answers again, forget her address
    and her callback number."""
    handoff = _open(session, handoff_id)
    return _close(session, settings, handoff, staff_name, notices.CLOSED, utcnow())


def add_user_message(session: Session, handoff_id: int, text: str) -> Handoff:
    """Something she wrote while a person has the conversation (stored masked)."""
    handoff = _open(session, handoff_id)
    handoff.messages.append(HandoffMessage(author="user", text_masked=mask(text)))
    handoff.last_activity_at = utcnow()
    session.commit()
    return handoff


@dataclass
class SweepResult:
    untaken_notified: list[int] = field(default_factory=list)
    closed_stale: list[int] = field(default_factory=list)


def sweep(session: Session, settings: Settings, now: dt.datetime | None = None) -> SweepResult:
    """Run every minute: nobody is left waiting in silence, nothing stays open for ever.

    1. In staff hours, a live hand-off nobody took for HANDOFF_UNTAKEN_MINUTES of those
       hours gets, once, the notice that offers to keep waiting, leave a message or go back
       to the bot (with the three buttons on Telegram). The minutes count from the start of
       the staffed period when she asked before it: at 09:00 the staff have not failed her
       yet.
    2. A hand-off open or taken with no activity for HANDOFF_STALE_HOURS is closed with a
       notice in her language; her address and callback number are forgotten.

    Idempotent: a second run at the same moment does nothing.
    """
    now = now or utcnow()
    done = SweepResult()
    hours = settings.hours
    waited_enough = now - dt.timedelta(minutes=settings.handoff_untaken_minutes)
    period_start = hours.period_start(now)
    if period_start is not None and period_start <= waited_enough:
        untaken = session.scalars(
            select(Handoff)
            .where(
                Handoff.status == "open",
                Handoff.mode == "live",
                Handoff.untaken_notice_at.is_(None),
                Handoff.created_at <= waited_enough,
            )
            .order_by(Handoff.id)
        )
        for handoff in list(untaken):
            # Marked before it is sent: a delivery failure is recorded on the message, and
            # she is never told twice.
            handoff.untaken_notice_at = now
            text = notices.translate(notices.UNTAKEN, handoff.lang, settings.locales_dir)
            buttons = notices.buttons(notices.UNTAKEN_BUTTONS, handoff.lang, settings.locales_dir)
            _staff_message(session, settings, handoff, text, buttons)
            session.commit()
            done.untaken_notified.append(handoff.id)
    stale_before = now - dt.timedelta(hours=settings.handoff_stale_hours)
    stale = session.scalars(
        select(Handoff)
        .where(
            Handoff.status.in_(WAITING),
            func.coalesce(Handoff.last_activity_at, Handoff.created_at) < stale_before,
        )
        .order_by(Handoff.id)
    )
    for handoff in list(stale):
        _close(session, settings, handoff, "system", notices.CLOSED_STALE, now)
        done.closed_stale.append(handoff.id)
    if done.untaken_notified or done.closed_stale:
        log.info(
            "handoff sweep: %d told nobody took it yet, %d closed as stale",
            len(done.untaken_notified),
            len(done.closed_stale),
        )
    return done


def staff_summary(handoff: Handoff, settings: Settings) -> str:
    return labels.summary(handoff, settings.staff_telegram_lang)


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
