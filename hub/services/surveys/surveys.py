"""Survey management: create, update, change status, look up."""

from __future__ import annotations

from dataclasses import dataclass, field

from cachetools import TTLCache
from pydantic import ValidationError

from hub.clock import Clock
from hub.errors import Conflict, ErrorCode, NotFound, ValidationFailed
from hub.models.common import Channel, Metric
from hub.models.survey import ContactRules, Survey, SurveyStatus, SurveyText
from hub.services.platform import validation

MAX_TEXT_LENGTH = 1000
# Keys a survey may not take: `/console/surveys/new` is the new-survey form.
RESERVED_KEYS = frozenset({"new"})


@dataclass
class SurveyDraft:
    """What an admin sends to create a survey, or to replace parts of one."""

    key: str
    metric: Metric
    product: str
    texts: list[SurveyText]
    default_locale: str
    channels: list[Channel]
    contact_rules: ContactRules = field(default_factory=ContactRules)
    status: SurveyStatus = SurveyStatus.DRAFT


@dataclass
class SurveyChanges:
    product: str | None = None
    texts: list[SurveyText] | None = None
    default_locale: str | None = None
    channels: list[Channel] | None = None
    contact_rules: ContactRules | None = None


def _clean_texts(texts: list[SurveyText], default_locale: str) -> tuple[list[SurveyText], str]:
    if not texts:
        raise ValidationFailed(ErrorCode.INVALID_INPUT, "A survey needs texts.", "texts")
    cleaned: list[SurveyText] = []
    seen: set[str] = set()
    for index, text in enumerate(texts):
        where = f"texts.{index}"
        tag = validation.locale(text.locale, f"{where}.locale")
        if tag.lower() in seen:
            raise ValidationFailed(
                ErrorCode.INVALID_INPUT, "Each locale may have one set of texts.", f"{where}.locale"
            )
        seen.add(tag.lower())
        cleaned.append(
            SurveyText(
                locale=tag,
                question=validation.required_text(
                    text.question, f"{where}.question", MAX_TEXT_LENGTH
                ),
                follow_up=validation.required_text(
                    text.follow_up, f"{where}.followUp", MAX_TEXT_LENGTH
                ),
                thank_you=validation.required_text(
                    text.thank_you, f"{where}.thankYou", MAX_TEXT_LENGTH
                ),
            )
        )
    default = validation.locale(default_locale, "defaultLocale")
    if default.lower() not in seen:
        raise ValidationFailed(
            ErrorCode.INVALID_INPUT, "The default locale must have texts.", "defaultLocale"
        )
    return cleaned, default


def _check_channels(channels: list[Channel]) -> list[Channel]:
    if not channels:
        raise ValidationFailed(
            ErrorCode.INVALID_INPUT, "A survey needs at least one channel.", "channels"
        )
    return list(dict.fromkeys(channels))


def _check_rules(rules: ContactRules) -> ContactRules:
    try:
        return ContactRules.model_validate(rules.model_dump())
    except ValidationError as error:
        first = error.errors()[0]
        head, *rest = str(first["loc"][0]).split("_")
        name = head + "".join(part.title() for part in rest)
        raise ValidationFailed(
            ErrorCode.INVALID_INPUT, f"Contact rule {name} is out of range.", f"contactRules.{name}"
        ) from None


class SurveyService:
    def __init__(self, clock: Clock, cache_seconds: float = 5.0) -> None:
        self.clock = clock
        # The widget reads a survey on every call; surveys change rarely. A change made
        # in this process is seen at once, one made by another process within seconds.
        self._cache: TTLCache[str, Survey | None] = TTLCache(maxsize=1024, ttl=cache_seconds)

    async def create(self, draft: SurveyDraft) -> Survey:
        key = validation.survey_key(draft.key.strip())
        if key in RESERVED_KEYS:
            raise ValidationFailed(
                ErrorCode.INVALID_INPUT,
                f"The key '{key}' is the console's address of the new-survey form; choose another.",
                "key",
            )
        texts, default_locale = _clean_texts(draft.texts, draft.default_locale)
        now = self.clock.now()
        survey = Survey(
            key=key,
            metric=draft.metric,
            product=validation.required_text(draft.product, "product"),
            texts=texts,
            default_locale=default_locale,
            channels=_check_channels(draft.channels),
            status=draft.status,
            contact_rules=_check_rules(draft.contact_rules),
            created_at=now,
            updated_at=now,
        )
        if await Survey.find_one(Survey.key == key) is not None:
            raise Conflict(ErrorCode.DUPLICATE_KEY, "A survey with this key exists.", "key")
        await survey.insert()
        self._cache.pop(key, None)
        return survey

    async def update(self, key: str, changes: SurveyChanges) -> Survey:
        survey = await self._fresh(key)
        if changes.product is not None:
            survey.product = validation.required_text(changes.product, "product")
        if changes.texts is not None or changes.default_locale is not None:
            survey.texts, survey.default_locale = _clean_texts(
                changes.texts if changes.texts is not None else survey.texts,
                changes.default_locale or survey.default_locale,
            )
        if changes.channels is not None:
            survey.channels = _check_channels(changes.channels)
        if changes.contact_rules is not None:
            survey.contact_rules = _check_rules(changes.contact_rules)
        survey.updated_at = self.clock.now()
        await survey.save()
        self._cache.pop(survey.key, None)
        return survey

    async def set_status(self, key: str, status: SurveyStatus) -> Survey:
        survey = await self._fresh(key)
        if survey.status is SurveyStatus.ARCHIVED and status is not SurveyStatus.ARCHIVED:
            raise Conflict(
                ErrorCode.INVALID_TRANSITION, "An archived survey cannot be reopened.", "status"
            )
        survey.status = status
        survey.updated_at = self.clock.now()
        await survey.save()
        self._cache.pop(survey.key, None)
        return survey

    async def find(self, key: str) -> Survey | None:
        cached = self._cache.get(key)  # one look-up: an entry may expire between two
        if cached is not None:
            return cached
        survey = await Survey.find_one(Survey.key == key)
        if survey is not None:  # an unknown key is not cached: it may be created soon
            self._cache[key] = survey
        return survey

    async def _fresh(self, key: str) -> Survey:
        """Read from the database, not the cache: the copy is about to be changed."""
        survey = await Survey.find_one(Survey.key == key)
        if survey is None:
            raise NotFound("Survey", "key")
        return survey

    async def get(self, key: str) -> Survey:
        survey = await self.find(key)
        if survey is None:
            raise NotFound("Survey", "key")
        return survey

    async def list_surveys(
        self, status: SurveyStatus | None = None, keys: frozenset[str] | None = None
    ) -> list[Survey]:
        query: dict[str, object] = {}
        if status is not None:
            query["status"] = status.value
        if keys is not None:
            query["key"] = {"$in": sorted(keys)}
        return await Survey.find(query).sort("+key").to_list()

    async def by_keys(self, keys: list[str]) -> list[Survey | None]:
        """Surveys in the order of `keys`, None where one does not exist (DataLoader)."""
        found = await Survey.find({"key": {"$in": list(set(keys))}}).to_list()
        by_key = {survey.key: survey for survey in found}
        return [by_key.get(key) for key in keys]
