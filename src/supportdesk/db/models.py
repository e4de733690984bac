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
    "Event",
    "EventStream",
    "HelpCategory",
    "Message",
    "SearchChunk",
    "SearchIndexState",
    "Team",
    "TeamHoliday",
    "TeamMember",
]
