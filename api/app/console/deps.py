"""Who is signed in, what her role allows, and the CSRF check of every form."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request

from app.console.accounts import find_session, same_token
from app.console.models import ROLES, StaffSession, StaffUser
from app.console.render import CsrfRejected, Forbidden, NotSignedIn
from app.deps import SessionDep
from app.handoffs import presence

SESSION_COOKIE = "console_session"
PRE_CSRF_COOKIE = "console_csrf"  # the sign-in form's token, before there is a session


@dataclass(frozen=True)
class Current:
    """The signed-in staff member and her session."""

    user: StaffUser
    session: StaffSession

    @property
    def csrf(self) -> str:
        return self.session.csrf_token

    def can(self, role: str) -> bool:
        """Roles include the ones below them: admin > editor > staff."""
        return ROLES.index(self.user.role) >= ROLES.index(role)


def signed_in(request: Request, db: SessionDep) -> Current:
    row = find_session(db, request.cookies.get(SESSION_COOKIE))
    if row is None:
        raise NotSignedIn
    # Any console request shows she is at her desk: presence counts her as available only
    # while this is recent (written at most once a minute).
    presence.touch(db, row.user)
    return Current(user=row.user, session=row)


def role(minimum: str) -> Callable[..., Current]:
    def check(current: Annotated[Current, Depends(signed_in)]) -> Current:
        if not current.can(minimum):
            raise Forbidden(current)
        return current

    check.__name__ = f"role_{minimum}"
    return check


async def csrf_checked(
    request: Request, current: Annotated[Current, Depends(signed_in)]
) -> Current:
    """Every POST of a signed-in page carries the session's token in `csrf_token`."""
    form: Any = await request.form()
    if not same_token(form.get("csrf_token"), current.csrf):
        raise CsrfRejected(current)
    return current


Staff = Annotated[Current, Depends(role("staff"))]
Editor = Annotated[Current, Depends(role("editor"))]
Admin = Annotated[Current, Depends(role("admin"))]
Posted = Annotated[Current, Depends(csrf_checked)]
