"""A fake Slack Web API: a real HTTP server on 127.0.0.1 that answers the methods the
hub calls, records every call, and can be told to fail (429 with Retry-After, 500)."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from hub.db import free_port
from tests.support.slack_sign_in import FakeSignIn


@dataclass
class Call:
    method: str
    args: dict[str, Any]


@dataclass
class Fault:
    status: int
    retry_after: int | None = None
    apply: bool = False  # do the work anyway, then fail: an unclear failure
    times: int = 1
    error: str | None = None  # the `error` code answered (with `ok: false`)


@dataclass
class Message:
    channel: str
    ts: str
    text: str
    blocks: list[dict[str, Any]]
    metadata: dict[str, Any] | None
    thread_ts: str | None = None  # a reply in the thread of that message


@dataclass
class FakeSlack:
    admins: set[str] = field(default_factory=set)
    calls: list[Call] = field(default_factory=list)
    messages: dict[tuple[str, str], Message] = field(default_factory=dict)
    faults: dict[str, list[Fault]] = field(default_factory=dict)
    down_status: int | None = None
    delays: dict[str, float] = field(default_factory=dict)
    port: int = 0
    _runner: web.AppRunner | None = None
    now: Callable[[], float] = time.time  # what message ts are made of
    bad_tokens: set[str] = field(default_factory=set)  # answered `invalid_auth`
    bot_channels: set[str] | None = None  # channels the bot is in; None: every one
    _sequence: int = 0
    # Like Slack's own limit on posting: at most this many chat.postMessage per second
    # and channel (None: no limit); beyond it, 429 with Retry-After.
    posts_per_second: float | None = None
    _last_post: dict[str, float] = field(default_factory=dict)
    throttled: int = 0
    faulted: list[Call] = field(default_factory=list)  # the calls answered by `fail`
    # Channel members, as conversations.members answers them (pages of `limit`); a
    # channel not listed answers `not_in_channel`, as for a bot that is not in it.
    members: dict[str, list[str]] = field(default_factory=dict)
    homes: dict[str, dict[str, Any]] = field(default_factory=dict)  # views.publish, by user
    usergroups: dict[str, str] = field(default_factory=dict)  # id → handle (usergroups.list)
    # Who is in each user group (usergroups.users.list).
    usergroup_members: dict[str, list[str]] = field(default_factory=dict)
    sign_in: FakeSignIn = field(default_factory=FakeSignIn)  # "Sign in with Slack"

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/"

    @property
    def authorize_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/openid/connect/authorize"

    def response_url(self, name: str = "cmd") -> str:
        return f"http://127.0.0.1:{self.port}/respond/{name}"

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/api/{method}", self._api)
        app.router.add_get("/api/{method}", self._api)
        app.router.add_post("/respond/{name}", self._respond)
        app.router.add_get("/openid/connect/authorize", self.sign_in.authorize)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        self.port = self.port or free_port()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()

    async def stop(self) -> None:
        """Stop listening (connections are refused) until `start()` again."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    # -- telling it what to do

    def fail(
        self,
        method: str,
        status: int,
        times: int = 1,
        retry_after: int | None = None,
        apply: bool = False,
    ) -> None:
        self.faults.setdefault(method, []).append(Fault(status, retry_after, apply, times))

    def refuse(self, method: str, error: str, times: int = 1) -> None:
        """Answer `method` with HTTP 200 and `{"ok": false, "error": error}`, as Slack
        answers a refusal (`not_in_channel`, `user_not_in_channel`, `is_archived`…)."""
        self.faults.setdefault(method, []).append(Fault(200, times=times, error=error))

    def slow_down(self, method: str, seconds: float) -> None:
        """Answer `method` only after `seconds`."""
        self.delays[method] = seconds

    def go_down(self, status: int = 500) -> None:
        self.down_status = status

    def come_back(self) -> None:
        self.down_status = None

    # -- what happened

    def calls_to(self, method: str) -> list[Call]:
        return [call for call in self.calls if call.method == method]

    def opened_views(self) -> list[dict[str, Any]]:
        """The views views.open was asked to open, in order."""
        return [dict(call.args["view"]) for call in self.calls_to("views.open")]

    def channel_messages(self, channel: str) -> list[Message]:
        """The channel's messages, not their threads' replies."""
        return sorted(
            (m for m in self.messages.values() if m.channel == channel and m.thread_ts is None),
            key=lambda m: m.ts,
        )

    def thread_replies(self, channel: str, thread_ts: str) -> list[Message]:
        return sorted(
            (
                m
                for m in self.messages.values()
                if m.channel == channel and m.thread_ts == thread_ts
            ),
            key=lambda m: m.ts,
        )

    # -- the server

    async def _args(self, request: web.Request) -> dict[str, Any]:
        args: dict[str, Any] = dict(request.query)
        if request.can_read_body:
            if request.content_type == "application/json":
                args.update(await request.json())
            else:
                args.update(dict(await request.post()))
        for key in ("blocks", "metadata", "view"):
            if isinstance(args.get(key), str):
                args[key] = json.loads(args[key])
        return args

    async def _respond(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.calls.append(Call(f"respond:{request.match_info['name']}", body))
        return web.Response(text="ok")

    def _next_ts(self) -> str:
        self._sequence += 1
        return f"{int(self.now())}.{self._sequence:06d}"

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        args = await self._args(request)
        self.calls.append(Call(method, args))
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        if token in self.bad_tokens:
            return web.json_response({"ok": False, "error": "invalid_auth"})
        if method in self.delays:
            await asyncio.sleep(self.delays[method])
        if self.down_status is not None:
            return web.json_response(
                {"ok": False, "error": "service_unavailable"}, status=self.down_status
            )
        fault: Fault | None = None
        queued = self.faults.get(method)
        if queued:
            fault = queued[0]
            fault.times -= 1
            if fault.times <= 0:
                queued.pop(0)
        if fault is not None:
            self.faulted.append(Call(method, args))
        if fault is not None and not fault.apply:
            return self._fault(fault)
        if method == "chat.postMessage" and self.posts_per_second:
            throttled = self._throttle(str(args.get("channel")))
            if throttled is not None:
                return throttled
        if method.startswith("openid.connect."):
            authorization = request.headers.get("Authorization", "")
            return web.json_response(self.sign_in.answer(method, args, authorization))
        answer = self._answer(method, args)
        if fault is not None:
            return self._fault(fault)
        return web.json_response(answer)

    def _throttle(self, channel: str) -> web.Response | None:
        assert self.posts_per_second
        interval = 1 / self.posts_per_second
        moment = time.monotonic()
        last = self._last_post.get(channel)
        if last is not None and moment - last < interval:
            self.throttled += 1
            wait = max(1, round(interval - (moment - last) + 0.49))
            return self._fault(Fault(429, retry_after=wait))
        self._last_post[channel] = moment
        return None

    def _fault(self, fault: Fault) -> web.Response:
        headers = {"Retry-After": str(fault.retry_after)} if fault.retry_after else {}
        error = fault.error or ("ratelimited" if fault.status == 429 else "internal_error")
        return web.json_response(
            {"ok": False, "error": error}, status=fault.status, headers=headers
        )

    def _bot_may_post(self, channel: str) -> bool:
        """Channels (C…, G…) only take posts from a member; direct messages always."""
        return self.bot_channels is None or channel in self.bot_channels or channel[:1] == "D"

    def direct_messages(self, user: str) -> list[Message]:
        """What the bot sent to `user` in their direct-message conversation."""
        return self.channel_messages(f"D{user}")

    @staticmethod
    def _blocks_fit(args: dict[str, Any]) -> bool:
        """Slack's limits: 50 blocks, 3000 characters of text per section or context."""
        message_blocks = args.get("blocks") or []
        if len(message_blocks) > 50:
            return False
        for block in message_blocks:
            texts = [block.get("text") or {}, *(block.get("elements") or [])]
            texts += block.get("fields") or []
            if any(len(str(text.get("text", ""))) > 3000 for text in texts):
                return False
        return True

    def _members(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = str(args["channel"])
        if channel not in self.members:
            return {"ok": False, "error": "not_in_channel"}
        limit = int(args.get("limit") or 100)
        start = int(args.get("cursor") or 0)
        page = self.members[channel][start : start + limit]
        more = start + limit < len(self.members[channel])
        cursor = str(start + limit) if more else ""
        return {"ok": True, "members": page, "response_metadata": {"next_cursor": cursor}}

    def _answer(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        if method == "auth.test":
            return {
                "ok": True,
                "url": "https://acme-feedback.slack.com/",
                "team": "Acme",
                "team_id": "T0001",
                "user_id": "U0BOT",
                "bot_id": "B0BOT",
            }
        if method in ("chat.postMessage", "chat.update") and not self._blocks_fit(args):
            return {"ok": False, "error": "invalid_blocks"}
        if method == "chat.postMessage" and not self._bot_may_post(str(args["channel"])):
            return {"ok": False, "error": "not_in_channel"}
        if method == "chat.postMessage":
            ts = self._next_ts()
            channel = str(args["channel"])
            self.messages[(channel, ts)] = Message(
                channel,
                ts,
                str(args.get("text", "")),
                args.get("blocks") or [],
                args.get("metadata"),
                str(args["thread_ts"]) if args.get("thread_ts") else None,
            )
            self.messages[(channel, ts)].thread_ts = args.get("thread_ts") or None
            return {"ok": True, "channel": channel, "ts": ts}
        if method == "chat.update":
            key = (str(args["channel"]), str(args["ts"]))
            if key not in self.messages:
                return {"ok": False, "error": "message_not_found"}
            message = self.messages[key]
            message.text = str(args.get("text", ""))
            message.blocks = args.get("blocks") or []
            return {"ok": True, "channel": key[0], "ts": key[1]}
        if method == "chat.postEphemeral":
            return {"ok": True, "message_ts": self._next_ts()}
        if method == "conversations.open":
            users = str(args.get("users") or "")
            if not users or "," in users:
                return {"ok": False, "error": "not_enough_users" if not users else "invalid_users"}
            return {"ok": True, "channel": {"id": f"D{users}"}}
        if method == "views.open":
            return {"ok": True, "view": {"id": "V0001"}}
        if method == "views.publish":
            view = args.get("view") or {}
            if len(view.get("blocks") or []) > 100:  # a Home tab holds 100 blocks
                return {"ok": False, "error": "invalid_arguments"}
            self.homes[str(args["user_id"])] = view
            return {"ok": True, "view": {"id": "VHOME", **view}}
        if method == "conversations.members":
            return self._members(args)
        if method == "users.info":
            user_id = str(args["user"])
            return {
                "ok": True,
                "user": {
                    "id": user_id,
                    "name": user_id.lower(),
                    "is_admin": user_id in self.admins,
                    "profile": {"display_name": f"name-{user_id}", "real_name": "Someone"},
                },
            }
        if method == "conversations.info":
            channel = str(args["channel"])
            member = self.bot_channels is None or channel in self.bot_channels
            return {"ok": True, "channel": {"id": channel, "is_member": member}}
        if method == "conversations.history":
            channel = str(args["channel"])
            oldest = float(args.get("oldest") or 0)
            include = str(args.get("include_all_metadata", "")).lower() in ("1", "true")
            found = []
            for message in reversed(self.channel_messages(channel)):
                if float(message.ts) < oldest or message.thread_ts:
                    continue  # thread replies are not in the channel's history
                entry: dict[str, Any] = {"type": "message", "ts": message.ts, "text": message.text}
                if include and message.metadata:
                    entry["metadata"] = message.metadata
                found.append(entry)
            return {"ok": True, "messages": found, "has_more": False}
        if method == "conversations.replies":
            channel, thread_ts = str(args["channel"]), str(args["ts"])
            if (channel, thread_ts) not in self.messages:
                return {"ok": False, "error": "thread_not_found"}
            include = str(args.get("include_all_metadata", "")).lower() in ("1", "true")
            thread = [self.messages[(channel, thread_ts)], *self.thread_replies(channel, thread_ts)]
            replies = []
            for message in thread:
                entry = {"type": "message", "ts": message.ts, "text": message.text}
                entry["thread_ts"] = thread_ts
                if include and message.metadata:
                    entry["metadata"] = message.metadata
                replies.append(entry)
            return {"ok": True, "messages": replies, "has_more": False}
        if method == "usergroups.users.list":
            group = str(args.get("usergroup", ""))
            if group not in self.usergroup_members:
                return {"ok": False, "error": "no_such_subteam"}
            return {"ok": True, "users": self.usergroup_members[group]}
        if method == "usergroups.list":
            groups = [{"id": i, "handle": h, "date_delete": 0} for i, h in self.usergroups.items()]
            return {"ok": True, "usergroups": groups}
        return {"ok": False, "error": "unknown_method"}
