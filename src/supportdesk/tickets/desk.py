"""The desk's email identity, read once from the settings and shared by mail in and out."""

from __future__ import annotations

import weakref
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from supportdesk.config import Settings
from supportdesk.db.engine import Database


@dataclass(frozen=True, slots=True)
class EmailDesk:
    """``address`` is None while SUPPORTDESK_SMTP_FROM is unset: nothing is queued to send."""

    address: tuple[str, str] | None
    domain: str
    max_upload_bytes: int
    max_message_chars: int

    @classmethod
    def of(cls, settings: Settings) -> EmailDesk:
        return cls(
            address=settings.desk_address,
            domain=settings.mail_domain,
            max_upload_bytes=settings.max_upload_bytes,
            max_message_chars=settings.max_message_chars,
        )

    @property
    def name(self) -> str:
        return (self.address[0] if self.address else "") or "Support"

    def reply_address(self, token: str) -> str:
        """``support+t.<token>@domain``: the per-conversation address (subaddress, RFC 5233)."""
        assert self.address is not None
        local = self.address[1].rpartition("@")[0].partition("+")[0]
        return f"{local}+t.{token}@{self.domain}"

    def accepts(self, recipient: str) -> bool:
        """The receiver takes mail for the desk's domain only, so it is never a relay."""
        if not self.domain:
            return True
        return recipient.rpartition("@")[2].lower() == self.domain.lower()


# The desk of each app's database: the actions that send mail find it through their session.
_desks: weakref.WeakKeyDictionary[Database, EmailDesk] = weakref.WeakKeyDictionary()


def register_desk(db: Database, desk: EmailDesk) -> None:
    _desks[db] = desk


def desk_of(session: AsyncSession) -> EmailDesk | None:
    db = session.info.get("database")
    return _desks.get(db) if db is not None else None
