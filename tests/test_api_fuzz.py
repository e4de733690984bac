"""Schemathesis against ``/openapi.json``: no input makes the REST API answer 5xx.

Every operation of the OpenAPI document gets valid (positive) and invalid (negative) requests
generated from its schema, sent as an admin (API token) and as a visitor (visitor token), on
SQLite and on PostgreSQL. Every answer must be below 500, and every 4xx must have the JSON
error shape ``{"error": {"code", "message"}}``.

Why not ``schema.parametrize()`` or ``case.call()``: those send requests through a synchronous
ASGI test client that runs the app in a loop of its own, while the app, its database pool and
the persona fixtures live in the test's event loop. So hypothesis runs in a worker thread and
hands each request to the test's loop (``run_coroutine_threadsafe``), and schemathesis's own
``not_a_server_error`` check judges the answer (``case.validate_response``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import httpx
import hypothesis
import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from sqlalchemy import update

from supportdesk.accounts.actions import do_create_api_token
from supportdesk.accounts.models import Agent, Role
from supportdesk.config import Settings
from supportdesk.services import Services
from tests.conftest import StaffPersona

MAX_EXAMPLES = 20
BASE_URL = "http://testserver"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """conftest's settings, with rate limits off: a 429 is a correct answer but stops the
    fuzzer from reaching the code behind it."""
    return settings.model_copy(update={"rate_limits": False})


Send = Callable[[Any], httpx.Response]


def fuzz_schema(document: dict[str, Any], send: Send, heal: Callable[[], None]) -> list[str]:
    """Run every operation through hypothesis; return the failures, one line each."""
    schema = schemathesis.openapi.from_dict(document)
    failures: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            try:
                _fuzz_operation(operation, mode, send, heal)
            except Unsatisfiable:
                # Nothing to break: an operation without parameters or body has no negative case.
                if mode is GenerationMode.POSITIVE:
                    raise
            except (Exception, BaseExceptionGroup) as exc:  # report them all together
                failures.append(f"{operation.label} [{mode.value}]: {exc!r}"[:2000])
    return failures


def _fuzz_operation(
    operation: Any, mode: GenerationMode, send: Send, heal: Callable[[], None]
) -> None:
    @hypothesis.settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,  # the same examples every run: no flaky failures
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case: Any) -> None:
        response = send(case)
        try:
            case.validate_response(response, checks=[not_a_server_error])
            check_error_shape(response)
        finally:
            if response.status_code in (401, 403):
                heal()

    run()


def check_error_shape(response: httpx.Response) -> None:
    if response.status_code < 400:
        return
    body = response.json()
    assert set(body) == {"error"}, f"{response.status_code}: {response.text[:300]}"
    assert isinstance(body["error"].get("code"), str), body
    assert isinstance(body["error"].get("message"), str), body


async def _request(http: httpx.AsyncClient, case: Any, auth: dict[str, str]) -> httpx.Response:
    kwargs = case.as_transport_kwargs(base_url=BASE_URL, headers=auth)
    headers = {k: str(v) for k, v in (kwargs.get("headers") or {}).items()}
    body: dict[str, Any] = {}
    if "json" in kwargs:
        body["json"] = kwargs["json"]
    elif kwargs.get("files"):
        # Encoded by requests, as schemathesis would send it, then sent as raw bytes.
        prepared = requests.Request(
            "POST", kwargs["url"], files=kwargs["files"], data=kwargs.get("data")
        ).prepare()
        body["content"] = prepared.body
        headers["Content-Type"] = prepared.headers["Content-Type"]
    elif isinstance(kwargs.get("data"), str | bytes):
        body["content"] = kwargs["data"]
    elif kwargs.get("data") is not None:
        body["data"] = kwargs["data"]
    # Requests go one at a time, so the client's cookie jar can carry this case's cookies.
    http.cookies.clear()
    for name, value in (kwargs.get("cookies") or {}).items():
        http.cookies.set(name, str(value))
    response = await http.request(
        kwargs["method"], kwargs["url"], params=kwargs.get("params"), headers=headers, **body
    )
    await response.request.aread()  # a multipart body is a stream; validation reads it
    return response


async def _run_fuzzer(app: Any, auth: dict[str, str], heal_coro: Callable[[], Any]) -> list[str]:
    """Fuzz every operation; fail unless some requests got through (a 2xx), not only errors."""
    loop = asyncio.get_running_loop()
    statuses: list[int] = []
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as http:
        document = (await http.get("/openapi.json")).json()

        def send(case: Any) -> httpx.Response:
            future = asyncio.run_coroutine_threadsafe(_request(http, case, auth), loop)
            response = future.result(timeout=60)
            statuses.append(response.status_code)
            return response

        def heal() -> None:
            asyncio.run_coroutine_threadsafe(heal_coro(), loop).result(timeout=60)

        failures = await asyncio.to_thread(fuzz_schema, document, send, heal)
    successes = sum(200 <= status < 300 for status in statuses)
    assert successes >= 50, f"only {successes} of {len(statuses)} requests succeeded"
    return failures


async def _admin_token(services: Services, admin: StaffPersona) -> str:
    async with services.db.transaction() as session:
        return (await do_create_api_token(session, admin.agent, "fuzz")).secret


# Every admin route, fuzzed: longer than the suite-wide limit on a busy 2-core machine.
@pytest.mark.timeout(600)
async def test_no_server_error_for_an_admin(
    app, services, admin_dave, agent_carol, alice_conversation
):
    auth = {"Authorization": f"Bearer {await _admin_token(services, admin_dave)}"}

    async def heal() -> None:
        """The fuzzer may demote or lock out the admin, or revoke their token: undo that."""
        async with services.db.transaction() as session:
            await session.execute(
                update(Agent)
                .where(Agent.id == admin_dave.agent.id)
                .values(role=Role.ADMIN, is_active=True, deactivated_at=None)
            )
        if (await admin_dave.client.get("/api/v1/auth/me", headers=auth)).status_code == 401:
            auth["Authorization"] = f"Bearer {await _admin_token(services, admin_dave)}"

    failures = await _run_fuzzer(app, auth, heal)
    assert not failures, "\n\n".join(failures)


async def test_no_server_error_for_a_visitor(app, visitor_alice, alice_conversation):
    auth = {"X-Visitor-Token": visitor_alice.token}

    async def heal() -> None:
        return None

    failures = await _run_fuzzer(app, auth, heal)
    assert not failures, "\n\n".join(failures)
