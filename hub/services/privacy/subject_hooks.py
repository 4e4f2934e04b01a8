"""Features that keep data derived from people (the analytics rollups) and follow
erasure, restriction and its lifting."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from hub.services.privacy.subjects import Identity

Counts = dict[str, int]


class SubjectHook(Protocol):
    """A feature that keeps data derived from people (rollups, caches) and must
    follow erasure and restriction. Each method returns how many items it changed."""

    name: str

    async def erase(self, user_ids: list[str], emails: list[str]) -> int: ...

    async def restrict(self, user_ids: list[str], emails: list[str]) -> int: ...

    async def lift(self, user_ids: list[str], emails: list[str]) -> int: ...


@dataclass
class SubjectHooks:
    hooks: list[SubjectHook] = field(default_factory=list)

    def register(self, hook: SubjectHook) -> None:
        self.hooks.append(hook)

    async def erase(self, identity: Identity) -> Counts:
        return {
            hook.name: await hook.erase(list(identity.user_ids), list(identity.emails))
            for hook in self.hooks
        }

    async def restrict(self, identity: Identity) -> Counts:
        return {
            hook.name: await hook.restrict(list(identity.user_ids), list(identity.emails))
            for hook in self.hooks
        }

    async def lift(self, identity: Identity) -> Counts:
        return {
            hook.name: await hook.lift(list(identity.user_ids), list(identity.emails))
            for hook in self.hooks
        }
