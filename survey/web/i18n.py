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
    "error.title": {"sv": "Något gick fel", "en": "Something went wrong"},
    "error.404": {"sv": "Sidan finns inte.", "en": "The page does not exist."},
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


def translate(key: str, lang: str) -> str:
    entry = MESSAGES.get(key)
    if entry is None:
        return key
    return entry.get(lang) or entry["sv"]
