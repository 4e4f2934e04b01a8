"""Built-in interface strings (buttons, labels, notices) in the languages the pages,
e-mails and the banner support; the survey's own texts come from the survey."""

from __future__ import annotations

import re
from collections.abc import Iterable

DEFAULT_LANGUAGE = "en"

STRINGS: dict[str, dict[str, str]] = {
    "en": {
        "close": "Close",
        "send": "Send",
        "skip": "Skip",
        "decline": "No thanks",
        "score": "Score",
        "survey_opened": "A short survey opened at the bottom of the page. Escape closes it.",
        "NPS_low": "Not at all likely",
        "NPS_high": "Extremely likely",
        "CES_low": "Very difficult",
        "CES_high": "Very easy",
        "CSAT_low": "Very dissatisfied",
        "CSAT_high": "Very satisfied",
        "invalid_title": "This link is not valid",
        "invalid_body": "The link may be incomplete or changed. Nothing was recorded.",
        "expired_title": "This link has expired",
        "expired_body": "Survey links are valid for a limited time. Nothing was recorded.",
        "unavailable_title": "Survey not available",
        "unavailable": "This survey is not available right now. Nothing was recorded.",
        "declined": "Understood. We will not ask you this now.",
        "email_subject": "A quick question about {product}",
        "email_intro": "Choose a score below; one click is enough.",
        "email_opt_out": "Do not send me surveys again",
        "opt_out_title": "Stop surveys",
        "opt_out_body": "Confirm, and we will never again send you surveys or ask for "
        "your feedback.",
        "opt_out_button": "Stop all surveys",
        "opted_out": "Done. You will not receive surveys from us again.",
        "reply_subject": "Re: your feedback about {product}",
        "reply_you_wrote": "You wrote:",
        "reply_footer": "You receive this e-mail because you gave us feedback about {product}. "
        "Answer it to reply to us.",
    },
    "es": {
        "close": "Cerrar",
        "send": "Enviar",
        "skip": "Omitir",
        "decline": "No, gracias",
        "score": "Puntuación",
        "survey_opened": "Se ha abierto una breve encuesta al pie de la página. Escape la cierra.",
        "NPS_low": "Nada probable",
        "NPS_high": "Muy probable",
        "CES_low": "Muy difícil",
        "CES_high": "Muy fácil",
        "CSAT_low": "Muy insatisfecho",
        "CSAT_high": "Muy satisfecho",
        "invalid_title": "Este enlace no es válido",
        "invalid_body": "Puede que el enlace esté incompleto o modificado. No se ha "
        "registrado nada.",
        "expired_title": "Este enlace ha caducado",
        "expired_body": "Los enlaces de encuesta son válidos durante un tiempo limitado. "
        "No se ha registrado nada.",
        "unavailable_title": "Encuesta no disponible",
        "unavailable": "Esta encuesta no está disponible ahora. No se ha registrado nada.",
        "declined": "Entendido. No te lo preguntaremos ahora.",
        "email_subject": "Una pregunta rápida sobre {product}",
        "email_intro": "Elige una puntuación; basta con un clic.",
        "email_opt_out": "No quiero recibir más encuestas",
        "opt_out_title": "Dejar de recibir encuestas",
        "opt_out_body": "Confírmalo y no volveremos a enviarte encuestas ni a pedirte tu opinión.",
        "opt_out_button": "Dejar de recibir encuestas",
        "opted_out": "Hecho. No volverás a recibir encuestas nuestras.",
        "reply_subject": "Re: tu opinión sobre {product}",
        "reply_you_wrote": "Escribiste:",
        "reply_footer": "Recibes este correo porque nos diste tu opinión sobre {product}. "
        "Contéstalo para respondernos.",
    },
    "nb": {
        "close": "Lukk",
        "send": "Send",
        "skip": "Hopp over",
        "decline": "Nei takk",
        "score": "Poeng",
        "survey_opened": "En kort undersøkelse åpnet nederst på siden. Escape lukker den.",
        "NPS_low": "Svært lite sannsynlig",
        "NPS_high": "Svært sannsynlig",
        "CES_low": "Svært vanskelig",
        "CES_high": "Svært enkelt",
        "CSAT_low": "Svært misfornøyd",
        "CSAT_high": "Svært fornøyd",
        "invalid_title": "Denne lenken er ikke gyldig",
        "invalid_body": "Lenken kan være ufullstendig eller endret. Ingenting ble registrert.",
        "expired_title": "Denne lenken har utløpt",
        "expired_body": "Lenker til undersøkelser er gyldige en begrenset tid. "
        "Ingenting ble registrert.",
        "unavailable_title": "Undersøkelsen er ikke tilgjengelig",
        "unavailable": "Denne undersøkelsen er ikke tilgjengelig nå. Ingenting ble registrert.",
        "declined": "Forstått. Vi spør deg ikke om dette nå.",
        "email_subject": "Et raskt spørsmål om {product}",
        "email_intro": "Velg en poengsum nedenfor; ett klikk er nok.",
        "email_opt_out": "Ikke send meg flere undersøkelser",
        "opt_out_title": "Stopp undersøkelser",
        "opt_out_body": "Bekreft, så sender vi deg aldri flere undersøkelser og ber "
        "ikke om tilbakemeldinger igjen.",
        "opt_out_button": "Stopp alle undersøkelser",
        "opted_out": "Ferdig. Du får ikke flere undersøkelser fra oss.",
        "reply_subject": "Sv: tilbakemeldingen din om {product}",
        "reply_you_wrote": "Du skrev:",
        "reply_footer": "Du får denne e-posten fordi du ga oss en tilbakemelding om {product}. "
        "Svar på den for å svare oss.",
    },
    "sv": {
        "close": "Stäng",
        "send": "Skicka",
        "skip": "Hoppa över",
        "decline": "Nej tack",
        "score": "Poäng",
        "survey_opened": "En kort enkät öppnades längst ned på sidan. Escape stänger den.",
        "NPS_low": "Inte alls troligt",
        "NPS_high": "Mycket troligt",
        "CES_low": "Mycket svårt",
        "CES_high": "Mycket enkelt",
        "CSAT_low": "Mycket missnöjd",
        "CSAT_high": "Mycket nöjd",
        "invalid_title": "Den här länken är inte giltig",
        "invalid_body": "Länken kan vara ofullständig eller ändrad. Inget registrerades.",
        "expired_title": "Den här länken har gått ut",
        "expired_body": "Enkätlänkar gäller en begränsad tid. Inget registrerades.",
        "unavailable_title": "Enkäten är inte tillgänglig",
        "unavailable": "Den här enkäten är inte tillgänglig just nu. Inget registrerades.",
        "declined": "Uppfattat. Vi frågar dig inte om det här nu.",
        "email_subject": "En snabb fråga om {product}",
        "email_intro": "Välj ett betyg nedan; ett klick räcker.",
        "email_opt_out": "Skicka inga fler enkäter till mig",
        "opt_out_title": "Stoppa enkäter",
        "opt_out_body": "Bekräfta, så skickar vi aldrig fler enkäter till dig och ber "
        "inte om din åsikt igen.",
        "opt_out_button": "Stoppa alla enkäter",
        "opted_out": "Klart. Du får inga fler enkäter från oss.",
        "reply_subject": "Sv: din återkoppling om {product}",
        "reply_you_wrote": "Du skrev:",
        "reply_footer": "Du får det här mejlet eftersom du gav oss återkoppling om {product}. "
        "Svara på det för att svara oss.",
    },
    "da": {
        "close": "Luk",
        "send": "Send",
        "skip": "Spring over",
        "decline": "Nej tak",
        "score": "Point",
        "survey_opened": "En kort undersøgelse er åbnet nederst på siden. Escape lukker den.",
        "NPS_low": "Slet ikke sandsynligt",
        "NPS_high": "Meget sandsynligt",
        "CES_low": "Meget svært",
        "CES_high": "Meget nemt",
        "CSAT_low": "Meget utilfreds",
        "CSAT_high": "Meget tilfreds",
        "invalid_title": "Dette link er ikke gyldigt",
        "invalid_body": "Linket kan være ufuldstændigt eller ændret. Intet blev registreret.",
        "expired_title": "Dette link er udløbet",
        "expired_body": "Links til undersøgelser gælder i begrænset tid. Intet blev registreret.",
        "unavailable_title": "Undersøgelsen er ikke tilgængelig",
        "unavailable": "Denne undersøgelse er ikke tilgængelig lige nu. Intet blev registreret.",
        "declined": "Forstået. Vi spørger dig ikke om det nu.",
        "email_subject": "Et hurtigt spørgsmål om {product}",
        "email_intro": "Vælg en score nedenfor; ét klik er nok.",
        "email_opt_out": "Send mig ikke flere undersøgelser",
        "opt_out_title": "Stop undersøgelser",
        "opt_out_body": "Bekræft, så sender vi dig aldrig flere undersøgelser og beder "
        "ikke om din mening igen.",
        "opt_out_button": "Stop alle undersøgelser",
        "opted_out": "Færdig. Du modtager ikke flere undersøgelser fra os.",
        "reply_subject": "Sv: din feedback om {product}",
        "reply_you_wrote": "Du skrev:",
        "reply_footer": "Du modtager denne e-mail, fordi du gav os feedback om {product}. "
        "Besvar den for at svare os.",
    },
    "fi": {
        "close": "Sulje",
        "send": "Lähetä",
        "skip": "Ohita",
        "decline": "Ei kiitos",
        "score": "Pisteet",
        "survey_opened": "Lyhyt kysely avautui sivun alareunaan. Esc sulkee sen.",
        "NPS_low": "Erittäin epätodennäköistä",
        "NPS_high": "Erittäin todennäköistä",
        "CES_low": "Erittäin vaikeaa",
        "CES_high": "Erittäin helppoa",
        "CSAT_low": "Erittäin tyytymätön",
        "CSAT_high": "Erittäin tyytyväinen",
        "invalid_title": "Tämä linkki ei ole kelvollinen",
        "invalid_body": "Linkki voi olla puutteellinen tai muutettu. Mitään ei tallennettu.",
        "expired_title": "Tämä linkki on vanhentunut",
        "expired_body": "Kyselylinkit ovat voimassa rajoitetun ajan. Mitään ei tallennettu.",
        "unavailable_title": "Kysely ei ole saatavilla",
        "unavailable": "Tämä kysely ei ole nyt saatavilla. Mitään ei tallennettu.",
        "declined": "Selvä. Emme kysy tätä sinulta nyt.",
        "email_subject": "Lyhyt kysymys: {product}",
        "email_intro": "Valitse pisteet alta; yksi napsautus riittää.",
        "email_opt_out": "Älä lähetä minulle enää kyselyitä",
        "opt_out_title": "Lopeta kyselyt",
        "opt_out_body": "Vahvista, niin emme enää koskaan lähetä sinulle kyselyitä "
        "emmekä pyydä palautettasi.",
        "opt_out_button": "Lopeta kaikki kyselyt",
        "opted_out": "Valmis. Et saa meiltä enää kyselyitä.",
        "reply_subject": "Vs: palautteesi tuotteesta {product}",
        "reply_you_wrote": "Kirjoitit:",
        "reply_footer": "Saat tämän viestin, koska annoit meille palautetta tuotteesta {product}. "
        "Voit vastata meille vastaamalla tähän viestiin.",
    },
    "nl": {
        "close": "Sluiten",
        "send": "Versturen",
        "skip": "Overslaan",
        "decline": "Nee, bedankt",
        "score": "Score",
        "survey_opened": "Onderaan de pagina is een korte enquête geopend. Escape sluit deze.",
        "NPS_low": "Helemaal niet waarschijnlijk",
        "NPS_high": "Zeer waarschijnlijk",
        "CES_low": "Zeer moeilijk",
        "CES_high": "Zeer gemakkelijk",
        "CSAT_low": "Zeer ontevreden",
        "CSAT_high": "Zeer tevreden",
        "invalid_title": "Deze link is niet geldig",
        "invalid_body": "De link is mogelijk onvolledig of gewijzigd. Er is niets vastgelegd.",
        "expired_title": "Deze link is verlopen",
        "expired_body": "Enquêtelinks zijn beperkt geldig. Er is niets vastgelegd.",
        "unavailable_title": "Enquête niet beschikbaar",
        "unavailable": "Deze enquête is nu niet beschikbaar. Er is niets vastgelegd.",
        "declined": "Begrepen. We vragen u dit nu niet.",
        "email_subject": "Een korte vraag over {product}",
        "email_intro": "Kies hieronder een score; één klik is genoeg.",
        "email_opt_out": "Stuur mij geen enquêtes meer",
        "opt_out_title": "Enquêtes stoppen",
        "opt_out_body": "Bevestig, en we sturen u nooit meer enquêtes en vragen niet meer "
        "om uw mening.",
        "opt_out_button": "Alle enquêtes stoppen",
        "opted_out": "Klaar. U ontvangt geen enquêtes meer van ons.",
        "reply_subject": "Re: uw feedback over {product}",
        "reply_you_wrote": "U schreef:",
        "reply_footer": "U ontvangt deze e-mail omdat u ons feedback gaf over {product}. "
        "Beantwoord hem om ons te antwoorden.",
    },
}

