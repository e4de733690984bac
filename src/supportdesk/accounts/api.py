"""Login, sessions, API tokens, agents, presence and teams."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response, status
from sqlalchemy import select

from supportdesk.accounts import actions
from supportdesk.accounts.models import Agent, ApiToken, AuthSession, Role, Team
from supportdesk.accounts.queries import access_agent, access_team, presences, team_member_ids
from supportdesk.accounts.schemas import (
    AgentCapacity,
    AgentCreate,
    AgentPublic,
    AgentUpdate,
    AgentWithPresence,
    ApiTokenCreate,
    ApiTokenCreated,
    ApiTokenPublic,
    LoginRequest,
    LoginResponse,
    MeResponse,
    PresenceUpdate,
    TeamCreate,
    TeamMembers,
    TeamPublic,
    TeamSkills,
)
from supportdesk.deps import (
    SESSION_COOKIE,
    AdminDep,
    ManagerDep,
    ServicesDep,
    StaffDep,
    client_ip,
)
from supportdesk.errors import Forbidden
from supportdesk.ratelimit import check_rate
from supportdesk.schemas_common import Id

router = APIRouter(tags=["accounts"])


@router.post("/auth/login", response_model=LoginResponse)
async def login(
    body: LoginRequest, request: Request, response: Response, services: ServicesDep
) -> LoginResponse:
    settings = services.settings
    window = settings.login_window_seconds
    key = f"login:{client_ip(request)}:{body.email.strip().lower()}"
    await check_rate(services.limiter, key, settings.login_attempts_per_window, window, "logins")
    ip_key = f"login-ip:{client_ip(request)}"
    await check_rate(
        services.limiter, ip_key, settings.login_attempts_per_window * 5, window, "logins"
    )
    async with services.db.transaction() as session:
        agent = await actions.authenticate(session, body.email, body.password)
        new = await actions.do_start_session(
            session,
            agent,
            max_age=settings.session_max_age_seconds,
            user_agent=request.headers.get("user-agent", ""),
        )
    # Only failures count against the address and email: a successful login starts afresh.
    await services.limiter.reset(key)
    response.set_cookie(
        SESSION_COOKIE,
        new.cookie_value,
        max_age=settings.session_max_age_seconds,
        httponly=True,
        samesite="lax",
        secure=settings.cookie_secure,
        path="/",
    )
    return LoginResponse(agent=AgentPublic.model_validate(agent), csrf_token=new.csrf_token)


@router.post("/auth/logout", status_code=status.HTTP_204_NO_CONTENT)
async def logout(staff: StaffDep, response: Response, services: ServicesDep) -> None:
    if staff.session is not None:
        async with services.db.transaction() as session:
            record = await session.get(AuthSession, staff.session.id)
            if record is not None:
                await actions.do_end_session(session, record)
    response.delete_cookie(SESSION_COOKIE, path="/")


@router.get("/auth/me", response_model=MeResponse)
async def me(staff: StaffDep) -> MeResponse:
    return MeResponse(
        agent=AgentPublic.model_validate(staff.agent),
        csrf_token=staff.session.csrf_token if staff.session else None,
        auth="session" if staff.session else "token",
    )


@router.get("/auth/tokens", response_model=list[ApiTokenPublic])
async def list_tokens(staff: StaffDep, services: ServicesDep) -> list[ApiToken]:
    async with services.db.session() as session:
        rows = await session.scalars(
            select(ApiToken)
            .where(ApiToken.agent_id == staff.agent.id, ApiToken.revoked_at.is_(None))
            .order_by(ApiToken.id)
        )
        return list(rows)


@router.post("/auth/tokens", response_model=ApiTokenCreated, status_code=201)
async def create_token(
    body: ApiTokenCreate, staff: StaffDep, services: ServicesDep
) -> ApiTokenCreated:
    async with services.db.transaction() as session:
        new = await actions.do_create_api_token(session, staff.agent, body.name)
    public = ApiTokenPublic.model_validate(new.record)
    return ApiTokenCreated(**public.model_dump(), token=new.secret)


@router.delete("/auth/tokens/{token_id}", status_code=204)
async def revoke_token(token_id: Id, staff: StaffDep, services: ServicesDep) -> None:
    async with services.db.transaction() as session:
        await actions.do_revoke_api_token(session, staff.agent, token_id)


@router.get("/agents", response_model=list[AgentWithPresence])
async def list_agents(_staff: StaffDep, services: ServicesDep) -> list[AgentWithPresence]:
    async with services.db.session() as session:
        agents = list(await session.scalars(select(Agent).order_by(Agent.id)))
        states = await presences(session, services.settings.presence_timeout_seconds)
    return [
        AgentWithPresence(
            **AgentPublic.model_validate(a).model_dump(), presence=states.get(a.id, "offline")
        )
        for a in agents
    ]


@router.post("/agents", response_model=AgentPublic, status_code=201)
async def create_agent(body: AgentCreate, _admin: AdminDep, services: ServicesDep) -> Agent:
    async with services.db.transaction() as session:
        return await actions.do_create_agent(
            session, email=body.email, name=body.name, role=body.role, password=body.password
        )


@router.get("/agents/{agent_id}", response_model=AgentPublic)
async def get_agent(agent_id: Id, _staff: StaffDep, services: ServicesDep) -> Agent:
    async with services.db.session() as session:
        return await access_agent(session, agent_id)


@router.patch("/agents/{agent_id}", response_model=AgentPublic)
async def update_agent(
    agent_id: Id, body: AgentUpdate, staff: StaffDep, services: ServicesDep
) -> Agent:
    is_admin = staff.agent.role == Role.ADMIN
    if not is_admin and (agent_id != staff.agent.id or body.role is not None):
        raise Forbidden("only an admin can change another agent or a role", code="role_required")
    async with services.db.transaction() as session:
        agent = await access_agent(session, agent_id)
        return await actions.do_update_agent(
            session, agent, name=body.name, role=body.role, password=body.password
        )


@router.put("/agents/{agent_id}/capacity", response_model=AgentPublic)
async def set_agent_capacity(
    agent_id: Id, body: AgentCapacity, _manager: ManagerDep, services: ServicesDep
) -> Agent:
    async with services.db.transaction() as session:
        agent = await access_agent(session, agent_id)
        return await actions.do_set_agent_capacity(session, agent, body.max_chats)


@router.post("/agents/{agent_id}/deactivate", response_model=AgentPublic)
async def deactivate_agent(agent_id: Id, admin: AdminDep, services: ServicesDep) -> Agent:
    async with services.db.transaction() as session:
        agent = await access_agent(session, agent_id)
        return await actions.do_deactivate_agent(session, admin.agent, agent)


@router.post("/agents/{agent_id}/reactivate", response_model=AgentPublic)
async def reactivate_agent(agent_id: Id, _admin: AdminDep, services: ServicesDep) -> Agent:
    async with services.db.transaction() as session:
        agent = await access_agent(session, agent_id)
        return await actions.do_reactivate_agent(session, agent)


@router.put("/presence", response_model=AgentWithPresence)
async def set_presence(
    body: PresenceUpdate, staff: StaffDep, services: ServicesDep
) -> AgentWithPresence:
    async with services.db.transaction() as session:
        await actions.do_set_presence(session, staff.agent, body.status)
    return AgentWithPresence(
        **AgentPublic.model_validate(staff.agent).model_dump(), presence=body.status
    )


@router.get("/teams", response_model=list[TeamPublic])
async def list_teams(_staff: StaffDep, services: ServicesDep) -> list[TeamPublic]:
    async with services.db.session() as session:
        teams = list(await session.scalars(select(Team).order_by(Team.id)))
        members = await team_member_ids(session, [t.id for t in teams])
    return [_team_public(t, members[t.id]) for t in teams]


@router.post("/teams", response_model=TeamPublic, status_code=201)
async def create_team(body: TeamCreate, _admin: AdminDep, services: ServicesDep) -> TeamPublic:
    async with services.db.transaction() as session:
        team = await actions.do_create_team(
            session,
            name=body.name,
            region=body.region,
            timezone=body.timezone,
            languages=list(body.languages),
            skills=list(body.skills),
        )
    return _team_public(team, [])


@router.put("/teams/{team_id}/members", response_model=TeamPublic)
async def set_team_members(
    team_id: Id, body: TeamMembers, _manager: ManagerDep, services: ServicesDep
) -> TeamPublic:
    async with services.db.transaction() as session:
        team = await access_team(session, team_id)
        await actions.do_set_team_members(session, team, body.agent_ids)
        members = await team_member_ids(session, [team.id])
    return _team_public(team, members[team.id])


@router.put("/teams/{team_id}/skills", response_model=TeamPublic)
async def set_team_skills(
    team_id: Id, body: TeamSkills, _manager: ManagerDep, services: ServicesDep
) -> TeamPublic:
    async with services.db.transaction() as session:
        team = await access_team(session, team_id)
        await actions.do_set_team_skills(session, team, list(body.skills))
        members = await team_member_ids(session, [team.id])
    return _team_public(team, members[team.id])


def _team_public(team: Team, member_ids: list[int]) -> TeamPublic:
    return TeamPublic(
        id=team.id,
        name=team.name,
        region=team.region,
        timezone=team.timezone,
        languages=list(team.languages),
        skills=list(team.skills),
        member_ids=member_ids,
    )
