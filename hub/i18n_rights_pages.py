"""The texts of the public rights pages (the request form, the page that confirms a
request, the page that downloads a copy of one's data) in the languages hub/i18n.py
supports; the page's language is the one asked for (`asked_language`), else English.

In English an error shows the service's own message, which names the field at fault;
in the other languages, the text of its code (and field) below."""

from __future__ import annotations

from collections.abc import Iterable

from hub import i18n
from hub.errors import DomainError, ErrorCode

PAGE_STRINGS: dict[str, dict[str, str]] = {
    "en": {
        "title": "Your data-protection rights",
        "download_title": "Your data",
        "intro": "Use this form to exercise your data-protection rights over the feedback "
        "you gave. We will e-mail you a link to confirm that the request is yours.",
        "what": "What do you want?",
        "type_ACCESS": "A copy of the data held about me",
        "type_PORTABILITY": "My answers, to take elsewhere",
        "type_RECTIFICATION": "Correct my data (say what in the message)",
        "type_ERASURE": "Erase my data",
        "type_RESTRICTION": "Restrict the processing of my data",
        "type_OBJECTION": "Object: never survey me again",
        "email": "Your e-mail address",
        "user_id": "Your user id in the product (optional)",
        "message": "Anything we should know (optional)",
        "send": "Send request",
        "sent": "Thank you. We have sent you an e-mail: open the link in it to confirm "
        "your request. We answer within one month.",
        "confirm_intro": "Confirm that you made this data-protection request.",
        "confirm": "Confirm my request",
        "confirmed": "Your request is confirmed. We answer within one month.",
        "download_intro": "Download the copy of your data you asked for. The link works "
        "once: keep the file you download.",
        "download": "Download my data",
        "error_type": "Choose what you want.",
        "error_email": "Give a valid e-mail address.",
        "error_user_id": "The user id is not valid.",
        "error_message": "The message is not valid or is too long.",
        "error_input": "Check what you entered.",
        "link_invalid": "The link is not valid.",
        "link_expired": "The link has expired.",
        "locked": "Too many wrong or expired links; the privacy officer will contact you.",
        "export_gone": "This copy of your data is no longer available: it was downloaded, "
        "has expired, or was withdrawn after a change to the data it held.",
    },
    "es": {
        "title": "Tus derechos de protección de datos",
        "download_title": "Tus datos",
        "intro": "Usa este formulario para ejercer tus derechos de protección de datos sobre "
        "las opiniones que nos diste. Te enviaremos por correo un enlace para confirmar "
        "que la solicitud es tuya.",
        "what": "¿Qué quieres?",
        "type_ACCESS": "Una copia de los datos que tenéis sobre mí",
        "type_PORTABILITY": "Mis respuestas, para llevarlas a otro sitio",
        "type_RECTIFICATION": "Corregir mis datos (di qué en el mensaje)",
        "type_ERASURE": "Suprimir mis datos",
        "type_RESTRICTION": "Limitar el tratamiento de mis datos",
        "type_OBJECTION": "Oponerme: no volver a enviarme encuestas",
        "email": "Tu dirección de correo",
        "user_id": "Tu identificador de usuario en el producto (opcional)",
        "message": "Algo que debamos saber (opcional)",
        "send": "Enviar solicitud",
        "sent": "Gracias. Te hemos enviado un correo: abre el enlace que contiene para "
        "confirmar tu solicitud. Respondemos en el plazo de un mes.",
        "confirm_intro": "Confirma que hiciste esta solicitud de protección de datos.",
        "confirm": "Confirmar mi solicitud",
        "confirmed": "Tu solicitud está confirmada. Respondemos en el plazo de un mes.",
        "download_intro": "Descarga la copia de tus datos que pediste. El enlace funciona una "
        "sola vez: guarda el archivo que descargues.",
        "download": "Descargar mis datos",
        "error_type": "Elige qué quieres.",
        "error_email": "Indica una dirección de correo válida.",
        "error_user_id": "El identificador de usuario no es válido.",
        "error_message": "El mensaje no es válido o es demasiado largo.",
        "error_input": "Revisa lo que has escrito.",
        "link_invalid": "El enlace no es válido.",
        "link_expired": "El enlace ha caducado.",
        "locked": "Demasiados enlaces erróneos o caducados; el delegado de protección de "
        "datos se pondrá en contacto contigo.",
        "export_gone": "Esta copia de tus datos ya no está disponible: se descargó, caducó o "
        "se retiró tras un cambio en los datos que contenía.",
    },
    "nb": {
        "title": "Dine personvernrettigheter",
        "download_title": "Dine data",
        "intro": "Bruk dette skjemaet for å utøve personvernrettighetene dine for "
        "tilbakemeldingene du ga. Vi sender deg en lenke på e-post for å bekrefte at "
        "forespørselen er din.",
        "what": "Hva ønsker du?",
        "type_ACCESS": "En kopi av dataene dere har om meg",
        "type_PORTABILITY": "Svarene mine, for å ta dem med et annet sted",
        "type_RECTIFICATION": "Rette dataene mine (skriv hva i meldingen)",
        "type_ERASURE": "Slette dataene mine",
        "type_RESTRICTION": "Begrense behandlingen av dataene mine",
        "type_OBJECTION": "Protestere: aldri send meg undersøkelser igjen",
        "email": "E-postadressen din",
        "user_id": "Bruker-ID-en din i produktet (valgfritt)",
        "message": "Noe vi bør vite (valgfritt)",
        "send": "Send forespørsel",
        "sent": "Takk. Vi har sendt deg en e-post: åpne lenken i den for å bekrefte "
        "forespørselen. Vi svarer innen en måned.",
        "confirm_intro": "Bekreft at du sendte denne personvernforespørselen.",
        "confirm": "Bekreft forespørselen min",
        "confirmed": "Forespørselen din er bekreftet. Vi svarer innen en måned.",
        "download_intro": "Last ned kopien av dataene dine som du ba om. Lenken virker én "
        "gang: ta vare på filen du laster ned.",
        "download": "Last ned dataene mine",
        "error_type": "Velg hva du ønsker.",
        "error_email": "Oppgi en gyldig e-postadresse.",
        "error_user_id": "Bruker-ID-en er ikke gyldig.",
        "error_message": "Meldingen er ikke gyldig eller er for lang.",
        "error_input": "Sjekk det du skrev inn.",
        "link_invalid": "Lenken er ikke gyldig.",
        "link_expired": "Lenken har utløpt.",
        "locked": "For mange feil eller utløpte lenker; personvernombudet tar kontakt med deg.",
        "export_gone": "Denne kopien av dataene dine er ikke lenger tilgjengelig: den er "
        "lastet ned, har utløpt eller ble trukket tilbake etter en endring i dataene.",
    },
    "sv": {
        "title": "Dina dataskyddsrättigheter",
        "download_title": "Dina uppgifter",
        "intro": "Använd det här formuläret för att utöva dina dataskyddsrättigheter för "
        "den feedback du har lämnat. Vi skickar en länk via e-post så att du kan bekräfta "
        "att begäran är din.",
        "what": "Vad vill du?",
        "type_ACCESS": "En kopia av de uppgifter ni har om mig",
        "type_PORTABILITY": "Mina svar, för att ta dem någon annanstans",
        "type_RECTIFICATION": "Rätta mina uppgifter (skriv vad i meddelandet)",
        "type_ERASURE": "Radera mina uppgifter",
        "type_RESTRICTION": "Begränsa behandlingen av mina uppgifter",
        "type_OBJECTION": "Invända: skicka aldrig enkäter till mig igen",
        "email": "Din e-postadress",
        "user_id": "Ditt användar-id i produkten (valfritt)",
        "message": "Något vi bör veta (valfritt)",
        "send": "Skicka begäran",
        "sent": "Tack. Vi har skickat ett e-postmeddelande till dig: öppna länken i det för "
        "att bekräfta din begäran. Vi svarar inom en månad.",
        "confirm_intro": "Bekräfta att du har gjort den här begäran om dataskydd.",
        "confirm": "Bekräfta min begäran",
        "confirmed": "Din begäran är bekräftad. Vi svarar inom en månad.",
        "download_intro": "Ladda ned kopian av dina uppgifter som du bad om. Länken fungerar "
        "en gång: spara filen du laddar ned.",
        "download": "Ladda ned mina uppgifter",
        "error_type": "Välj vad du vill.",
        "error_email": "Ange en giltig e-postadress.",
        "error_user_id": "Användar-id:t är inte giltigt.",
        "error_message": "Meddelandet är inte giltigt eller är för långt.",
        "error_input": "Kontrollera det du har skrivit.",
        "link_invalid": "Länken är inte giltig.",
        "link_expired": "Länken har gått ut.",
        "locked": "För många felaktiga eller utgångna länkar; dataskyddsombudet kontaktar dig.",
        "export_gone": "Den här kopian av dina uppgifter finns inte längre: den har laddats "
        "ned, har gått ut eller drogs tillbaka efter en ändring av uppgifterna.",
    },
    "da": {
        "title": "Dine rettigheder efter databeskyttelsesreglerne",
        "download_title": "Dine data",
        "intro": "Brug denne formular til at udøve dine rettigheder efter "
        "databeskyttelsesreglerne for den feedback, du har givet. Vi sender dig et link "
        "på e-mail, så du kan bekræfte, at anmodningen er din.",
        "what": "Hvad ønsker du?",
        "type_ACCESS": "En kopi af de data, I har om mig",
        "type_PORTABILITY": "Mine svar, så jeg kan tage dem med andetsteds",
        "type_RECTIFICATION": "Ret mine data (skriv hvad i beskeden)",
        "type_ERASURE": "Slet mine data",
        "type_RESTRICTION": "Begræns behandlingen af mine data",
        "type_OBJECTION": "Gør indsigelse: send mig aldrig undersøgelser igen",
        "email": "Din e-mailadresse",
        "user_id": "Dit bruger-id i produktet (valgfrit)",
        "message": "Noget, vi bør vide (valgfrit)",
        "send": "Send anmodning",
        "sent": "Tak. Vi har sendt dig en e-mail: åbn linket i den for at bekræfte din "
        "anmodning. Vi svarer inden for en måned.",
        "confirm_intro": "Bekræft, at du har sendt denne anmodning om databeskyttelse.",
        "confirm": "Bekræft min anmodning",
        "confirmed": "Din anmodning er bekræftet. Vi svarer inden for en måned.",
        "download_intro": "Hent den kopi af dine data, du bad om. Linket virker én gang: "
        "gem den fil, du henter.",
        "download": "Hent mine data",
        "error_type": "Vælg, hvad du ønsker.",
        "error_email": "Angiv en gyldig e-mailadresse.",
        "error_user_id": "Bruger-id'et er ikke gyldigt.",
        "error_message": "Beskeden er ikke gyldig eller er for lang.",
        "error_input": "Tjek det, du har skrevet.",
        "link_invalid": "Linket er ikke gyldigt.",
        "link_expired": "Linket er udløbet.",
        "locked": "For mange forkerte eller udløbne links; databeskyttelsesrådgiveren "
        "kontakter dig.",
        "export_gone": "Denne kopi af dine data er ikke længere tilgængelig: den er hentet, "
        "er udløbet eller blev trukket tilbage efter en ændring af dataene.",
    },
    "fi": {
        "title": "Tietosuojaoikeutesi",
        "download_title": "Tietosi",
        "intro": "Käytä tätä lomaketta tietosuojaoikeuksiesi käyttämiseen antamasi palautteen "
        "osalta. Lähetämme sinulle sähköpostitse linkin, jolla vahvistat, että pyyntö on "
        "sinun.",
        "what": "Mitä haluat?",
        "type_ACCESS": "Kopion minusta säilytetyistä tiedoista",
        "type_PORTABILITY": "Vastaukseni, siirrettäväksi muualle",
        "type_RECTIFICATION": "Tietojeni korjaamisen (kerro viestissä mitä)",
        "type_ERASURE": "Tietojeni poistamisen",
        "type_RESTRICTION": "Tietojeni käsittelyn rajoittamisen",
        "type_OBJECTION": "Vastustan: älkää lähettäkö minulle kyselyitä enää",
        "email": "Sähköpostiosoitteesi",
        "user_id": "Käyttäjätunnuksesi tuotteessa (valinnainen)",
        "message": "Jotain, mitä meidän pitäisi tietää (valinnainen)",
        "send": "Lähetä pyyntö",
        "sent": "Kiitos. Lähetimme sinulle sähköpostin: avaa siinä oleva linkki "
        "vahvistaaksesi pyyntösi. Vastaamme kuukauden kuluessa.",
        "confirm_intro": "Vahvista, että teit tämän tietosuojapyynnön.",
        "confirm": "Vahvista pyyntöni",
        "confirmed": "Pyyntösi on vahvistettu. Vastaamme kuukauden kuluessa.",
        "download_intro": "Lataa pyytämäsi kopio tiedoistasi. Linkki toimii kerran: säilytä "
        "lataamasi tiedosto.",
        "download": "Lataa tietoni",
        "error_type": "Valitse, mitä haluat.",
        "error_email": "Anna kelvollinen sähköpostiosoite.",
        "error_user_id": "Käyttäjätunnus ei kelpaa.",
        "error_message": "Viesti ei kelpaa tai se on liian pitkä.",
        "error_input": "Tarkista antamasi tiedot.",
        "link_invalid": "Linkki ei kelpaa.",
        "link_expired": "Linkki on vanhentunut.",
        "locked": "Liian monta väärää tai vanhentunutta linkkiä; tietosuojavastaava ottaa "
        "sinuun yhteyttä.",
        "export_gone": "Tämä kopio tiedoistasi ei ole enää saatavilla: se on ladattu, se on "
        "vanhentunut tai se peruttiin tietoihin tehdyn muutoksen jälkeen.",
    },
    "nl": {
        "title": "Uw rechten op gegevensbescherming",
        "download_title": "Uw gegevens",
        "intro": "Gebruik dit formulier om uw rechten op gegevensbescherming uit te oefenen "
        "voor de feedback die u gaf. We sturen u per e-mail een link om te bevestigen dat "
        "het verzoek van u komt.",
        "what": "Wat wilt u?",
        "type_ACCESS": "Een kopie van de gegevens die u over mij hebt",
        "type_PORTABILITY": "Mijn antwoorden, om elders mee te nemen",
        "type_RECTIFICATION": "Mijn gegevens corrigeren (zeg wat in het bericht)",
        "type_ERASURE": "Mijn gegevens wissen",
        "type_RESTRICTION": "De verwerking van mijn gegevens beperken",
        "type_OBJECTION": "Bezwaar: stuur mij nooit meer enquêtes",
        "email": "Uw e-mailadres",
        "user_id": "Uw gebruikers-id in het product (optioneel)",
        "message": "Iets wat we moeten weten (optioneel)",
        "send": "Verzoek versturen",
        "sent": "Dank u. We hebben u een e-mail gestuurd: open de link erin om uw verzoek te "
        "bevestigen. We antwoorden binnen een maand.",
        "confirm_intro": "Bevestig dat u dit verzoek over gegevensbescherming hebt gedaan.",
        "confirm": "Mijn verzoek bevestigen",
        "confirmed": "Uw verzoek is bevestigd. We antwoorden binnen een maand.",
        "download_intro": "Download de kopie van uw gegevens waarom u vroeg. De link werkt "
        "één keer: bewaar het bestand dat u downloadt.",
        "download": "Mijn gegevens downloaden",
        "error_type": "Kies wat u wilt.",
        "error_email": "Geef een geldig e-mailadres op.",
        "error_user_id": "De gebruikers-id is niet geldig.",
        "error_message": "Het bericht is niet geldig of te lang.",
        "error_input": "Controleer wat u hebt ingevuld.",
        "link_invalid": "De link is niet geldig.",
        "link_expired": "De link is verlopen.",
        "locked": "Te veel verkeerde of verlopen links; de functionaris voor "
        "gegevensbescherming neemt contact met u op.",
        "export_gone": "Deze kopie van uw gegevens is niet meer beschikbaar: ze is "
        "gedownload, verlopen of ingetrokken na een wijziging van de gegevens.",
    },
}

