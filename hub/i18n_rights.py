"""The texts of the messages a rights request sends to the person it is about, in the
languages hub/i18n.py supports (the language is chosen by `i18n.language_of`).

Placeholders: {type} the right exercised, {received} and {due} dates, {expires} when
a download link stops working, {hours} how long a verification link works, {form} the
public request form, {reference} the request's id. Dates are ISO dates, read the same
in every language."""

from __future__ import annotations

from hub import i18n

MESSAGE_STRINGS: dict[str, dict[str, str]] = {
    "en": {
        "subject_VERIFICATION": "Confirm your data-protection request",
        "verification": "We received a data-protection request for this e-mail address: "
        "{type}. To confirm that it was you, open this link within {hours} hours:",
        "verification_ignore": "If you did not make this request, ignore this e-mail; "
        "nothing will be done.",
        "subject_RECEIPT": "We received your data-protection request",
        "subject_EXTENSION": "We need more time for your data-protection request",
        "subject_COMPLETION": "Your data-protection request is done",
        "subject_REJECTION": "Your data-protection request was declined",
        "subject_RESTRICTION_LIFT_NOTICE": "The restriction of your data will be lifted",
        "hello": "Hello,",
        "type_ACCESS": "a copy of your data (access)",
        "type_PORTABILITY": "your data to take elsewhere (portability)",
        "type_ERASURE": "erasure of your data",
        "type_RECTIFICATION": "correction of your data (rectification)",
        "type_RESTRICTION": "restriction of the processing of your data",
        "type_OBJECTION": "objection to the processing of your data",
        "receipt": "We received your request on {received}: {type}. We will answer by "
        "{due} at the latest.",
        "extension": "We need more time to answer your request: {type}. We will answer "
        "by {due} at the latest. The reason:",
        "completion": "We have carried out your request: {type}.",
        "done_ACCESS": "Download a copy of your data here; the link works until {expires}:",
        "done_PORTABILITY": "Download your answers here, in a format you can take "
        "elsewhere; the link works until {expires}:",
        "done_ERASURE": "Your data has been erased. We keep only a keyed fingerprint of "
        "your identity, so that you are never surveyed again.",
        "done_OBJECTION": "We no longer process your data: you will not be surveyed "
        "again, and the data we held about you has been anonymised.",
        "done_RECTIFICATION": "Your data has been corrected.",
        "done_RESTRICTION": "Your data is kept but no longer processed. We will tell you "
        "before the restriction is lifted.",
        "rejection": "We cannot carry out your request: {type}. The reason:",
        "complaint": "If you disagree, you can lodge a complaint with a data-protection "
        "supervisory authority and seek a judicial remedy.",
        "lift_notice": "You asked us on {received} to restrict the processing of your "
        "data. We will lift this restriction; after that, your data will be processed "
        "again as our privacy statement describes.",
        "lift_object": "If you do not want this, you can object here: {form}",
        "reference": "Reference: {reference}",
    },
    "es": {
        "subject_VERIFICATION": "Confirma tu solicitud de protección de datos",
        "verification": "Hemos recibido una solicitud de protección de datos para esta "
        "dirección de correo: {type}. Para confirmar que fuiste tú, abre este enlace en "
        "las próximas {hours} horas:",
        "verification_ignore": "Si no hiciste esta solicitud, ignora este correo; no se hará nada.",
        "subject_RECEIPT": "Hemos recibido tu solicitud de protección de datos",
        "subject_EXTENSION": "Necesitamos más tiempo para tu solicitud de protección de datos",
        "subject_COMPLETION": "Tu solicitud de protección de datos está resuelta",
        "subject_REJECTION": "Tu solicitud de protección de datos ha sido denegada",
        "subject_RESTRICTION_LIFT_NOTICE": "Se va a levantar la limitación de tus datos",
        "hello": "Hola:",
        "type_ACCESS": "una copia de tus datos (acceso)",
        "type_PORTABILITY": "tus datos para llevarlos a otro sitio (portabilidad)",
        "type_ERASURE": "la supresión de tus datos",
        "type_RECTIFICATION": "la corrección de tus datos (rectificación)",
        "type_RESTRICTION": "la limitación del tratamiento de tus datos",
        "type_OBJECTION": "la oposición al tratamiento de tus datos",
        "receipt": "Hemos recibido tu solicitud el {received}: {type}. Te responderemos "
        "como muy tarde el {due}.",
        "extension": "Necesitamos más tiempo para responder a tu solicitud: {type}. Te "
        "responderemos como muy tarde el {due}. El motivo:",
        "completion": "Hemos atendido tu solicitud: {type}.",
        "done_ACCESS": "Descarga aquí una copia de tus datos; el enlace funciona hasta {expires}:",
        "done_PORTABILITY": "Descarga aquí tus respuestas, en un formato que puedes "
        "llevar a otro sitio; el enlace funciona hasta {expires}:",
        "done_ERASURE": "Tus datos han sido suprimidos. Solo conservamos una huella "
        "cifrada de tu identidad, para no volver a enviarte encuestas.",
        "done_OBJECTION": "Ya no tratamos tus datos: no volverás a recibir encuestas y "
        "los datos que teníamos sobre ti se han anonimizado.",
        "done_RECTIFICATION": "Tus datos han sido corregidos.",
        "done_RESTRICTION": "Conservamos tus datos, pero ya no los tratamos. Te avisaremos "
        "antes de levantar la limitación.",
        "rejection": "No podemos atender tu solicitud: {type}. El motivo:",
        "complaint": "Si no estás de acuerdo, puedes presentar una reclamación ante una "
        "autoridad de control de protección de datos y acudir a los tribunales.",
        "lift_notice": "El {received} nos pediste limitar el tratamiento de tus datos. "
        "Vamos a levantar esta limitación; después, tus datos se tratarán de nuevo como "
        "describe nuestra política de privacidad.",
        "lift_object": "Si no lo deseas, puedes oponerte aquí: {form}",
        "reference": "Referencia: {reference}",
    },
    "nb": {
        "subject_VERIFICATION": "Bekreft personvernforespørselen din",
        "verification": "Vi har mottatt en personvernforespørsel for denne e-postadressen: "
        "{type}. Åpne denne lenken innen {hours} timer for å bekrefte at det var deg:",
        "verification_ignore": "Hvis du ikke sendte denne forespørselen, kan du se bort "
        "fra denne e-posten; ingenting blir gjort.",
        "subject_RECEIPT": "Vi har mottatt personvernforespørselen din",
        "subject_EXTENSION": "Vi trenger mer tid til personvernforespørselen din",
        "subject_COMPLETION": "Personvernforespørselen din er behandlet",
        "subject_REJECTION": "Personvernforespørselen din er avslått",
        "subject_RESTRICTION_LIFT_NOTICE": "Begrensningen av dataene dine blir opphevet",
        "hello": "Hei,",
        "type_ACCESS": "en kopi av dataene dine (innsyn)",
        "type_PORTABILITY": "dataene dine til å ta med andre steder (dataportabilitet)",
        "type_ERASURE": "sletting av dataene dine",
        "type_RECTIFICATION": "retting av dataene dine",
        "type_RESTRICTION": "begrensning av behandlingen av dataene dine",
        "type_OBJECTION": "innsigelse mot behandlingen av dataene dine",
        "receipt": "Vi mottok forespørselen din {received}: {type}. Vi svarer senest {due}.",
        "extension": "Vi trenger mer tid til å svare på forespørselen din: {type}. Vi "
        "svarer senest {due}. Begrunnelsen:",
        "completion": "Vi har gjennomført forespørselen din: {type}.",
        "done_ACCESS": "Last ned en kopi av dataene dine her; lenken virker til {expires}:",
        "done_PORTABILITY": "Last ned svarene dine her, i et format du kan ta med deg; "
        "lenken virker til {expires}:",
        "done_ERASURE": "Dataene dine er slettet. Vi beholder bare et nøkkelbasert "
        "fingeravtrykk av identiteten din, slik at du aldri får undersøkelser igjen.",
        "done_OBJECTION": "Vi behandler ikke lenger dataene dine: du får ikke flere "
        "undersøkelser, og dataene vi hadde om deg, er anonymisert.",
        "done_RECTIFICATION": "Dataene dine er rettet.",
        "done_RESTRICTION": "Dataene dine beholdes, men behandles ikke lenger. Vi gir deg "
        "beskjed før begrensningen oppheves.",
        "rejection": "Vi kan ikke gjennomføre forespørselen din: {type}. Begrunnelsen:",
        "complaint": "Er du uenig, kan du klage til en tilsynsmyndighet for personvern "
        "og bringe saken inn for domstolene.",
        "lift_notice": "{received} ba du oss begrense behandlingen av dataene dine. Vi "
        "kommer til å oppheve begrensningen; deretter behandles dataene dine igjen slik "
        "personvernerklæringen vår beskriver.",
        "lift_object": "Hvis du ikke ønsker dette, kan du protestere her: {form}",
        "reference": "Referanse: {reference}",
    },
    "sv": {
        "subject_VERIFICATION": "Bekräfta din begäran om dataskydd",
        "verification": "Vi har tagit emot en begäran om dataskydd för den här "
        "e-postadressen: {type}. Öppna den här länken inom {hours} timmar för att "
        "bekräfta att det var du:",
        "verification_ignore": "Om du inte gjorde den här begäran kan du bortse från "
        "det här meddelandet; inget kommer att göras.",
        "subject_RECEIPT": "Vi har tagit emot din begäran om dataskydd",
        "subject_EXTENSION": "Vi behöver mer tid för din begäran om dataskydd",
        "subject_COMPLETION": "Din begäran om dataskydd är klar",
        "subject_REJECTION": "Din begäran om dataskydd har avslagits",
        "subject_RESTRICTION_LIFT_NOTICE": "Begränsningen av dina uppgifter kommer att hävas",
        "hello": "Hej,",
        "type_ACCESS": "en kopia av dina uppgifter (tillgång)",
        "type_PORTABILITY": "dina uppgifter att ta med någon annanstans (dataportabilitet)",
        "type_ERASURE": "radering av dina uppgifter",
        "type_RECTIFICATION": "rättelse av dina uppgifter",
        "type_RESTRICTION": "begränsning av behandlingen av dina uppgifter",
        "type_OBJECTION": "invändning mot behandlingen av dina uppgifter",
        "receipt": "Vi tog emot din begäran {received}: {type}. Vi svarar senast {due}.",
        "extension": "Vi behöver mer tid för att svara på din begäran: {type}. Vi svarar "
        "senast {due}. Skälet:",
        "completion": "Vi har genomfört din begäran: {type}.",
        "done_ACCESS": "Ladda ned en kopia av dina uppgifter här; länken fungerar till {expires}:",
        "done_PORTABILITY": "Ladda ned dina svar här, i ett format du kan ta med dig; "
        "länken fungerar till {expires}:",
        "done_ERASURE": "Dina uppgifter har raderats. Vi sparar bara ett nyckelbaserat "
        "fingeravtryck av din identitet, så att du aldrig får enkäter igen.",
        "done_OBJECTION": "Vi behandlar inte längre dina uppgifter: du får inga fler "
        "enkäter, och uppgifterna vi hade om dig har anonymiserats.",
        "done_RECTIFICATION": "Dina uppgifter har rättats.",
        "done_RESTRICTION": "Dina uppgifter sparas men behandlas inte längre. Vi meddelar "
        "dig innan begränsningen hävs.",
        "rejection": "Vi kan inte genomföra din begäran: {type}. Skälet:",
        "complaint": "Om du inte håller med kan du klaga hos en tillsynsmyndighet för "
        "dataskydd och vända dig till domstol.",
        "lift_notice": "Den {received} bad du oss begränsa behandlingen av dina uppgifter. "
        "Vi kommer att häva begränsningen; därefter behandlas dina uppgifter igen så som "
        "vår integritetspolicy beskriver.",
        "lift_object": "Om du inte vill detta kan du invända här: {form}",
        "reference": "Referens: {reference}",
    },
    "da": {
        "subject_VERIFICATION": "Bekræft din anmodning om databeskyttelse",
        "verification": "Vi har modtaget en anmodning om databeskyttelse for denne "
        "e-mailadresse: {type}. Åbn dette link inden for {hours} timer for at bekræfte, "
        "at det var dig:",
        "verification_ignore": "Hvis du ikke har sendt denne anmodning, kan du se bort "
        "fra denne e-mail; der sker ikke noget.",
        "subject_RECEIPT": "Vi har modtaget din anmodning om databeskyttelse",
        "subject_EXTENSION": "Vi har brug for mere tid til din anmodning om databeskyttelse",
        "subject_COMPLETION": "Din anmodning om databeskyttelse er gennemført",
        "subject_REJECTION": "Din anmodning om databeskyttelse er afvist",
        "subject_RESTRICTION_LIFT_NOTICE": "Begrænsningen af dine data bliver ophævet",
        "hello": "Hej,",
        "type_ACCESS": "en kopi af dine data (indsigt)",
        "type_PORTABILITY": "dine data til at tage med andre steder hen (dataportabilitet)",
        "type_ERASURE": "sletning af dine data",
        "type_RECTIFICATION": "berigtigelse af dine data",
        "type_RESTRICTION": "begrænsning af behandlingen af dine data",
        "type_OBJECTION": "indsigelse mod behandlingen af dine data",
        "receipt": "Vi modtog din anmodning {received}: {type}. Vi svarer senest {due}.",
        "extension": "Vi har brug for mere tid til at svare på din anmodning: {type}. Vi "
        "svarer senest {due}. Begrundelsen:",
        "completion": "Vi har gennemført din anmodning: {type}.",
        "done_ACCESS": "Hent en kopi af dine data her; linket virker indtil {expires}:",
        "done_PORTABILITY": "Hent dine svar her, i et format du kan tage med dig; linket "
        "virker indtil {expires}:",
        "done_ERASURE": "Dine data er slettet. Vi gemmer kun et nøglebaseret fingeraftryk "
        "af din identitet, så du aldrig får undersøgelser igen.",
        "done_OBJECTION": "Vi behandler ikke længere dine data: du får ikke flere "
        "undersøgelser, og de data, vi havde om dig, er anonymiseret.",
        "done_RECTIFICATION": "Dine data er rettet.",
        "done_RESTRICTION": "Dine data gemmes, men behandles ikke længere. Vi giver dig "
        "besked, før begrænsningen ophæves.",
        "rejection": "Vi kan ikke gennemføre din anmodning: {type}. Begrundelsen:",
        "complaint": "Er du uenig, kan du klage til en tilsynsmyndighed for "
        "databeskyttelse og indbringe sagen for domstolene.",
        "lift_notice": "Den {received} bad du os begrænse behandlingen af dine data. Vi "
        "ophæver begrænsningen; derefter behandles dine data igen, som vores "
        "privatlivspolitik beskriver.",
        "lift_object": "Hvis du ikke ønsker dette, kan du gøre indsigelse her: {form}",
        "reference": "Reference: {reference}",
    },
    "fi": {
        "subject_VERIFICATION": "Vahvista tietosuojapyyntösi",
        "verification": "Saimme tätä sähköpostiosoitetta koskevan tietosuojapyynnön: "
        "{type}. Vahvista, että se olit sinä, avaamalla tämä linkki {hours} tunnin "
        "kuluessa:",
        "verification_ignore": "Jos et tehnyt tätä pyyntöä, voit jättää tämän viestin "
        "huomiotta; mitään ei tehdä.",
        "subject_RECEIPT": "Olemme vastaanottaneet tietosuojapyyntösi",
        "subject_EXTENSION": "Tarvitsemme lisäaikaa tietosuojapyyntöösi",
        "subject_COMPLETION": "Tietosuojapyyntösi on käsitelty",
        "subject_REJECTION": "Tietosuojapyyntösi on hylätty",
        "subject_RESTRICTION_LIFT_NOTICE": "Tietojesi käsittelyn rajoitus poistetaan",
        "hello": "Hei,",
        "type_ACCESS": "kopio tiedoistasi (tarkastusoikeus)",
        "type_PORTABILITY": "tietosi siirrettäväksi muualle (siirto-oikeus)",
        "type_ERASURE": "tietojesi poistaminen",
        "type_RECTIFICATION": "tietojesi oikaiseminen",
        "type_RESTRICTION": "tietojesi käsittelyn rajoittaminen",
        "type_OBJECTION": "vastustus tietojesi käsittelylle",
        "receipt": "Vastaanotimme pyyntösi {received}: {type}. Vastaamme viimeistään {due}.",
        "extension": "Tarvitsemme lisäaikaa pyyntöösi vastaamiseen: {type}. Vastaamme "
        "viimeistään {due}. Syy:",
        "completion": "Olemme toteuttaneet pyyntösi: {type}.",
        "done_ACCESS": "Lataa kopio tiedoistasi tästä; linkki toimii {expires} asti:",
        "done_PORTABILITY": "Lataa vastauksesi tästä muodossa, jonka voit viedä muualle; "
        "linkki toimii {expires} asti:",
        "done_ERASURE": "Tietosi on poistettu. Säilytämme vain avaimella lasketun "
        "tunnisteen henkilöllisyydestäsi, jotta emme koskaan lähetä sinulle kyselyitä.",
        "done_OBJECTION": "Emme enää käsittele tietojasi: et saa enää kyselyitä, ja "
        "sinusta olleet tiedot on anonymisoitu.",
        "done_RECTIFICATION": "Tietosi on oikaistu.",
        "done_RESTRICTION": "Tietosi säilytetään, mutta niitä ei enää käsitellä. "
        "Ilmoitamme sinulle ennen kuin rajoitus poistetaan.",
        "rejection": "Emme voi toteuttaa pyyntöäsi: {type}. Syy:",
        "complaint": "Jos olet eri mieltä, voit tehdä valituksen tietosuojaa valvovalle "
        "viranomaiselle ja hakea muutosta tuomioistuimelta.",
        "lift_notice": "Pyysit {received} rajoittamaan tietojesi käsittelyä. Poistamme "
        "rajoituksen; sen jälkeen tietojasi käsitellään jälleen tietosuojaselosteemme "
        "mukaisesti.",
        "lift_object": "Jos et halua tätä, voit vastustaa käsittelyä täällä: {form}",
        "reference": "Viite: {reference}",
    },
    "nl": {
        "subject_VERIFICATION": "Bevestig uw verzoek over gegevensbescherming",
        "verification": "We hebben een verzoek over gegevensbescherming ontvangen voor dit "
        "e-mailadres: {type}. Open deze link binnen {hours} uur om te bevestigen dat u "
        "het was:",
        "verification_ignore": "Hebt u dit verzoek niet gedaan, negeer dan deze e-mail; "
        "er gebeurt niets.",
        "subject_RECEIPT": "We hebben uw verzoek over gegevensbescherming ontvangen",
        "subject_EXTENSION": "We hebben meer tijd nodig voor uw verzoek over gegevensbescherming",
        "subject_COMPLETION": "Uw verzoek over gegevensbescherming is afgehandeld",
        "subject_REJECTION": "Uw verzoek over gegevensbescherming is afgewezen",
        "subject_RESTRICTION_LIFT_NOTICE": "De beperking van uw gegevens wordt opgeheven",
        "hello": "Hallo,",
        "type_ACCESS": "een kopie van uw gegevens (inzage)",
        "type_PORTABILITY": "uw gegevens om elders te gebruiken (overdraagbaarheid)",
        "type_ERASURE": "wissing van uw gegevens",
        "type_RECTIFICATION": "rectificatie van uw gegevens",
        "type_RESTRICTION": "beperking van de verwerking van uw gegevens",
        "type_OBJECTION": "bezwaar tegen de verwerking van uw gegevens",
        "receipt": "We hebben uw verzoek op {received} ontvangen: {type}. We antwoorden "
        "uiterlijk op {due}.",
        "extension": "We hebben meer tijd nodig om uw verzoek te beantwoorden: {type}. "
        "We antwoorden uiterlijk op {due}. De reden:",
        "completion": "We hebben uw verzoek uitgevoerd: {type}.",
        "done_ACCESS": "Download hier een kopie van uw gegevens; de link werkt tot {expires}:",
        "done_PORTABILITY": "Download hier uw antwoorden, in een formaat dat u elders kunt "
        "gebruiken; de link werkt tot {expires}:",
        "done_ERASURE": "Uw gegevens zijn gewist. We bewaren alleen een versleutelde "
        "vingerafdruk van uw identiteit, zodat u nooit meer enquêtes krijgt.",
        "done_OBJECTION": "We verwerken uw gegevens niet meer: u krijgt geen enquêtes "
        "meer, en de gegevens die we over u hadden zijn geanonimiseerd.",
        "done_RECTIFICATION": "Uw gegevens zijn gecorrigeerd.",
        "done_RESTRICTION": "Uw gegevens worden bewaard maar niet meer verwerkt. We laten "
        "het u weten voordat de beperking wordt opgeheven.",
        "rejection": "We kunnen uw verzoek niet uitvoeren: {type}. De reden:",
        "complaint": "Bent u het er niet mee eens, dan kunt u een klacht indienen bij een "
        "toezichthoudende autoriteit voor gegevensbescherming en naar de rechter stappen.",
        "lift_notice": "Op {received} vroeg u ons de verwerking van uw gegevens te "
        "beperken. We heffen deze beperking op; daarna worden uw gegevens weer verwerkt "
        "zoals onze privacyverklaring beschrijft.",
        "lift_object": "Wilt u dit niet, dan kunt u hier bezwaar maken: {form}",
        "reference": "Referentie: {reference}",
    },
}


def message_strings(locale: str | None) -> tuple[str, dict[str, str]]:
    """The language chosen for `locale` (the default when unsupported) and its texts."""
    language = i18n.language_of(locale)
    return language, MESSAGE_STRINGS.get(language, MESSAGE_STRINGS[i18n.DEFAULT_LANGUAGE])
