"""WebSocket endpoints. The protocol is documented in docs/realtime.md."""

from __future__ import annotations

from fastapi import APIRouter, WebSocket

router = APIRouter(tags=["realtime"])


@router.websocket("/ws/widget")
async def widget_socket(websocket: WebSocket) -> None:
    await websocket.app.state.services.gateway.serve(websocket, kind="widget")


@router.websocket("/ws/console")
async def console_socket(websocket: WebSocket) -> None:
    await websocket.app.state.services.gateway.serve(websocket, kind="console")