# Each language by its own name, for the people choosing or checking one.
LANGUAGE_NAMES = {
    "en": "English",
    "es": "Español",
    "nb": "Norsk bokmål",
    "sv": "Svenska",
    "da": "Dansk",
    "fi": "Suomi",
    "nl": "Nederlands",
}

# Norwegian: "no" and Nynorsk readers get Bokmål rather than English.
ALIASES = {"no": "nb", "nn": "nb"}

WIDGET_KEYS = (
    "close",
    "send",
    "skip",
    "score",
    "survey_opened",
    "NPS_low",
    "NPS_high",
    "CES_low",
    "CES_high",
    "CSAT_low",
    "CSAT_high",
)

_QUALITY = re.compile(r"^q=([0-9.]+)$")


# Languages that write a decimal comma (the others: a decimal point).
DECIMAL_COMMA = frozenset({"es", "nb", "sv", "da", "fi", "nl"})


def decimal(value: float, digits: int, language: str, signed: bool = False) -> str:
    """`value` with `digits` decimals as `language` writes it (`42,5` in Spanish,
    `42.5` in English); with `signed`, a plus sign before a positive value."""
    text = f"{value:+.{digits}f}" if signed else f"{value:.{digits}f}"
    return text.replace(".", ",") if language_of(language) in DECIMAL_COMMA else text


