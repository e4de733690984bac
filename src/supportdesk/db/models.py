"""Every table, imported in one place so the metadata (and Alembic) sees them all."""

from supportdesk.accounts.models import (
    Agent,
    AgentPresence,
    ApiToken,
    AuthSession,
    Team,
    TeamMember,
)
from supportdesk.attachments.models import Attachment
from supportdesk.bot.models import BotSettings
from supportdesk.canned.models import CannedReply
from supportdesk.contacts.models import Contact
from supportdesk.conversations.models import Conversation, Message
from supportdesk.db.base import Base
from supportdesk.helpcenter.models import Article, ArticleFeedback, ArticleTranslation, HelpCategory
from supportdesk.realtime.models import Event, EventStream
from supportdesk.routing.models import TeamHoliday
from supportdesk.search.models import SearchChunk, SearchIndexState
from supportdesk.tickets.models import EmailRecord, EmailThread, OutboxEmail

__all__ = [
    "Agent",
    "AgentPresence",
    "ApiToken",
    "Article",
    "ArticleFeedback",
    "ArticleTranslation",
    "Attachment",
    "AuthSession",
    "Base",
    "BotSettings",
    "CannedReply",
    "Contact",
    "Conversation",
    "EmailRecord",
    "EmailThread",
    "Event",
    "EventStream",
    "HelpCategory",
    "Message",
    "OutboxEmail",
    "SearchChunk",
    "SearchIndexState",
    "Team",
    "TeamHoliday",
    "TeamMember",
]
