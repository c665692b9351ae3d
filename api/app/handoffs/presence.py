"""Who from the staff can answer now: marked available in the console and seen lately.

"Available" alone is not enough: a colleague who marked herself available and closed the
laptop would make the bot promise her a person. She counts only while a console page of
hers (any request, the queue's count poll included) was seen in the last SEEN_MINUTES.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.console.models import StaffUser
from app.models import utcnow

SEEN_MINUTES = 30
# last_seen_at is written at most this often, so polling pages do not write on every call.
TOUCH_EVERY = dt.timedelta(minutes=1)


def touch(session: Session, user: StaffUser, now: dt.datetime | None = None) -> None:
    now = now or utcnow()
    if user.last_seen_at is None or now - user.last_seen_at >= TOUCH_EVERY:
        user.last_seen_at = now
        session.commit()


def set_available(
    session: Session, user: StaffUser, available: bool, now: dt.datetime | None = None
) -> None:
    now = now or utcnow()
    user.available_since = now if available else None
    user.last_seen_at = now
    session.commit()


def available_count(session: Session, now: dt.datetime | None = None) -> int:
    seen_after = (now or utcnow()) - dt.timedelta(minutes=SEEN_MINUTES)
    return int(
        session.scalar(
            select(func.count())
            .select_from(StaffUser)
            .where(
                StaffUser.active.is_(True),
                StaffUser.available_since.is_not(None),
                StaffUser.last_seen_at >= seen_after,
            )
        )
        or 0
    )
