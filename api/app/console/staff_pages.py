"""Staff accounts (admin): list them, add one, unlock one."""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, HTTPException, Request, Response
from fastapi.responses import RedirectResponse
from sqlalchemy import select

from app.console.accounts import AccountError, aware, create_user
from app.console.deps import Admin, Posted
from app.console.models import ROLES, StaffUser
from app.console.render import page_lang, render
from app.console.router import console_router
from app.deps import SessionDep
from app.models import utcnow

router = console_router()


def _page(
    request: Request, me: Admin, db: SessionDep, error: str = "", status: int = 200
) -> Response:
    users = db.scalars(select(StaffUser).order_by(StaffUser.username)).all()
    now = utcnow()
    locked = {u.id for u in users if u.locked_until is not None and aware(u.locked_until) > now}
    return render(
        request,
        "staff.html",
        {"me": me, "users": users, "locked": locked, "roles": ROLES, "error": error},
        status,
    )


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
    return RedirectResponse("/console/staff", status_code=303)


@router.post("/staff/{user_id}/unlock", name="console_staff_unlock")
def unlock(user_id: int, me: Admin, _: Posted, db: SessionDep) -> Response:
    user = db.get(StaffUser, user_id)
    if user is None:
        raise HTTPException(404, "no such staff account")
    user.locked_until = None
    user.failed_logins = 0
    db.commit()
    return RedirectResponse("/console/staff", status_code=303)
