"""The answer bot over HTTP: the widget asks it (public, rate-limited); admins set its rules."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from supportdesk.bot import rules as bot_rules
from supportdesk.bot.answer import answer
from supportdesk.bot.schemas import BotAnswer, BotQuestion
from supportdesk.deps import AdminDep, ServicesDep, client_ip
from supportdesk.ratelimit import check_rate

router = APIRouter(prefix="/bot", tags=["bot"])

QUESTIONS_PER_MINUTE = 30


@router.post("/answer", response_model=BotAnswer)
async def bot_answer(body: BotQuestion, request: Request, services: ServicesDep) -> Any:
    """Answer from the help center, or recommend a human (``handoff``) and say why."""
    await check_rate(
        services.limiter, f"bot:{client_ip(request)}", QUESTIONS_PER_MINUTE, 60, "questions"
    )
    async with services.db.session() as session:
        return await answer(session, body.text, body.locale)


@router.get("/rules", response_model=bot_rules.BotRules)
async def get_bot_rules(_admin: AdminDep, services: ServicesDep) -> bot_rules.BotRules:
    async with services.db.session() as session:
        return await bot_rules.load_rules(session)


@router.put("/rules", response_model=bot_rules.BotRules)
async def put_bot_rules(
    body: bot_rules.BotRules, admin: AdminDep, services: ServicesDep
) -> bot_rules.BotRules:
    """Replace the rules; fields left out take their defaults."""
    async with services.db.transaction() as session:
        return await bot_rules.do_set_rules(session, body, admin.agent.id)
