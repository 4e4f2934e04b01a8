"""Demo data for `make run`: three surveys, the themes of `demo_themes.json`, a few
weeks of answers (with comments in the seven interface languages, tagged with those
themes), and tokens."""

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
from hub.models.privacy import AuditActor, RightsRequestType, VerificationMethod
from hub.models.survey import ContactRules, SurveyStatus, SurveyText
from hub.models.theme import ThemeRule
from hub.services import Services
from hub.services.privacy.audit import SYSTEM
from hub.services.privacy.rights import NewRequest
from hub.services.surveys.surveys import SurveyDraft
from hub.services.themes.catalog import ThemeDraft
from hub.settings import Settings

TOKENS_FILE = "demo-tokens.json"
# The themes measured by the labelled comments of the tests (docs/themes.md, "Quality").
THEMES_FILE = Path(__file__).with_name("demo_themes.json")


@dataclass(frozen=True)
class DemoTokens:
    admin: str
    widget: str
    viewer: str


# Follow-up question and thank-you in each language the demo answers come in.
_FOLLOW_UPS = {
    "en": ("What is the main reason for your score?", "Thank you for your feedback!"),
    "es": ("¿Cuál es el motivo principal de tu puntuación?", "¡Gracias por tus comentarios!"),
    "nb": ("Hva er hovedgrunnen til poengsummen din?", "Takk for tilbakemeldingen!"),
    "sv": ("Vad är den främsta anledningen till ditt betyg?", "Tack för din feedback!"),
    "da": ("Hvad er hovedårsagen til din bedømmelse?", "Tak for din feedback!"),
    "fi": ("Mikä on tärkein syy arvosanaasi?", "Kiitos palautteestasi!"),
    "nl": ("Wat is de belangrijkste reden voor je score?", "Bedankt voor je feedback!"),
}
LANGUAGES = tuple(_FOLLOW_UPS)


def _texts(questions: dict[str, str]) -> list[SurveyText]:
    """A survey's texts in every demo language, its question given per language."""
    return [
        SurveyText(
            locale=locale, question=questions[locale], follow_up=follow_up, thank_you=thank_you
        )
        for locale, (follow_up, thank_you) in _FOLLOW_UPS.items()
    ]


DEMO_SURVEYS = [
    SurveyDraft(
        key="nps-accounting",
        metric=Metric.NPS,
        product="Accounting",
        texts=_texts(
            {
                "en": "How likely are you to recommend Accounting to a colleague?",
                "es": "¿Qué probabilidad hay de que recomiendes Accounting a un colega?",
                "nb": "Hvor sannsynlig er det at du vil anbefale Accounting til en kollega?",
                "sv": "Hur sannolikt är det att du skulle rekommendera Accounting till en kollega?",
                "da": "Hvor sandsynligt er det, at du vil anbefale Accounting til en kollega?",
                "fi": "Kuinka todennäköisesti suosittelisit Accountingia kollegalle?",
                "nl": "Hoe waarschijnlijk is het dat je Accounting aanbeveelt aan een collega?",
            }
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
            {
                "en": "How easy was it to run payroll today?",
                "es": "¿Qué tan fácil fue procesar la nómina hoy?",
                "nb": "Hvor enkelt var det å kjøre lønn i dag?",
                "sv": "Hur enkelt var det att köra lönerna i dag?",
                "da": "Hvor nemt var det at køre løn i dag?",
                "fi": "Kuinka helppoa palkanlaskenta oli tänään?",
                "nl": "Hoe makkelijk was het om vandaag de salarisadministratie te draaien?",
            }
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
            {
                "en": "How satisfied are you with the help you got?",
                "es": "¿Qué tan satisfecho estás con la ayuda que recibiste?",
                "nb": "Hvor fornøyd er du med hjelpen du fikk?",
                "sv": "Hur nöjd är du med hjälpen du fick?",
                "da": "Hvor tilfreds er du med den hjælp, du fik?",
                "fi": "Kuinka tyytyväinen olet saamaasi apuun?",
                "nl": "Hoe tevreden ben je over de hulp die je kreeg?",
            }
        ),
        default_locale="en",
        channels=[Channel.EMAIL, Channel.LINK],
        status=SurveyStatus.ACTIVE,
        contact_rules=ContactRules(days_after_answer=30),
    ),
]

