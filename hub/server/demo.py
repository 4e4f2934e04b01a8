"""Demo data for `make run`: three surveys, a few weeks of answers, and tokens."""

from __future__ import annotations

import json
import os
import random
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from hub.clock import FrozenClock
from hub.errors import DomainError
from hub.models.activity import DisplayContext
from hub.models.common import Channel, Metric, Role, UserIdentity
from hub.models.survey import ContactRules, SurveyStatus, SurveyText
from hub.services import Services
from hub.services.surveys.surveys import SurveyDraft
from hub.settings import Settings

TOKENS_FILE = "demo-tokens.json"


@dataclass(frozen=True)
class DemoTokens:
    admin: str
    widget: str
    viewer: str


def _texts(question: str, question_es: str) -> list[SurveyText]:
    return [
        SurveyText(
            locale="en",
            question=question,
            follow_up="What is the main reason for your score?",
            thank_you="Thank you for your feedback!",
        ),
        SurveyText(
            locale="es",
            question=question_es,
            follow_up="¿Cuál es el motivo principal de tu puntuación?",
            thank_you="¡Gracias por tus comentarios!",
        ),
    ]


DEMO_SURVEYS = [
    SurveyDraft(
        key="nps-accounting",
        metric=Metric.NPS,
        product="Accounting",
        texts=_texts(
            "How likely are you to recommend Accounting to a colleague?",
            "¿Qué probabilidad hay de que recomiendes Accounting a un colega?",
        ),
        default_locale="en",
        channels=[Channel.IN_APP_WEB, Channel.MOBILE, Channel.EMAIL, Channel.LINK],
        status=SurveyStatus.ACTIVE,
    ),
    SurveyDraft(
        key="ces-payroll",
        metric=Metric.CES,
        product="Payroll",
        texts=_texts(
            "How easy was it to run payroll today?",
            "¿Qué tan fácil fue procesar la nómina hoy?",
        ),
        default_locale="en",
        channels=[Channel.IN_APP_WEB, Channel.MOBILE],
        status=SurveyStatus.ACTIVE,
    ),
    SurveyDraft(
        key="csat-support",
        metric=Metric.CSAT,
        product="Support",
        texts=_texts(
            "How satisfied are you with the help you got?",
            "¿Qué tan satisfecho estás con la ayuda que recibiste?",
        ),
        default_locale="en",
        channels=[Channel.EMAIL, Channel.LINK],
        status=SurveyStatus.ACTIVE,
        contact_rules=ContactRules(days_after_answer=30),
    ),
]

COMMENTS = [
    "The new invoice screen saves me a lot of time.",
    "Reports are slow at month end.",
    "Support answered quickly and solved it.",
    "I could not find how to export to Excel.",
    "Works well, but the mobile app logs me out too often.",
]
COUNTRIES = ["NO", "SE", "DK", "FI", "NL", "ES"]


async def load(services: Services, data_dir: Path) -> DemoTokens | None:
    """Create demo surveys, answers and tokens if the database has no survey yet.
    Returns the tokens (created now, or read from the data folder)."""
    tokens_path = data_dir / TOKENS_FILE
    if await services.surveys.list_surveys():
        return _read_tokens(tokens_path)
    for draft in DEMO_SURVEYS:
        await services.surveys.create(draft)
    await _answers(services)
    tokens = DemoTokens(
        admin=(await services.keys.create(Role.ADMIN, "demo admin"))[1],
        widget=(await services.keys.create(Role.WIDGET, "demo widget"))[1],
        viewer=(await services.keys.create(Role.VIEWER, "demo viewer"))[1],
    )
    _write_tokens(tokens_path, tokens)
    return tokens


def _write_tokens(path: Path, tokens: DemoTokens) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(tokens.__dict__, indent=2))
    os.chmod(path, 0o600)


async def _answers(services: Services, people: int = 60) -> None:
    """A few weeks of answers from made-up people, through the real widget flow."""
    rng = random.Random(7)  # noqa: S311 - demo data, not security
    now = services.clock.now()
    clock = FrozenClock(now - timedelta(days=60))
    past = Services.build(services.settings, clock)
    for number in range(people):
        clock.set(now - timedelta(days=60) + timedelta(hours=number * 23))
        draft = DEMO_SURVEYS[number % len(DEMO_SURVEYS)]
        channel = draft.channels[0]
        user = UserIdentity(
            id=f"demo-user-{number}",
            username=f"demo{number}",
            email=f"demo{number}@example.com",
        )
        context = DisplayContext(
            company=f"Demo Company {number % 7}", country=rng.choice(COUNTRIES)
        )
        try:
            display = await past.responses.record_display(draft.key, user, channel, context, "en")
        except DomainError:
            continue
        if rng.random() < 0.15:
            await past.responses.decline(str(display.id))
            continue
        low, high = draft.metric.scale
        response = await past.responses.submit_score(str(display.id), rng.randint(low, high))
        if rng.random() < 0.6:
            await past.responses.submit_comment(str(response.id), rng.choice(COMMENTS))


def _read_tokens(path: Path) -> DemoTokens | None:
    try:
        return DemoTokens(**json.loads(path.read_text()))
    except (OSError, ValueError, TypeError):
        return None


def announce(settings: Settings, tokens: DemoTokens | None) -> None:
    url = settings.resolved_public_url()
    lines = [
        "",
        "feedback-hub is running.",
        f"  GraphiQL:       {url}/graphql",
        f"  Health:         {url}/healthz and {url}/readyz",
    ]
    if tokens is not None:
        lines += [
            "  Demo tokens (send as 'Authorization: Bearer <token>'):",
            f"    admin:  {tokens.admin}",
            f"    widget: {tokens.widget}",
            f"    viewer: {tokens.viewer}",
        ]
    else:
        lines.append("  Create a token with: feedback-hub keys create --role admin --label me")
    lines.append("  Stop with Ctrl-C.")
    print("\n".join(lines), flush=True)
