"""WebSocket endpoints. The protocol is documented in docs/realtime.md.

The sockets are served by a middleware at the edge of the app, not by routes: a route
sits below FastAPI's exception, dependency and routing layers, and each of those keeps a
suspended coroutine frame for as long as the socket is open — about 10 KiB on every one
of thousands of idle sockets (docs/performance.md). Nothing in those layers is needed
here: the gateway authenticates, validates and reports errors itself.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send
from starlette.websockets import WebSocket

SOCKET_PATHS = {"/api/v1/ws/widget": "widget", "/api/v1/ws/console": "console"}


class SocketEndpoints:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = SOCKET_PATHS.get(scope["path"]) if scope["type"] == "websocket" else None
        if kind is None:
            await self.app(scope, receive, send)
            return
        gateway = scope["app"].state.services.gateway
        await gateway.serve(WebSocket(scope, receive, send), kind=kind)
