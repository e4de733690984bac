"""Email in and out: parsing (a pure function), the SMTP receiver, the IMAP poller, the sender.

Storage and threading into tickets build on these; nothing here touches the database.
The transports (smtp_receiver, imap_poller, sender) are imported from their modules, so
parsing does not need aiosmtpd, aioimaplib or aiosmtplib installed.
"""

from supportdesk.channels.email.classify import Bounce, MailKind, extract_reply_token
from supportdesk.channels.email.html_text import html_to_text
from supportdesk.channels.email.parse import Address, Attachment, ParsedEmail, parse_email
from supportdesk.channels.email.subjects import thread_subject, ticket_number
from supportdesk.channels.email.trim import visible_text

__all__ = [
    "Address",
    "Attachment",
    "Bounce",
    "MailKind",
    "ParsedEmail",
    "extract_reply_token",
    "html_to_text",
    "parse_email",
    "thread_subject",
    "ticket_number",
    "visible_text",
]
