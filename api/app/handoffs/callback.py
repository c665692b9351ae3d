"""The phone number she leaves for a callback: checked, and masked wherever it is listed.

It is kept as she typed it (staff dial what she wrote, with her country code or not) in
its own column, never in a message text, and cleared when the hand-off closes.
"""

from __future__ import annotations

import re

_SEPARATORS = re.compile(r"[\s()\-]")


class InvalidPhone(ValueError):
    """Not 7 to 20 digits once spaces, brackets, hyphens and a leading + are removed."""


def digits_of(phone: str) -> str:
    bare = _SEPARATORS.sub("", phone.strip())
    return bare[1:] if bare.startswith("+") else bare


def check_phone(phone: str) -> str:
    """The number as she typed it (trimmed), or InvalidPhone."""
    digits = digits_of(phone)
    if not (digits.isascii() and digits.isdigit() and 7 <= len(digits) <= 20):
        raise InvalidPhone("a phone number has 7 to 20 digits (spaces, brackets, - and + allowed)")
    return " ".join(phone.split())


def mask_phone(phone: str) -> str:
    """'+7 701 123 45 67' -> '+7 *** *** 45 67': the country code and the last four digits
    of a long number (enough to tell two callbacks apart), the last two of a short one."""
    digits = digits_of(phone)
    if len(digits) >= 10:
        lead = ("+" if phone.strip().startswith("+") else "") + digits[0]
        hidden, tail = len(digits) - 5, f"{digits[-4:-2]} {digits[-2:]}"
    else:
        lead, hidden, tail = "", len(digits) - 2, digits[-2:]
    stars = " ".join("***" for _ in range(-(-hidden // 3)))
    return " ".join(part for part in (lead, stars, tail) if part)
