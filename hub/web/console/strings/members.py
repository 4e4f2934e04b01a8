"""The console members page (admins): who may sign in with Slack, and their role."""

STRINGS: dict[str, dict[str, str]] = {
    "en": {
        "nav_members": "Members",
        "members_title": "Console members",
        "members_intro": "Slack users and user groups who may sign in to the console "
        "with Slack, and the role they get. Changing or removing one ends their sessions.",
        "members_slack_id": "Slack id",
        "members_slack_id_hint": "A user (U… or W…) or a user group (S…), as Slack shows "
        "it in the profile's menu.",
        "members_role": "Role",
        "members_role_of": "Role of {id}",
        "members_added": "Added",
        "members_none": "Nobody yet. Add the first admin here or with the command "
        "feedback-hub console members add.",
        "members_add": "Add or change a member",
        "members_save": "Save member",
        "members_change": "Change",
        "members_remove": "Remove",
        "members_saved": "The member was saved.",
        "members_removed": "The member was removed; their sessions ended.",
        "members_not_saved": "Nothing was changed. See the message below.",
        "members_not_found": "This member was already removed.",
        "members_pick_role": "Choose one of the roles.",
        "members_cli_hint": "Without a console session, the command feedback-hub console "
        "members list, add and remove does the same.",
    },
    "es": {
        "nav_members": "Miembros",
        "members_title": "Miembros de la consola",
        "members_intro": "Usuarios y grupos de Slack que pueden iniciar sesión en la "
        "consola con Slack, y el rol que reciben. Cambiar o quitar uno cierra sus sesiones.",
        "members_slack_id": "Id de Slack",
        "members_slack_id_hint": "Un usuario (U… o W…) o un grupo de usuarios (S…), como "
        "lo muestra Slack en el menú del perfil.",
        "members_role": "Rol",
        "members_role_of": "Rol de {id}",
        "members_added": "Añadido",
        "members_none": "Todavía nadie. Añade aquí el primer administrador o con el "
        "comando feedback-hub console members add.",
        "members_add": "Añadir o cambiar un miembro",
        "members_save": "Guardar miembro",
        "members_change": "Cambiar",
        "members_remove": "Quitar",
        "members_saved": "Se ha guardado el miembro.",
        "members_removed": "Se ha quitado el miembro; sus sesiones se han cerrado.",
        "members_not_saved": "No se ha cambiado nada. Mira el mensaje de abajo.",
        "members_not_found": "Este miembro ya se había quitado.",
        "members_pick_role": "Elige uno de los roles.",
        "members_cli_hint": "Sin sesión en la consola, el comando feedback-hub console "
        "members list, add y remove hace lo mismo.",
    },
    "nb": {
        "nav_members": "Medlemmer",
        "members_title": "Konsollmedlemmer",
        "members_intro": "Slack-brukere og brukergrupper som kan logge inn i konsollen med "
        "Slack, og rollen de får. Endres eller fjernes en, avsluttes øktene deres.",
        "members_slack_id": "Slack-ID",
        "members_slack_id_hint": "En bruker (U… eller W…) eller en brukergruppe (S…), slik "
        "Slack viser den i profilmenyen.",
        "members_role": "Rolle",
        "members_role_of": "Rollen til {id}",
        "members_added": "Lagt til",
        "members_none": "Ingen ennå. Legg til den første administratoren her eller med "
        "kommandoen feedback-hub console members add.",
        "members_add": "Legg til eller endre et medlem",
        "members_save": "Lagre medlem",
        "members_change": "Endre",
        "members_remove": "Fjern",
        "members_saved": "Medlemmet ble lagret.",
        "members_removed": "Medlemmet ble fjernet; øktene deres ble avsluttet.",
        "members_not_saved": "Ingenting ble endret. Se meldingen nedenfor.",
        "members_not_found": "Dette medlemmet var allerede fjernet.",
        "members_pick_role": "Velg en av rollene.",
        "members_cli_hint": "Uten en økt i konsollen gjør kommandoen feedback-hub console "
        "members list, add og remove det samme.",
    },
    "sv": {
        "nav_members": "Medlemmar",
        "members_title": "Konsolmedlemmar",
        "members_intro": "Slack-användare och användargrupper som får logga in i konsolen "
        "med Slack, och rollen de får. Ändras eller tas en bort avslutas deras sessioner.",
        "members_slack_id": "Slack-id",
        "members_slack_id_hint": "En användare (U… eller W…) eller en användargrupp (S…), "
        "så som Slack visar den i profilmenyn.",
        "members_role": "Roll",
        "members_role_of": "Roll för {id}",
        "members_added": "Tillagd",
        "members_none": "Ingen än. Lägg till den första administratören här eller med "
        "kommandot feedback-hub console members add.",
        "members_add": "Lägg till eller ändra en medlem",
        "members_save": "Spara medlem",
        "members_change": "Ändra",
        "members_remove": "Ta bort",
        "members_saved": "Medlemmen sparades.",
        "members_removed": "Medlemmen togs bort; deras sessioner avslutades.",
        "members_not_saved": "Inget ändrades. Se meddelandet nedan.",
        "members_not_found": "Den här medlemmen var redan borttagen.",
        "members_pick_role": "Välj en av rollerna.",
        "members_cli_hint": "Utan en session i konsolen gör kommandot feedback-hub console "
        "members list, add och remove samma sak.",
    },
    "da": {
        "nav_members": "Medlemmer",
        "members_title": "Konsolmedlemmer",
        "members_intro": "Slack-brugere og brugergrupper, der må logge ind i konsollen med "
        "Slack, og den rolle de får. Ændres eller fjernes en, afsluttes deres sessioner.",
        "members_slack_id": "Slack-id",
        "members_slack_id_hint": "En bruger (U… eller W…) eller en brugergruppe (S…), som "
        "Slack viser den i profilmenuen.",
        "members_role": "Rolle",
        "members_role_of": "Rolle for {id}",
        "members_added": "Tilføjet",
        "members_none": "Ingen endnu. Tilføj den første administrator her eller med "
        "kommandoen feedback-hub console members add.",
        "members_add": "Tilføj eller ændr et medlem",
        "members_save": "Gem medlem",
        "members_change": "Ændr",
        "members_remove": "Fjern",
        "members_saved": "Medlemmet blev gemt.",
        "members_removed": "Medlemmet blev fjernet; deres sessioner blev afsluttet.",
        "members_not_saved": "Intet blev ændret. Se beskeden nedenfor.",
        "members_not_found": "Dette medlem var allerede fjernet.",
        "members_pick_role": "Vælg en af rollerne.",
        "members_cli_hint": "Uden en session i konsollen gør kommandoen feedback-hub "
        "console members list, add og remove det samme.",
    },
    "fi": {
        "nav_members": "Jäsenet",
        "members_title": "Konsolin jäsenet",
        "members_intro": "Slack-käyttäjät ja käyttäjäryhmät, jotka voivat kirjautua "
        "konsoliin Slackilla, ja heidän roolinsa. Muutos tai poisto päättää heidän "
        "istuntonsa.",
        "members_slack_id": "Slack-tunnus",
        "members_slack_id_hint": "Käyttäjä (U… tai W…) tai käyttäjäryhmä (S…), kuten Slack "
        "näyttää sen profiilin valikossa.",
        "members_role": "Rooli",
        "members_role_of": "Tunnuksen {id} rooli",
        "members_added": "Lisätty",
        "members_none": "Ei vielä ketään. Lisää ensimmäinen ylläpitäjä tässä tai komennolla "
        "feedback-hub console members add.",
        "members_add": "Lisää tai muuta jäsen",
        "members_save": "Tallenna jäsen",
        "members_change": "Muuta",
        "members_remove": "Poista",
        "members_saved": "Jäsen tallennettiin.",
        "members_removed": "Jäsen poistettiin; hänen istuntonsa päättyivät.",
        "members_not_saved": "Mitään ei muutettu. Katso alla oleva viesti.",
        "members_not_found": "Tämä jäsen oli jo poistettu.",
        "members_pick_role": "Valitse yksi rooleista.",
        "members_cli_hint": "Ilman konsolin istuntoa komento feedback-hub console members "
        "list, add ja remove tekee saman.",
    },
    "nl": {
        "nav_members": "Leden",
        "members_title": "Leden van de console",
        "members_intro": "Slack-gebruikers en gebruikersgroepen die met Slack bij de "
        "console mogen aanmelden, en de rol die ze krijgen. Wijzigen of verwijderen beëindigt "
        "hun sessies.",
        "members_slack_id": "Slack-id",
        "members_slack_id_hint": "Een gebruiker (U… of W…) of een gebruikersgroep (S…), "
        "zoals Slack die in het profielmenu toont.",
        "members_role": "Rol",
        "members_role_of": "Rol van {id}",
        "members_added": "Toegevoegd",
        "members_none": "Nog niemand. Voeg de eerste beheerder hier toe of met de opdracht "
        "feedback-hub console members add.",
        "members_add": "Een lid toevoegen of wijzigen",
        "members_save": "Lid opslaan",
        "members_change": "Wijzigen",
        "members_remove": "Verwijderen",
        "members_saved": "Het lid is opgeslagen.",
        "members_removed": "Het lid is verwijderd; hun sessies zijn beëindigd.",
        "members_not_saved": "Er is niets gewijzigd. Zie het bericht hieronder.",
        "members_not_found": "Dit lid was al verwijderd.",
        "members_pick_role": "Kies een van de rollen.",
        "members_cli_hint": "Zonder sessie in de console doet de opdracht feedback-hub "
        "console members list, add en remove hetzelfde.",
    },
}
