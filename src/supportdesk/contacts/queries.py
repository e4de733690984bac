"""Reads about contacts shared by several callers."""

from __future__ import annotations

from sqlalchemy import ColumnElement, func, or_

from supportdesk.contacts.models import Contact


def like_pattern(q: str) -> str:
    """``%q%`` in lower case; the user's own ``%`` and ``_`` are dropped, not wildcards."""
    return f"%{q.strip().lower().replace('%', '').replace('_', '')}%"


def contact_matches(pattern: str) -> ColumnElement[bool]:
    """Contacts whose name, email or host-site user id contains the ``like_pattern``."""
    return or_(
        func.lower(Contact.name).like(pattern),
        func.lower(Contact.email).like(pattern),
        func.lower(Contact.external_id).like(pattern),
    )
