"""The survey pages' forms: what a posted form asks the API to do, the typed errors the
API answers put back next to the field they name, the contact rules in plain words,
and the banner preview's texts."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from hub import i18n

METRICS = ("NPS", "CES", "CSAT")
CHANNELS = ("IN_APP_WEB", "MOBILE", "EMAIL", "LINK")
STATUSES = ("DRAFT", "ACTIVE", "PAUSED", "ARCHIVED")
TEXT_FIELDS = ("question", "followUp", "thankYou")
# The scale of each metric, as the banner shows it (the API's Survey.scale agrees).
SCALES = {"NPS": (0, 10), "CES": (1, 7), "CSAT": (1, 5)}


@dataclass(frozen=True)
class Rule:
    """One contact rule: its API name, whether blank means off, and its bounds."""

    name: str
    optional: bool = False
    minimum: float = 0
    maximum: float | None = None
    whole: bool = True


RULES = (
    Rule("daysAfterAnswer"),
    Rule("daysAfterDecline"),
    Rule("maxDisplaysWithoutAnswer", minimum=1),
    Rule("minDaysBetweenDisplays"),
    Rule("samplingPercent", maximum=100, whole=False),
    Rule("minLogins", optional=True, minimum=1),
    Rule("minDaysSinceFirstSeen", optional=True, minimum=1),
)
RULE_NAMES = tuple(rule.name for rule in RULES)


class FormProblems(Exception):
    """A form the page sends back with a message next to each field at fault."""

    def __init__(self, status: int, problems: Mapping[str, str]) -> None:
        super().__init__(", ".join(problems))  # field names only: no values
        self.status = status
        self.problems = dict(problems)


def form_field(api_field: str | None) -> str:
    """The form field an API error names: `texts.0.question` → `question`,
    `contactRules.minLogins` → `minLogins`, `input.key` → `key`; `form` when none."""
    return api_field.split(".")[-1] if api_field else "form"


def user_error(result: Mapping[str, Any]) -> FormProblems | None:
    """A mutation's typed error (ValidationError 400, ConflictError 409, NotFoundError
    404) as form problems; None when the mutation did what it was asked."""
    kind = result.get("__typename")
    status = {"ValidationError": 400, "ConflictError": 409, "NotFoundError": 404}.get(str(kind))
    if status is None:
        return None
    return FormProblems(status, {form_field(result.get("field")): str(result["message"])})


def rules_input(form: Mapping[str, str], text: Mapping[str, str]) -> dict[str, Any]:
    """ContactRulesInput from the rules form; a value that is not a number in range is
    a problem of its field, and nothing is sent."""
    rules: dict[str, Any] = {}
    problems: dict[str, str] = {}
    for rule in RULES:
        raw = form.get(rule.name, "").strip().replace(",", ".")
        if raw == "" and rule.optional:
            rules[rule.name] = None
            continue
        try:
            number: float = int(raw) if rule.whole else float(raw)
        except ValueError:
            problems[rule.name] = text["surveys_not_a_number"]
            continue
        if number < rule.minimum or (rule.maximum is not None and number > rule.maximum):
            problems[rule.name] = (
                text["surveys_at_least"].format(low=_number(rule.minimum))
                if rule.maximum is None
                else text["surveys_out_of_range"].format(
                    low=_number(rule.minimum), high=_number(rule.maximum)
                )
            )
            continue
        rules[rule.name] = number
    if problems:
        raise FormProblems(400, problems)
    return rules


def text_input(form: Mapping[str, str]) -> dict[str, str]:
    """SurveyTextInput from a texts form (the API checks and trims the values)."""
    return {"locale": form.get("locale", "").strip()} | {
        name: form.get(name, "") for name in TEXT_FIELDS
    }


def with_text(texts: list[dict[str, str]], new: dict[str, str]) -> list[dict[str, str]]:
    """The survey's texts with `new` replacing the texts of its locale, or added."""
    wanted = new["locale"].lower()
    if all(text["locale"].lower() != wanted for text in texts):
        return [*texts, new]
    return [new if text["locale"].lower() == wanted else text for text in texts]


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def shown_values(rules: Mapping[str, Any]) -> dict[str, str | None]:
    """The saved rules as the form shows them: 100, not 100.0; None when off."""
    return {name: None if value is None else _number(value) for name, value in rules.items()}


def explain(rules: Mapping[str, Any], text: Mapping[str, str]) -> dict[str, str]:
    """Each contact rule in plain words, with its current value."""
    explained: dict[str, str] = {}
    for rule in RULES:
        value = rules.get(rule.name)
        if value is None:
            variant = "off"
        elif value == 0:
            variant = "zero"
        elif value == 1 and f"surveys_explain_{rule.name}_one" in text:
            variant = "one"
        elif rule.name == "samplingPercent" and value >= 100:
            variant = "all"
        else:
            variant = "many"
        key = f"surveys_explain_{rule.name}_{variant}"
        explained[rule.name] = text[key].format(n=_number(value or 0))
    return explained


@dataclass(frozen=True)
class Preview:
    """The banner as a person would see it, in one locale."""

    locale: str
    question: str
    follow_up: str
    thank_you: str
    scores: tuple[int, ...]
    low: str
    high: str
    score_label: str
    decline: str
    send: str
    close: str


def preview(metric: str, texts: Mapping[str, str]) -> Preview:
    """The banner's preview with `texts`; its built-in words (ends of the scale,
    buttons) are the banner's own (hub/i18n.py) for the texts' locale."""
    words = i18n.strings(texts.get("locale") or None)
    metric = metric if metric in SCALES else METRICS[0]
    low, high = SCALES[metric]
    return Preview(
        locale=texts.get("locale", ""),
        question=texts.get("question", ""),
        follow_up=texts.get("followUp", ""),
        thank_you=texts.get("thankYou", ""),
        scores=tuple(range(low, high + 1)),
        low=words[f"{metric}_low"],
        high=words[f"{metric}_high"],
        score_label=words["score"],
        decline=words["decline"],
        send=words["send"],
        close=words["close"],
    )


def scale_ends() -> dict[str, dict[str, Any]]:
    """Each metric's scale and its ends in each of the banner's languages, for the
    script that redraws the preview when the metric or the locale changes."""
    return {
        metric: {
            "scale": list(SCALES[metric]),
            "ends": {
                language: [words[f"{metric}_low"], words[f"{metric}_high"]]
                for language, words in i18n.STRINGS.items()
            },
        }
        for metric in METRICS
    }
