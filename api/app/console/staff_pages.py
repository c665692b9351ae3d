"""Staff accounts (admin): list them, add one, unlock, disable or enable one, set a password."""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, HTTPException, Request, Response
from fastapi.responses import RedirectResponse
from sqlalchemy import select

from app.console.accounts import AccountError, create_user, set_active, set_password
from app.console.deps import Admin, Posted
from app.console.models import ROLES, StaffUser
from app.console.render import page_lang, render
from app.console.router import console_router
from app.deps import SessionDep
from app.i18n.translate import N_, gettext
from app.models import utcnow

router = console_router()
# The one account an admin cannot disable: a console with no admin left has no way back.
NOT_YOURSELF = N_("You cannot disable your own account.")


def _page(
    request: Request, me: Admin, db: SessionDep, error: str = "", status: int = 200
) -> Response:
    users = db.scalars(select(StaffUser).order_by(StaffUser.username)).all()
    now = utcnow()
    locked = {u.id for u in users if u.locked_until is not None and u.locked_until > now}
    return render(
        request,
        "staff.html",
        {"me": me, "users": users, "locked": locked, "roles": ROLES, "error": error},
        status,
    )


def _user(db: SessionDep, user_id: int) -> StaffUser:
    user = db.get(StaffUser, user_id)
    if user is None:
        raise HTTPException(404, "no such staff account")
    return user


def _back() -> Response:
    return RedirectResponse("/console/staff", status_code=303)


@router.get("/staff", name="console_staff")
def staff(request: Request, me: Admin, db: SessionDep) -> Response:
    return _page(request, me, db)


@router.post("/staff", name="console_staff_add")
def add_staff(
    request: Request,
    me: Admin,
    _: Posted,
    db: SessionDep,
    username: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=1024)],
    role: Annotated[str, Form(max_length=16)],
) -> Response:
    try:
        create_user(db, username=username, password=password, role=role)
    except AccountError as exc:
        return _page(request, me, db, error=exc.translated(page_lang(request)), status=422)
    return _back()


@router.post("/staff/{user_id}/unlock", name="console_staff_unlock")
def unlock(user_id: int, me: Admin, _: Posted, db: SessionDep) -> Response:
    user = _user(db, user_id)
    user.locked_until = None
    user.failed_logins = 0
    db.commit()
    return _back()


@router.post("/staff/{user_id}/disable", name="console_staff_disable")
def disable(request: Request, user_id: int, me: Admin, _: Posted, db: SessionDep) -> Response:
    user = _user(db, user_id)
    if user.id == me.user.id:
        return _page(request, me, db, error=gettext(page_lang(request), NOT_YOURSELF), status=422)
    set_active(db, user, False)
    return _back()


@router.post("/staff/{user_id}/enable", name="console_staff_enable")
def enable(user_id: int, me: Admin, _: Posted, db: SessionDep) -> Response:
    set_active(db, _user(db, user_id), True)
    return _back()


@router.post("/staff/{user_id}/password", name="console_staff_password")
def new_password(
    request: Request,
    user_id: int,
    me: Admin,
    _: Posted,
    db: SessionDep,
    password: Annotated[str, Form(max_length=1024)],
) -> Response:
    """A forgotten password: the admin sets a new one and tells it to her in person."""
    try:
        set_password(db, _user(db, user_id), password)
    except AccountError as exc:
        return _page(request, me, db, error=exc.translated(page_lang(request)), status=422)
    return _back()
