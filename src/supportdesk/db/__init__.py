"""Database engine, sessions, the declarative base and migrations."""

from supportdesk.db.base import Base, utcnow
from supportdesk.db.engine import Database, on_commit

__all__ = ["Base", "Database", "on_commit", "utcnow"]