# What the demo people write about, each in every demo language: billing, performance,
# support, usability and pricing, so that themes have something to find. Five, as
# always: the random draws (and so every demo figure) stay as they were.
COMMENTS: list[dict[str, str]] = [
    {
        "en": "I was charged twice on the last invoice.",
        "es": "Me cobraron dos veces en la última factura.",
        "nb": "Jeg ble belastet to ganger på siste faktura.",
        "sv": "Jag debiterades två gånger på senaste fakturan.",
        "da": "Jeg blev opkrævet to gange på den sidste faktura.",
        "fi": "Minua veloitettiin kahdesti viimeisellä laskulla.",
        "nl": "De laatste factuur is twee keer afgeschreven.",
    },
    {
        "en": "Reports are slow at month end.",
        "es": "Los informes van muy lentos a fin de mes.",
        "nb": "Rapportene er trege ved månedsslutt.",
        "sv": "Rapporterna är långsamma vid månadsskiftet.",
        "da": "Rapporterne er langsomme ved månedsafslutning.",
        "fi": "Raportit ovat hitaita kuun lopussa.",
        "nl": "Rapporten zijn traag aan het einde van de maand.",
    },
    {
        "en": "Support answered quickly and solved it.",
        "es": "El soporte respondió rápido y lo resolvió.",
        "nb": "Kundestøtten svarte raskt og løste det.",
        "sv": "Supporten svarade snabbt och löste det.",
        "da": "Supporten svarede hurtigt og løste det.",
        "fi": "Asiakastuki vastasi nopeasti ja ratkaisi asian.",
        "nl": "De klantenservice reageerde snel en loste het op.",
    },
    {
        "en": "I could not find how to export to Excel; the menu is confusing.",
        "es": "No encontré cómo exportar a Excel; el menú es confuso.",
        "nb": "Jeg fant ikke ut hvordan jeg eksporterer til Excel; menyen er forvirrende.",
        "sv": "Jag hittade inte hur man exporterar till Excel; menyn är förvirrande.",
        "da": "Jeg kunne ikke finde ud af at eksportere til Excel; menuen er forvirrende.",
        "fi": "En löytänyt, miten viedä Exceliin; valikko on sekava.",
        "nl": "Ik kon niet vinden hoe ik naar Excel exporteer; het menu is verwarrend.",
    },
    {
        "en": "Works well, but the price went up again this year.",
        "es": "Funciona bien, pero el precio volvió a subir este año.",
        "nb": "Fungerer bra, men prisen har gått opp igjen i år.",
        "sv": "Fungerar bra, men priset har gått upp igen i år.",
        "da": "Virker godt, men prisen er steget igen i år.",
        "fi": "Toimii hyvin, mutta hinta nousi taas tänä vuonna.",
        "nl": "Werkt goed, maar de prijs is dit jaar weer gestegen.",
    },
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
    for theme in demo_themes():
        await services.themes.create(theme)
    await _answers(services)
    await _rights_requests(services)
    # Tagged now rather than by the tagger a moment later, so the demo's theme figures
    # are complete when `make run` announces the hub.
    await services.tagger.drain()
    await services.theme_jobs.run_pending()
    tokens = DemoTokens(
        admin=(await services.keys.create(Role.ADMIN, "demo admin"))[1],
        widget=(await services.keys.create(Role.WIDGET, "demo widget"))[1],
        viewer=(await services.keys.create(Role.VIEWER, "demo viewer"))[1],
    )
    _write_tokens(tokens_path, tokens)
    return tokens


def demo_themes() -> list[ThemeDraft]:
    """The demo's themes: billing, performance, support, usability, pricing and
    delivery, each with a rule in every interface language."""
    defined = json.loads(THEMES_FILE.read_text(encoding="utf-8"))
    return [
        ThemeDraft(
            key=theme["key"],
            name=theme["name"],
            description=theme["description"],
            rules=[ThemeRule(**rule) for rule in theme["rules"]],
        )
        for theme in defined
    ]


def _write_tokens(path: Path, tokens: DemoTokens) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(tokens.__dict__, indent=2))
    os.chmod(path, 0o600)