# The text of an error by its code, or by the field it names for INVALID_INPUT.
_BY_CODE = {
    ErrorCode.LINK_INVALID: "link_invalid",
    ErrorCode.LINK_EXPIRED: "link_expired",
    ErrorCode.VERIFICATION_LOCKED: "locked",
    ErrorCode.EXPORT_GONE: "export_gone",
}
_BY_FIELD = {"email": "error_email", "user_id": "error_user_id", "userId": "error_user_id"}


def asked_language(chosen: str | None, accept_language: str | None) -> str | None:
    """The language asked for: `chosen` (a `lang` parameter or the form's hidden
    field) when the pages speak it, else the browser's most wanted one that they
    speak; None when neither is."""
    wanted: Iterable[str] = [chosen] if chosen else []
    return i18n.best_locale(PAGE_STRINGS, [*wanted, *i18n.accepted_languages(accept_language)])


def page_strings(language: str) -> dict[str, str]:
    return PAGE_STRINGS.get(language, PAGE_STRINGS[i18n.DEFAULT_LANGUAGE])


def error_text(language: str, error: DomainError) -> str:
    """What a page says of `error`: in English the service's message, else the text of
    its code or field."""
    if language == i18n.DEFAULT_LANGUAGE:
        return error.message
    texts = page_strings(language)
    key = _BY_CODE.get(error.code)
    if key is None and error.field is not None:
        key = "error_message" if error.field.startswith("message") else _BY_FIELD.get(error.field)
    return texts[key or "error_input"]
