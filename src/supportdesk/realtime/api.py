"""WebSocket endpoints. The protocol is documented in docs/realtime.md.

Plain Starlette routes, not FastAPI ones: a socket needs no dependency injection, and
FastAPI's per-connection machinery costs memory on every one of thousands of idle sockets.
"""

from __future__ import annotations

from starlette.routing import WebSocketRoute
from starlette.websockets import WebSocket


async def widget_socket(websocket: WebSocket) -> None:
    await websocket.app.state.services.gateway.serve(websocket, kind="widget")


async def console_socket(websocket: WebSocket) -> None:
    await websocket.app.state.services.gateway.serve(websocket, kind="console")


routes = [
    WebSocketRoute("/api/v1/ws/widget", widget_socket),
    WebSocketRoute("/api/v1/ws/console", console_socket),
]