def language_of(locale: str | None) -> str:
    """The supported language for a locale tag (`nb-NO` → `nb`, `no` → `nb`), or English."""
    if not locale:
        return DEFAULT_LANGUAGE
    language = locale.strip().lower().replace("_", "-").split("-")[0]
    language = ALIASES.get(language, language)
    return language if language in STRINGS else DEFAULT_LANGUAGE


def strings(locale: str | None) -> dict[str, str]:
    return STRINGS[language_of(locale)]


def accepted_languages(header: str | None) -> list[str]:
    """The tags of an Accept-Language header, most wanted first."""
    if not header:
        return []
    weighted: list[tuple[float, int, str]] = []
    for index, part in enumerate(header.split(",")):
        tag, *params = (piece.strip() for piece in part.split(";"))
        quality = 1.0
        for param in params:
            match = _QUALITY.match(param)
            if match:
                try:
                    quality = float(match.group(1))
                except ValueError:
                    quality = 0.0
        if tag and tag != "*" and quality > 0:
            weighted.append((-quality, index, tag))
    return [tag for _, _, tag in sorted(weighted)]


def best_locale(available: Iterable[str], wanted: Iterable[str]) -> str | None:
    """The first wanted tag that `available` has, exactly or by language."""
    by_tag = {tag.lower(): tag for tag in available}
    by_language: dict[str, str] = {}
    for tag in by_tag.values():
        language = tag.lower().split("-")[0]
        by_language.setdefault(ALIASES.get(language, language), tag)
    for tag in wanted:
        normal = tag.lower().replace("_", "-")
        if normal in by_tag:
            return by_tag[normal]
        language = normal.split("-")[0]
        language = ALIASES.get(language, language)
        if language in by_language:
            return by_language[language]
    return None
