"""The suppression list: people who objected (or were erased or restricted) are never
surveyed or contacted again, even after a backup of their other data is restored."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable

from pymongo.asynchronous.client_session import AsyncClientSession

from hub.clock import Clock
from hub.db import in_transaction
from hub.models.suppression import OptOutObjection, SuppressionReason
from hub.services.privacy.identity import normalize_email
from hub.services.privacy.stores import suppressions

# Reasons no lifting ends: the person objected or was erased.
PERMANENT = (SuppressionReason.OBJECTION.value, SuppressionReason.ERASURE.value)


def _identities(user_id: str | None, email: str | None) -> list[str]:
    found = []
    if user_id and user_id.strip():
        found.append("user:" + user_id.strip())
    if email and email.strip():
        found.append("email:" + normalize_email(email))
    return found


class SuppressionService:
    def __init__(self, clock: Clock, secret: bytes) -> None:
        self.clock = clock
        self._secret = secret

    def identity_hmac(self, identity: str) -> str:
        return hmac.new(self._secret, identity.encode(), hashlib.sha256).hexdigest()

    def hmacs(self, user_id: str | None = None, email: str | None = None) -> list[str]:
        """The keyed hashes of a person's user id and e-mail address (either may be absent)."""
        return [self.identity_hmac(identity) for identity in _identities(user_id, email)]

    async def suppress(
        self,
        reason: SuppressionReason,
        user_id: str | None = None,
        email: str | None = None,
        session: AsyncClientSession | None = None,
    ) -> list[str]:
        """Add the person for `reason`; suppressing someone already listed for the
        same reason changes nothing, another reason is kept beside it."""
        hashes = self.hmacs(user_id, email)
        await self._add(hashes, reason, session)
        return hashes

    async def _add(
        self,
        hashes: list[str],
        reason: SuppressionReason,
        session: AsyncClientSession | None,
    ) -> None:
        if not hashes:
            return
        await suppressions.add(
            [(digest, reason.value) for digest in hashes], self.clock.now(), session
        )

    async def is_suppressed(self, user_id: str | None = None, email: str | None = None) -> bool:
        return await self.any_suppressed(self.hmacs(user_id, email))

    async def any_suppressed(self, hashes: Iterable[str]) -> bool:
        wanted = list(hashes)
        if not wanted:
            return False
        return await suppressions.any_listed(wanted)

    async def reasons(
        self, user_id: str | None = None, email: str | None = None
    ) -> set[SuppressionReason]:
        """Why the person is suppressed (by their user id or address); empty if not."""
        hashes = self.hmacs(user_id, email)
        if not hashes:
            return set()
        return {SuppressionReason(reason) for reason in await suppressions.reasons_listed(hashes)}

    async def is_objecting(self, hashes: Iterable[str]) -> bool:
        """Whether any of the identities objected or was erased: suppressed for good,
        not only while a restriction lasts."""
        wanted = list(hashes)
        if not wanted:
            return False
        return await suppressions.any_listed(wanted, list(PERMANENT))

    async def record_opt_out(self, survey_key: str, hashes: list[str]) -> OptOutObjection:
        """An objection received through an e-mail's opt-out link: the person (their
        keyed hashes) is suppressed at once and the receipt is kept for the privacy
        officer, both in one transaction. An objection is its own entry: made while a
        restriction is in force, it outlives the restriction."""
        now = self.clock.now()
        receipt = OptOutObjection(identity_hmacs=hashes, survey_key=survey_key, received_at=now)

        async def work(session: AsyncClientSession) -> None:
            await self._add(hashes, SuppressionReason.OBJECTION, session)
            await receipt.insert(session=session)

        client = suppressions.STORE.client()
        await in_transaction(client, work)
        return receipt
