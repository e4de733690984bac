"""A bare ``websockets`` server with Supportdesk's frame pattern and none of its work.

It speaks the same protocol subset as the gateway (hello → welcome, send → ack) and
delivers the same frames a message causes there: ``message.created`` and
``conversation.updated`` to the conversation's visitor and to *every* open agent socket
(the staff stream). No database, no validation, no auth: what is left is the cost of the
sockets themselves, the yardstick ``bench/realtime.py`` compares the real server with.

Tokens are ``visitor:<conversation id>`` or ``agent:<n>``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import resource
import signal
import time
from typing import Any

from websockets.asyncio.server import ServerConnection, serve
from websockets.exceptions import ConnectionClosed


class Relay:
    def __init__(self) -> None:
        self.visitors: dict[int, ServerConnection] = {}
        self.agents: set[ServerConnection] = set()
        self.seq = 0
        self.message_id = 0

    async def handle(self, ws: ServerConnection) -> None:
        hello = json.loads(await ws.recv())
        role, _, ident = str(hello.get("token", "")).partition(":")
        if role == "visitor":
            self.visitors[int(ident)] = ws
        else:
            self.agents.add(ws)
        await ws.send(_dumps({"type": "welcome", "stream": role, "last_seq": self.seq}))
        try:
            async for raw in ws:
                frame = json.loads(raw)
                if frame.get("type") == "send":
                    await self._send(ws, frame)
                elif frame.get("type") == "ping":
                    await ws.send(_dumps({"type": "pong", "ref": frame.get("ref")}))
        except ConnectionClosed:
            pass
        finally:
            self.agents.discard(ws)
            if role == "visitor":
                self.visitors.pop(int(ident), None)

    async def _send(self, ws: ServerConnection, frame: dict[str, Any]) -> None:
        self.message_id += 1
        conversation_id = int(frame["conversation_id"])
        message = {
            "id": self.message_id,
            "conversation_id": conversation_id,
            "sender_type": "agent" if ws in self.agents else "contact",
            "body": frame["body"],
            "client_id": frame["client_id"],
            "created_at": time.time(),
        }
        await ws.send(_dumps({"type": "ack", "ref": frame["client_id"], "message": message}))
        recipients = [*self.agents]
        visitor = self.visitors.get(conversation_id)
        if visitor is not None:
            recipients.append(visitor)
        for event, data in (
            ("message.created", {"message": message}),
            ("conversation.updated", {"conversation": {"id": conversation_id}}),
        ):
            self.seq += 1
            text = _dumps({"type": "event", "seq": self.seq, "event": event, "data": data})
            for recipient in recipients:
                with contextlib.suppress(ConnectionClosed):
                    await recipient.send(text)


def _dumps(frame: dict[str, Any]) -> str:
    return json.dumps(frame, separators=(",", ":"))


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    relay = Relay()
    stop = asyncio.get_running_loop().create_future()
    for sig in (signal.SIGTERM, signal.SIGINT):
        asyncio.get_running_loop().add_signal_handler(sig, stop.set_result, None)
    # Same defaults as uvicorn's websockets-sansio protocol: permessage-deflate offered,
    # 16 MiB max frame, no server pings (the driver sends its own).
    async with serve(
        relay.handle,
        "127.0.0.1",
        args.port,
        ping_interval=None,
        max_size=16 * 1024 * 1024,
        backlog=4096,
    ):
        print("ready", flush=True)
        await stop


def raise_open_files() -> None:
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


if __name__ == "__main__":
    raise_open_files()
    try:
        import uvloop
    except ImportError:
        asyncio.run(main())
    else:
        uvloop.run(main())
