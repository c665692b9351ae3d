"""Staff accounts: argon2 password hashes, sign-in with lockout, server-side sessions.

A session is a random token in an HttpOnly cookie; the database keeps only its SHA-256,
so a copy of the table signs no one in. Each session has its own CSRF token.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from app.console.models import ROLES, StaffSession, StaffUser
from app.core.config import Settings
from app.i18n.translate import N_, gettext
from app.models import utcnow

MIN_PASSWORD_LENGTH = 12
TOO_SHORT = N_("A password needs at least {n} characters.")
USERNAME_PATTERN = r"^[a-z0-9_.-]{2,64}$"
_hasher = PasswordHasher()
# Verified when the username is unknown, so a wrong name takes as long as a wrong password.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


class AccountError(ValueError):
    """A username, role or password that cannot be used; `msgid` is in the catalogs."""

    def __init__(self, msgid: str, **params: object) -> None:
        super().__init__(msgid.format(**params))
        self.msgid = msgid
        self.params = params

    def translated(self, lang: str) -> str:
        return gettext(lang, self.msgid).format(**self.params)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogateescape")).hexdigest()


def create_user(session: Session, *, username: str, password: str, role: str) -> StaffUser:
    if role not in ROLES:
        raise AccountError(N_("The role must be one of: {roles}."), roles=", ".join(ROLES))
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(TOO_SHORT, n=MIN_PASSWORD_LENGTH)
    username = username.strip().lower()
    if not re.fullmatch(USERNAME_PATTERN, username):
        raise AccountError(
            N_("A username has 2 to 64 characters: a-z, 0-9, dot, hyphen or underscore.")
        )
    if session.scalar(select(StaffUser.id).where(StaffUser.username == username)) is not None:
        raise AccountError(N_("The username {username} is taken."), username=username)
    user = StaffUser(
        username=username, password_hash=_hasher.hash(password), role=role, failed_logins=0
    )
    session.add(user)
    session.commit()
    return user


def set_password(session: Session, user: StaffUser, password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(TOO_SHORT, n=MIN_PASSWORD_LENGTH)
    user.password_hash = _hasher.hash(password)
    user.failed_logins = 0
    user.locked_until = None
    session.execute(delete(StaffSession).where(StaffSession.user_id == user.id))
    session.commit()


def set_active(session: Session, user: StaffUser, active: bool) -> None:
    """Disable or enable an account; disabling signs it out everywhere at once."""
    user.active = active
    if not active:
        session.execute(delete(StaffSession).where(StaffSession.user_id == user.id))
    session.commit()


def _verify(stored: str, password: str) -> bool:
    try:
        return _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def authenticate(
    session: Session, settings: Settings, username: str, password: str
) -> StaffUser | None:
    """The user, or None for a wrong name or password, a locked or a disabled account.

    Every failure looks the same to the caller, so the form does not tell who exists.
    After CONSOLE_MAX_FAILED_LOGINS failures in a row the account is locked for
    CONSOLE_LOCKOUT_MINUTES, even for the right password.
    """
    now = utcnow()
    user = session.scalar(select(StaffUser).where(StaffUser.username == username.strip().lower()))
    if user is None:
        _verify(_DUMMY_HASH, password)
        return None
    if user.locked_until is not None and user.locked_until > now:
        return None
    if not _verify(user.password_hash, password) or not user.active:
        user.failed_logins = (user.failed_logins or 0) + 1
        if user.failed_logins >= settings.console_max_failed_logins:
            user.locked_until = now + dt.timedelta(minutes=settings.console_lockout_minutes)
            user.failed_logins = 0
        session.commit()
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    user.failed_logins = 0
    user.locked_until = None
    session.commit()
    return user


@dataclass(frozen=True)
class SignedIn:
    token: str  # goes into the cookie, never into the database
    session: StaffSession


def start_session(session: Session, settings: Settings, user: StaffUser) -> SignedIn:
    now = utcnow()
    # Expired sessions of anyone are dropped here, so the table does not grow.
    session.execute(delete(StaffSession).where(StaffSession.expires_at < now))
    token = secrets.token_urlsafe(32)
    row = StaffSession(
        token_hash=token_hash(token),
        user_id=user.id,
        csrf_token=secrets.token_urlsafe(32),
        expires_at=now + dt.timedelta(hours=settings.console_session_hours),
    )
    session.add(row)
    session.commit()
    return SignedIn(token=token, session=row)


def find_session(session: Session, token: str | None) -> StaffSession | None:
    if not token or len(token) > 200:
        return None
    row = session.scalar(select(StaffSession).where(StaffSession.token_hash == token_hash(token)))
    if row is None or row.expires_at <= utcnow() or not row.user.active:
        return None
    return row


def end_session(session: Session, row: StaffSession) -> None:
    session.delete(row)
    session.commit()


def same_token(given: str | None, expected: str) -> bool:
    return bool(given) and hmac.compare_digest(
        str(given).encode("utf-8", "surrogateescape"), expected.encode("utf-8")
    )