async def _answers(services: Services, people: int = 60) -> None:
    """A few weeks of answers from made-up people, through the real widget flow, each
    person in one of the demo languages in turn."""
    rng = random.Random(7)  # noqa: S311 - demo data, not security
    now = services.clock.now()
    clock = FrozenClock(now - timedelta(days=60))
    past = Services.build(services.settings, clock)
    for number in range(people):
        clock.set(now - timedelta(days=60) + timedelta(hours=number * 23))
        draft = DEMO_SURVEYS[number % len(DEMO_SURVEYS)]
        language = LANGUAGES[number % len(LANGUAGES)]
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
            display = await past.responses.record_display(
                draft.key, user, channel, context, language
            )
        except DomainError:
            continue
        if rng.random() < 0.15:
            await past.responses.decline(str(display.id))
            continue
        low, high = draft.metric.scale
        response = await past.responses.submit_score(str(display.id), rng.randint(low, high))
        if rng.random() < 0.6:
            await past.responses.submit_comment(str(response.id), rng.choice(COMMENTS)[language])


# Rights requests for the privacy desk: (days ago, type, demo person, filed by an officer
# who checked the identity (the note), or by the person on the public form (None).
DEMO_REQUESTS = [
    (
        20,
        RightsRequestType.ACCESS,
        3,
        "Asked by phone; identity checked against the customer account.",
    ),
    (
        2,
        RightsRequestType.OBJECTION,
        5,
        "Asked in a support ticket from the account's own e-mail address.",
    ),
    (0, RightsRequestType.ERASURE, 8, None),
]
DEMO_OFFICER = AuditActor(role=Role.PRIVACY_OFFICER.value, label="demo privacy officer")


async def _rights_requests(services: Services) -> None:
    """A few rights requests in the states the privacy desk shows: verified by an
    officer and waiting to be executed (one due in ten days), and one filed on the
    public form that waits for its verification link to be opened."""
    now = services.clock.now()
    clock = FrozenClock(now)
    past = Services.build(services.settings, clock)
    for days_ago, kind, number, note in DEMO_REQUESTS:
        clock.set(now - timedelta(days=days_ago))
        new = NewRequest(
            type=kind,
            user_id=f"demo-user-{number}",
            email=f"demo{number}@example.com",
            locale=LANGUAGES[number % len(LANGUAGES)],
        )
        if note is None:
            await past.rights.file(new, SYSTEM, verification=None)
        else:
            await past.rights.file(new, DEMO_OFFICER, VerificationMethod.OTHER_MEANS, note)


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
        f"  Console:        {url}/console",
        f"  GraphiQL:       {url}/graphql",
        f"  Health:         {url}/healthz and {url}/readyz",
    ]
    if tokens is not None:
        lines += [
            "  Demo tokens (send as 'Authorization: Bearer <token>'):",
            f"    admin:  {tokens.admin}",
            f"    widget: {tokens.widget}",
            f"    viewer: {tokens.viewer}",
            "  Sign in to the console with "
            + (
                "Slack (feedback-hub console members add U… --role admin lets you in)."
                if settings.slack_sign_in
                else "one of these tokens (admin sees every section)."
            ),
        ]
    else:
        lines.append("  Create a token with: feedback-hub keys create --role admin --label me")
    lines.append("  Stop with Ctrl-C.")
    print("\n".join(lines), flush=True)
