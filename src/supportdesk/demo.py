"""The demo workspace: teams in three regions, staff, contacts and realistic conversations.

Everything is written through the actions layer, so the demo has the same events, system
notes and invariants as real use.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from supportdesk.accounts.actions import do_create_agent, do_create_team, do_set_team_members
from supportdesk.accounts.models import Agent, Role, Team
from supportdesk.canned.actions import do_create_canned_reply
from supportdesk.canned.schemas import CannedReplyCreate
from supportdesk.contacts.actions import do_create_contact
from supportdesk.contacts.models import Contact
from supportdesk.conversations.actions import Author, do_send_message, do_start_conversation
from supportdesk.conversations.models import Conversation, SenderType, Status
from supportdesk.conversations.workflow import do_assign, do_change_status
from supportdesk.db.engine import Database
from supportdesk.helpcenter.demo import seed_help_center

LOGINS_FILE = "demo-logins.txt"
# The demo's messages are short; this is the default SUPPORTDESK_MAX_MESSAGE_CHARS.
_MAX_CHARS = 10_000


@dataclass(frozen=True, slots=True)
class DemoLogin:
    role: str
    email: str
    password: str
    name: str


@dataclass(frozen=True, slots=True)
class DemoLogins:
    """``created`` is False when the database already had agents and nothing was added."""

    created: bool
    logins: tuple[DemoLogin, ...] = ()


@dataclass(frozen=True, slots=True)
class _TeamSpec:
    name: str
    region: str
    timezone: str
    languages: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class _StaffSpec:
    email: str
    name: str
    role: Role
    teams: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class _ContactSpec:
    locale: str
    timezone: str
    name: str = ""
    email: str | None = None
    external_id: str | None = None
    attributes: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class _Step:
    """One thing that happens in a conversation: a message, a note or the assignment."""

    kind: str  # "contact" | "agent" | "note" | "assign"
    text: str = ""


@dataclass(frozen=True, slots=True)
class _ConversationSpec:
    contact: int  # index into _CONTACTS
    subject: str
    locale: str
    steps: tuple[_Step, ...]
    team: str | None = None
    assignee: str | None = None  # email of the agent who takes it
    final_status: Status | None = None


_TEAMS = (
    _TeamSpec("Asia Pacific", "Asia Pacific", "Asia/Shanghai", ("zh", "en")),
    _TeamSpec("Europe", "Europe", "Europe/Madrid", ("es", "en")),
    _TeamSpec("Americas", "Americas", "America/New_York", ("en", "es")),
)
_ALL_TEAMS = tuple(team.name for team in _TEAMS)

_STAFF = (
    _StaffSpec("admin@example.com", "Alex Morgan", Role.ADMIN, ()),
    _StaffSpec("supervisor@example.com", "Mei Chen", Role.SUPERVISOR, _ALL_TEAMS),
    _StaffSpec("wang.fang@example.com", "王芳 Wang Fang", Role.AGENT, ("Asia Pacific",)),
    _StaffSpec("lucia.garcia@example.com", "Lucía García", Role.AGENT, ("Europe",)),
    _StaffSpec("james.carter@example.com", "James Carter", Role.AGENT, ("Americas",)),
    _StaffSpec("sofia.ramirez@example.com", "Sofía Ramírez", Role.AGENT, ("Americas", "Europe")),
)
_ASSIGNER = "supervisor@example.com"

_CONTACTS = (
    _ContactSpec(
        locale="zh",
        timezone="Asia/Shanghai",
        name="李伟 Li Wei",
        email="li.wei@example.net",
        external_id="user-100234",
        attributes=(("vip_level", "2"), ("kyc_status", "verified"), ("country", "CN")),
    ),
    _ContactSpec(locale="es", timezone="Europe/Madrid"),
    _ContactSpec(locale="en", timezone="Europe/London"),
    _ContactSpec(locale="en", timezone="America/Chicago"),
)

_CONVERSATIONS = (
    _ConversationSpec(
        contact=0,
        subject="USDT 提现一直显示处理中",
        locale="zh",
        team="Asia Pacific",
        assignee="wang.fang@example.com",
        steps=(
            _Step(
                "contact",
                "你好，我两个小时前提现了 1,500 USDT（TRC20），"
                "到现在还显示“处理中”，是不是出问题了？",
            ),
            _Step("assign"),
            _Step(
                "agent", "您好，我是王芳，很抱歉让您久等了。请提供一下提现订单号，我马上帮您查询。"
            ),
            _Step("contact", "订单号是 W2024061800123。"),
            _Step(
                "note",
                "Wallet team: the TRC20 hot wallet is being refilled, withdrawals batch "
                "delayed about 30 minutes. Do not promise an exact time.",
            ),
            _Step(
                "agent",
                "查到了：TRC20 网络的提现批次目前有延迟，预计 30 分钟内到账。"
                "完成后您会收到邮件通知，期间请不要重复提交提现。",
            ),
        ),
    ),
    _ConversationSpec(
        contact=1,
        subject="Depósito no acreditado",
        locale="es",
        team="Europe",
        assignee="lucia.garcia@example.com",
        final_status=Status.PENDING,
        steps=(
            _Step(
                "contact",
                "Hola, hice un depósito de 0,05 BTC hace más de una hora y todavía no "
                "aparece en mi cuenta.",
            ),
            _Step("assign"),
            _Step(
                "agent",
                "¡Hola! Soy Lucía y lo reviso ahora mismo. ¿Puedes enviarme el ID de la "
                "transacción (TXID) y una captura del retiro en la plataforma de origen? "
                "Los depósitos de BTC se acreditan tras 2 confirmaciones de la red.",
            ),
        ),
    ),
    _ConversationSpec(
        contact=2,
        subject="Lost my phone, need to reset 2FA",
        locale="en",
        steps=(
            _Step(
                "contact",
                "Hi, I lost my phone and can't log in because it asks for the "
                "authenticator code. How do I reset my 2FA?",
            ),
            _Step("contact", "I still have access to my email and my ID documents, if that helps."),
        ),
    ),
    _ConversationSpec(
        contact=3,
        subject="ETH deposit not credited",
        locale="en",
        team="Americas",
        assignee="james.carter@example.com",
        final_status=Status.RESOLVED,
        steps=(
            _Step(
                "contact",
                "My ETH deposit from another exchange isn't showing up. TXID: "
                "0x5c8e2f9a1d4b7e3c6f0a9d2b5e8c1f4a7d0b3e6c9f2a5d8b1e4c7f0a3d6b9e2c",
            ),
            _Step("assign"),
            _Step(
                "agent",
                "Thanks! I can see that transaction on the explorer: it has 9 of the 12 "
                "confirmations we need, so it will be credited automatically in a few minutes.",
            ),
            _Step("contact", "It's there now, thank you!"),
            _Step("agent", "Glad it's sorted. Have a good day!"),
        ),
    ),
)


_CANNED_REPLIES = (
    CannedReplyCreate(
        shortcut="hello",
        title="Greeting",
        bodies={
            "en": "Hi {{contact.first_name}}, I'm {{agent.first_name}} from the support team. "
            "Let me look into this for you.",
            "zh-Hans": "{{contact.name}}您好，我是客服{{agent.name}}，马上为您查询。",
            "es": "Hola {{contact.first_name}}, soy {{agent.first_name}} del equipo de soporte. "
            "Voy a revisarlo ahora mismo.",
        },
    ),
    CannedReplyCreate(
        shortcut="txid",
        title="Ask for the transaction ID",
        bodies={
            "en": "Could you send the **transaction ID (TxID)** and a screenshot of the "
            "withdrawal record? You find both under *Wallet → History*.",
            "zh-Hans": "请提供**交易哈希（TxID）**以及提现记录的截图，"
            "可在*钱包 → 历史记录*中找到。",
            "es": "¿Podría enviarnos el **ID de la transacción (TxID)** y una captura del "
            "registro del retiro? Ambos están en *Billetera → Historial*.",
        },
    ),
    CannedReplyCreate(
        shortcut="pending",
        title="Withdrawal pending review",
        bodies={
            "en": "Your withdrawal is in the security review queue. Reviews usually finish "
            "within 2 hours; we will update this conversation as soon as it is released.",
            "zh-Hans": "您的提现正在安全审核中，通常在2小时内完成，放行后我们会在此会话中通知您。",
            "es": "Su retiro está en revisión de seguridad. Normalmente termina en menos de "
            "2 horas; le avisaremos aquí en cuanto se libere.",
        },
    ),
    CannedReplyCreate(
        shortcut="phishing",
        title="Never share your seed phrase",
        bodies={
            "en": "Please never share your seed phrase, private keys or 2FA codes with "
            "anyone, including us: our staff will never ask for them.",
            "zh-Hans": "请勿向任何人（包括我们）透露助记词、私钥或二次验证码，"
            "我们的工作人员绝不会索要。",
            "es": "Nunca comparta su frase semilla, claves privadas ni códigos 2FA con nadie, "
            "tampoco con nosotros: nuestro personal jamás los pedirá.",
        },
    ),
    CannedReplyCreate(
        shortcut="bye",
        title="Closing",
        bodies={
            "en": "Glad I could help, {{contact.first_name}}! Is there anything else?",
            "zh-Hans": "很高兴能帮到您，{{contact.name}}！还有其他问题吗？",
            "es": "¡Me alegra haber ayudado, {{contact.first_name}}! ¿Algo más?",
        },
    ),
)


async def seed_demo(db: Database) -> DemoLogins:
    """Fill a database that has no agents with the demo workspace, in one transaction.

    Precondition: the schema is migrated. A database that already has agents is left as
    it is (``created=False``), so running the demo twice never duplicates anything.
    """
    async with db.transaction() as session:
        if await session.scalar(select(func.count()).select_from(Agent)):
            return DemoLogins(created=False)
        teams = await _create_teams(session)
        agents, logins = await _create_staff(session, teams)
        contacts = [await _create_contact(session, spec) for spec in _CONTACTS]
        for spec in _CONVERSATIONS:
            await _create_conversation(session, spec, agents, teams, contacts)
        author = next(iter(agents.values()))
        for reply in _CANNED_REPLIES:
            await do_create_canned_reply(session, reply, author)
    # Help-center articles in en / zh / es, so the answer bot has something to answer with.
    await seed_help_center(db)
    return DemoLogins(created=True, logins=logins)


async def _create_teams(session: AsyncSession) -> dict[str, Team]:
    teams = {}
    for spec in _TEAMS:
        teams[spec.name] = await do_create_team(
            session,
            name=spec.name,
            region=spec.region,
            timezone=spec.timezone,
            languages=list(spec.languages),
        )
    return teams


async def _create_staff(
    session: AsyncSession, teams: dict[str, Team]
) -> tuple[dict[str, Agent], tuple[DemoLogin, ...]]:
    agents: dict[str, Agent] = {}
    logins = []
    for spec in _STAFF:
        password = secrets.token_urlsafe(12)
        agents[spec.email] = await do_create_agent(
            session, email=spec.email, name=spec.name, role=spec.role, password=password
        )
        logins.append(DemoLogin(spec.role.value, spec.email, password, spec.name))
    for team_name, team in teams.items():
        members = [agents[s.email].id for s in _STAFF if team_name in s.teams]
        await do_set_team_members(session, team, members)
    return agents, tuple(logins)


async def _create_contact(session: AsyncSession, spec: _ContactSpec) -> Contact:
    return await do_create_contact(
        session,
        name=spec.name,
        email=spec.email,
        locale=spec.locale,
        timezone=spec.timezone,
        external_id=spec.external_id,
        attributes=dict(spec.attributes),
    )


async def _create_conversation(
    session: AsyncSession,
    spec: _ConversationSpec,
    agents: dict[str, Agent],
    teams: dict[str, Team],
    contacts: list[Contact],
) -> Conversation:
    contact = contacts[spec.contact]
    conversation, _created = await do_start_conversation(
        session, contact, subject=spec.subject, locale=spec.locale
    )
    customer = Author(type=SenderType.CONTACT, contact=contact)
    assignee = agents[spec.assignee] if spec.assignee else None
    staff = Author(type=SenderType.AGENT, agent=assignee or agents[_ASSIGNER])
    for step in spec.steps:
        if step.kind == "assign":
            await do_assign(
                session,
                conversation,
                actor=Author(type=SenderType.AGENT, agent=agents[_ASSIGNER]),
                agent=assignee,
                team=teams[spec.team] if spec.team else None,
                set_team=True,
            )
        else:
            author = customer if step.kind == "contact" else staff
            await do_send_message(
                session,
                conversation,
                author,
                step.text,
                max_chars=_MAX_CHARS,
                internal=step.kind == "note",
            )
    if spec.final_status is not None:
        await do_change_status(session, conversation, spec.final_status, actor=staff)
    return conversation


def write_logins(path: Path, logins: tuple[DemoLogin, ...]) -> None:
    """Keep the generated passwords beside the data, readable by the owner only."""
    lines = ["# Supportdesk demo logins: role, email, password, name (tab-separated)"]
    lines += [f"{x.role}\t{x.email}\t{x.password}\t{x.name}" for x in logins]
    temporary = path.with_name(path.name + ".tmp")
    # Created with mode 0600 so the passwords are never readable by others, not even briefly.
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as file:
        file.write("\n".join(lines) + "\n")
    os.chmod(temporary, 0o600)
    os.replace(temporary, path)


def read_logins(path: Path) -> tuple[DemoLogin, ...]:
    """The logins written by :func:`write_logins`; empty when the file is missing."""
    if not path.exists():
        return ()
    logins = []
    for line in path.read_text(encoding="utf-8").splitlines():
        fields = line.split("\t")
        if line.startswith("#") or len(fields) != 4:
            continue
        logins.append(DemoLogin(*fields))
    return tuple(logins)
