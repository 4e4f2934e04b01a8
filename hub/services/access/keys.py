"""API keys: bearer tokens shown once and stored as a hash."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from beanie import PydanticObjectId
from cachetools import TTLCache

from hub.clock import Clock
from hub.errors import ErrorCode, NotFound, ValidationFailed
from hub.models.apikey import ApiKey
from hub.models.common import Role
from hub.services.platform import validation

TOKEN_PREFIX = "fh_"  # noqa: S105 - a marker, not a secret
_MISSING = object()  # not in the cache (None is: an unknown or revoked key)


@dataclass(frozen=True)
class Principal:
    """Who is calling: the key's id, role and label, never the token."""

    key_id: str
    role: Role
    label: str
    survey_keys: frozenset[str]
    slack_user: str | None = None  # signed in to the console with Slack

    @property
    def actor_id(self) -> str:
        """How the caller is recorded as a claimer: `slack:<user id>` or `key:<key id>`."""
        return f"slack:{self.slack_user}" if self.slack_user else f"key:{self.key_id}"

    def may_use_survey(self, survey_key: str) -> bool:
        """Widget keys may be limited to some surveys; an empty list means all."""
        return not self.survey_keys or survey_key in self.survey_keys

    @property
    def survey_scope(self) -> frozenset[str] | None:
        return self.survey_keys or None


def hash_token(token: str) -> str:
    # Tokens are 256 random bits, so a fast hash is enough: there is nothing to guess.
    return hashlib.sha256(token.encode()).hexdigest()


class KeyService:
    def __init__(self, clock: Clock, cache_seconds: float = 5.0) -> None:
        self.clock = clock
        # Every call authenticates; a revocation reaches other processes within seconds.
        self._cache: TTLCache[str, Principal | None] = TTLCache(maxsize=4096, ttl=cache_seconds)

    async def create(
        self, role: Role, label: str, survey_keys: list[str] | None = None
    ) -> tuple[ApiKey, str]:
        """Create a key and return it with its token. The token is not kept."""
        label = validation.required_text(label, "label")
        keys = [validation.survey_key(key, "survey") for key in survey_keys or []]
        if keys and role is not Role.WIDGET:
            raise ValidationFailed(
                ErrorCode.INVALID_INPUT, "Only widget keys are limited to surveys.", "survey"
            )
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        key = ApiKey(
            token_hash=hash_token(token),
            prefix=token[:10],
            role=role,
            label=label,
            survey_keys=keys,
            created_at=self.clock.now(),
        )
        await key.insert()
        return key, token

    async def authenticate(self, token: str) -> Principal | None:
        if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
            return None
        digest = hash_token(token)
        # One look-up: between a `in` and a read the entry may expire (KeyError).
        found = self._cache.get(digest, _MISSING)
        if found is None or isinstance(found, Principal):
            return found
        key = await ApiKey.find_one(ApiKey.token_hash == digest)
        principal = _principal(key) if key is not None and key.revoked_at is None else None
        self._cache[digest] = principal
        return principal

    async def by_id(self, key_id: str) -> Principal | None:
        """The principal of a key that is not revoked, by its id (cached like tokens)."""
        if not PydanticObjectId.is_valid(key_id):
            return None
        cached = f"id:{key_id}"
        found = self._cache.get(cached, _MISSING)
        if found is None or isinstance(found, Principal):
            return found
        key = await ApiKey.get(PydanticObjectId(key_id))
        principal = _principal(key) if key is not None and key.revoked_at is None else None
        self._cache[cached] = principal
        return principal

    async def list_keys(self) -> list[ApiKey]:
        return await ApiKey.find_all().sort("+created_at").to_list()

    async def revoke(self, key_id_or_prefix: str) -> tuple[ApiKey, bool]:
        """Revoke a key by id or prefix: the key, and whether it was revoked before
        (then nothing changes, its revocation time included)."""
        key: ApiKey | None = None
        if PydanticObjectId.is_valid(key_id_or_prefix):
            key = await ApiKey.get(PydanticObjectId(key_id_or_prefix))
        if key is None:
            matches = await ApiKey.find(ApiKey.prefix == key_id_or_prefix).to_list()
            key = matches[0] if len(matches) == 1 else None
        if key is None:
            raise NotFound("API key")
        already = key.revoked_at is not None
        if not already:
            key.revoked_at = self.clock.now()
            await key.save()
        self._cache.pop(key.token_hash, None)
        self._cache.pop(f"id:{key.id}", None)
        return key, already


def _principal(key: ApiKey) -> Principal:
    return Principal(
        key_id=str(key.id), role=key.role, label=key.label, survey_keys=frozenset(key.survey_keys)
    )
