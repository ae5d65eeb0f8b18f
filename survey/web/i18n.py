"""Interface texts in Swedish (default) and English. Questionnaire texts carry their own languages."""

from __future__ import annotations

LANGUAGES = ("sv", "en")

MESSAGES: dict[str, dict[str, str]] = {
    "app.name": {"sv": "Digital självvärdering", "en": "Digital self-assessment"},
    "app.tagline": {
        "sv": "Självvärdering av skolans digitalisering – för skolor, förskolor, huvudmän och nationell uppföljning.",
        "en": "Self-assessment of digitalisation – for schools, preschools, organisers and national follow-up.",
    },
    "nav.skip": {"sv": "Hoppa till innehållet", "en": "Skip to content"},
    "nav.home": {"sv": "Start", "en": "Home"},
    "nav.login": {"sv": "Logga in", "en": "Sign in"},
    "nav.logout": {"sv": "Logga ut", "en": "Sign out"},
    "nav.language": {"sv": "Språk", "en": "Language"},
    "nav.main": {"sv": "Huvudmeny", "en": "Main menu"},
    "index.intro": {
        "sv": "Verktyget bygger på LIKA-modellen (Ledning, Infrastruktur, Kompetens, Användning) och kopplar varje påstående till ett delmål i den nationella digitaliseringsstrategin.",
        "en": "The tool builds on the LIKA model (Leadership, Infrastructure, Competence, Use) and maps every statement to a sub-goal of the national digitalisation strategy.",
    },
    "index.how": {"sv": "Så går det till", "en": "How it works"},
    "index.step1": {
        "sv": "Rektorn och ett team värderar enhetens arbete, påstående för påstående.",
        "en": "The principal and a team assess the unit's work, statement by statement.",
    },
    "index.step2": {
        "sv": "Sammanställningen visar mognadsnivå per område och delmål.",
        "en": "The summary shows the maturity level per area and sub-goal.",
    },
    "index.step3": {
        "sv": "Handlingsplanen föreslår nästa steg där behoven är störst.",
        "en": "The action plan suggests next steps where the needs are greatest.",
    },
    "index.framework": {"sv": "Strategins delmål", "en": "The strategy's sub-goals"},
    "index.questionnaires": {"sv": "Enkäter", "en": "Questionnaires"},
    "index.items": {"sv": "påståenden", "en": "statements"},
    "login.title": {"sv": "Logga in", "en": "Sign in"},
    "login.email": {"sv": "E-postadress", "en": "E-mail address"},
    "login.password": {"sv": "Lösenord", "en": "Password"},
    "login.submit": {"sv": "Logga in", "en": "Sign in"},
    "login.failed": {
        "sv": "Fel e-postadress eller lösenord.",
        "en": "Wrong e-mail address or password.",
    },
    "dash.title": {"sv": "Mina bedömningar", "en": "My assessments"},
    "dash.open": {"sv": "Pågående bedömningar", "en": "Open assessments"},
    "dash.done": {"sv": "Inskickade och avslutade", "en": "Submitted and closed"},
    "dash.nothing": {
        "sv": "Du har inga bedömningar att göra just nu.",
        "en": "You have no assessments to do right now.",
    },
    "dash.unit": {"sv": "Enhet", "en": "Unit"},
    "dash.round": {"sv": "Omgång", "en": "Round"},
    "dash.questionnaire": {"sv": "Enkät", "en": "Questionnaire"},
    "dash.closes": {"sv": "Sista dag", "en": "Deadline"},
    "dash.progress": {"sv": "Besvarat", "en": "Answered"},
    "dash.state": {"sv": "Status", "en": "State"},
    "dash.national": {"sv": "nationell", "en": "national"},
    "dash.respondents": {
        "sv": "{done} av {total} svarande har skickat in",
        "en": "{done} of {total} respondents have submitted",
    },
    "state.draft": {"sv": "Utkast", "en": "Draft"},
    "state.submitted": {"sv": "Inskickad", "en": "Submitted"},
    "state.reopened": {"sv": "Öppnad igen", "en": "Reopened"},
    "state.round_closed": {"sv": "omgången är stängd", "en": "the round is closed"},
    "form.progress": {"sv": "Hur långt du har kommit", "en": "Your progress"},
    "form.progress_overall": {
        "sv": "Besvarat {done} av {total} påståenden",
        "en": "Answered {done} of {total} statements",
    },
    "form.areas": {"sv": "Områden", "en": "Areas"},
    "form.area_count": {"sv": "{done}/{total}", "en": "{done}/{total}"},
    "form.area_done": {"sv": "alla besvarade", "en": "all answered"},
    "form.closes": {"sv": "Sista dag {date}", "en": "Deadline {date}"},
    "form.anonymous": {"sv": "dina svar är anonyma", "en": "your answers are anonymous"},
    "form.national_notice": {
        "sv": "Det här är en nationell uppföljningsomgång. När ni skickar in blir resultatet en del av den nationella uppföljningsstatistiken (FO 3.2). Statistiken redovisas bara för grupper med minst fem enheter; er enhets resultat visas aldrig enskilt.",
        "en": "This is a national follow-up round. When you submit, the result becomes part of the national follow-up statistics (FO 3.2). Statistics are only published for groups of at least five units; your unit's result is never shown on its own.",
    },
    "form.saved_area": {"sv": "Svaren är sparade.", "en": "Your answers are saved."},
    "form.read_only": {
        "sv": "Svaren är inskickade och kan bara läsas.",
        "en": "The answers are submitted and read-only.",
    },
    "form.to_summary": {"sv": "Till sammanställningen", "en": "To the summary"},
    "form.autosave_hint": {
        "sv": "Välj den beskrivning som bäst stämmer in på er. Varje svar sparas direkt; utan JavaScript sparar du med knappen längst ned.",
        "en": "Choose the description that fits you best. Every answer is saved at once; without JavaScript, save with the button at the bottom.",
    },
    "form.na": {"sv": "Ej tillämpligt", "en": "Not applicable"},
    "form.dk": {"sv": "Vet inte", "en": "Don't know"},
    "form.unanswered": {"sv": "Inte besvarat", "en": "Not answered"},
    "form.comment": {"sv": "Kommentar (valfri)", "en": "Comment (optional)"},
    "form.save": {"sv": "Spara", "en": "Save"},
    "form.save_next": {
        "sv": "Spara och gå till nästa område",
        "en": "Save and go to the next area",
    },
    "form.next_area": {"sv": "Nästa område: {area}", "en": "Next area: {area}"},
    "form.review_submit": {"sv": "Granska och skicka in", "en": "Review and submit"},
    "form.saved": {"sv": "Sparat", "en": "Saved"},
    "form.saving": {"sv": "Sparar …", "en": "Saving …"},
    "form.save_failed": {"sv": "Kunde inte spara: {reason}", "en": "Could not save: {reason}"},
    "form.others_changed": {
        "sv": "Någon annan har ändrat: {items}. De aktuella svaren visas nu.",
        "en": "Someone else changed: {items}. The current answers are shown now.",
    },
    "submit.title": {"sv": "Granska och skicka in", "en": "Review and submit"},
    "submit.unanswered": {
        "sv": "{n} påståenden är inte besvarade",
        "en": "{n} statements are not answered",
    },
    "submit.all_answered": {
        "sv": "Alla påståenden är besvarade.",
        "en": "All statements are answered.",
    },
    "submit.lacking": {
        "sv": "Det finns för få svar för att ge ett resultat i följande delmål eller områden. Besvara fler påståenden där innan du skickar in:",
        "en": "There are too few answers to give a result in these sub-goals or areas. Answer more statements there before submitting:",
    },
    "submit.partial_ok": {
        "sv": "Du kan skicka in ändå: det finns tillräckligt med svar för ett resultat i alla delmål.",
        "en": "You can submit anyway: there are enough answers for a result in every sub-goal.",
    },
    "submit.final": {
        "sv": "När du har skickat in kan svaren inte längre ändras.",
        "en": "Once submitted, the answers can no longer be changed.",
    },
    "submit.button": {"sv": "Skicka in", "en": "Submit"},
    "submit.back": {"sv": "Tillbaka till frågorna", "en": "Back to the questions"},
    "indiv.intro": {
        "sv": "Lärare och personal svarar anonymt via engångslänkar. Resultatet visas först när minst {k} har skickat in, och aldrig vem som svarat vad.",
        "en": "Teachers and staff answer anonymously through single-use links. Results are shown only once at least {k} have submitted, and never who answered what.",
    },
    "indiv.counts": {
        "sv": "{done} av {total} länkar har använts för inskickade svar",
        "en": "{done} of {total} links have been used for submitted answers",
    },
    "indiv.results": {"sv": "Visa resultatet", "en": "Show the results"},
    "indiv.too_few": {
        "sv": "Resultatet visas när minst {k} har skickat in (nu {n}).",
        "en": "Results are shown once at least {k} have submitted (now {n}).",
    },
    "indiv.new_links": {"sv": "{n} nya länkar", "en": "{n} new links"},
    "indiv.collection_open": {
        "sv": "Insamlingen pågår: länkarna tar emot svar.",
        "en": "The collection is running: the links take answers.",
    },
    "indiv.collection_closed": {
        "sv": "Insamlingen är avslutad: länkarna tar inte emot fler svar.",
        "en": "The collection has ended: the links take no more answers.",
    },
    "indiv.released": {
        "sv": "Släppta svar: {released}. Väntar på nästa släpp: {waiting} (svar släpps bara i omgångar om minst {k}, när insamlingen avslutas).",
        "en": "Released answers: {released}. Waiting for the next release: {waiting} (answers are released only in batches of at least {k}, when the collection ends).",
    },
    "indiv.not_released": {
        "sv": "Resultatet visas när insamlingen har avslutats och minst {k} har svarat. Det skyddar de svarande: ingen kan jämföra resultatet före och efter att en enskild lärare svarat.",
        "en": "The result is shown once the collection has ended and at least {k} have answered. That protects the respondents: nobody can compare the result before and after a single teacher answered.",
    },
    "indiv.close": {
        "sv": "Avsluta insamlingen och släpp resultatet",
        "en": "End the collection and release the result",
    },
    "indiv.close_help": {
        "sv": "Länkarna slutar ta emot svar. Har minst {k} svarat sedan förra släppet släpps deras svar som en omgång och syns i sammanställningen; annars väntar de. Omgången avslutar insamlingen av sig själv när den stängs.",
        "en": "The links stop taking answers. If at least {k} have answered since the last release, their answers are released as a batch and appear in the summary; otherwise they wait. The round ends the collection by itself when it closes.",
    },
    "indiv.reopen": {"sv": "Öppna insamlingen igen", "en": "Open the collection again"},
    "indiv.reopen_help": {
        "sv": "Länkarna tar emot svar igen. Nya svar släpps först när insamlingen avslutas nästa gång och minst {k} nya har svarat.",
        "en": "The links take answers again. New answers are released only when the collection ends next time and at least {k} new ones have answered.",
    },
    "indiv.links_once": {
        "sv": "Länkarna visas bara nu. Kopiera dem och dela ut en till varje person.",
        "en": "The links are shown only now. Copy them and hand out one per person.",
    },
    "indiv.copy": {"sv": "Länkar att kopiera", "en": "Links to copy"},
    "indiv.how_many": {"sv": "Antal nya länkar", "en": "Number of new links"},
    "indiv.create": {"sv": "Skapa länkar", "en": "Create links"},
    "respond.thanks": {"sv": "Tack för dina svar!", "en": "Thank you for your answers!"},
    "respond.done": {
        "sv": "Dina svar på ”{title}” är inskickade. Du kan stänga sidan.",
        "en": "Your answers to “{title}” are submitted. You can close this page.",
    },
    "auth.required": {"sv": "Logga in för att fortsätta.", "en": "Sign in to continue."},
    "error.title": {"sv": "Något gick fel", "en": "Something went wrong"},
    "error.404": {"sv": "Sidan finns inte.", "en": "The page does not exist."},
    "error.503": {
        "sv": "Tjänsten är tillfälligt upptagen eller når inte databasen. Inget av det du sparat har gått förlorat; försök igen om en stund.",
        "en": "The service is busy or cannot reach its database for the moment. Nothing you saved has been lost; try again in a moment.",
    },
    "error.500": {
        "sv": "Ett oväntat fel inträffade. Inget av det du sparat har gått förlorat.",
        "en": "An unexpected error occurred. Nothing you saved has been lost.",
    },
    "error.back": {"sv": "Till startsidan", "en": "Back to the start page"},
    "footer.about": {
        "sv": "Öppen källkod. Svaren lagras på servern så fort de ges.",
        "en": "Open source. Answers are stored on the server as soon as they are given.",
    },
}


def _merge() -> None:
    from survey.web.messages import feature_messages

    for key, value in feature_messages().items():
        if key in MESSAGES:
            raise ValueError(f"message key {key!r} defined twice")
        MESSAGES[key] = value


_merge()


def translate(key: str, lang: str, **values: object) -> str:
    """The text for ``key`` in ``lang``; ``{name}`` placeholders are filled from ``values``."""
    entry = MESSAGES.get(key)
    if entry is None:
        return key
    text = entry.get(lang) or entry["sv"]
    return text.format(**values) if values else text
