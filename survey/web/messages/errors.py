"""Messages of domain errors (survey.errors): key → Swedish and English."""

# ruff: noqa: E501

MESSAGES = {
    "err.page_not_found": {"sv": "Sidan finns inte.", "en": "The page does not exist."},
    "err.field.empty": {"sv": "{field}: tomt", "en": "{field}: empty"},
    "err.field.not_one_of": {
        "sv": "{field}: '{value}' är inte ett av {allowed}",
        "en": "{field}: '{value}' is not one of {allowed}",
    },
    "err.field.unknown": {
        "sv": "{field}: '{value}' är okänt",
        "en": "{field}: '{value}' is unknown",
    },
    "err.round.not_national": {
        "sv": "Omgång {round_id}: ingen nationell omgång med det id:t.",
        "en": "Round {round_id}: no national round with that id.",
    },
    "err.assessment.not_found": {
        "sv": "Bedömningen finns inte.",
        "en": "The assessment does not exist.",
    },
    "err.import.missing_columns": {
        "sv": "{where}: kolumner saknas: {columns}",
        "en": "{where}: missing column(s): {columns}",
    },
    "err.import.problems": {
        "sv": "{n} problem i {file}; inget importerades",
        "en": "{n} problem(s) in {file}; nothing imported",
    },
    "err.field.not_shape": {
        "sv": "{field}: '{value}' har inte formen {shape}",
        "en": "{field}: '{value}' is not {shape}",
    },
    "err.import.duplicate": {
        "sv": "unit_id: '{value}' finns redan på rad {line}",
        "en": "unit_id: '{value}' already on line {line}",
    },
    "err.import.no_rows": {"sv": "inga rader", "en": "no rows"},
    "err.import.unknown_parent": {
        "sv": "parent_id: okänd enhet '{value}'",
        "en": "parent_id: unknown unit '{value}'",
    },
    "err.import.wrong_parent": {
        "sv": "parent_id: en enhet av typen {kind} ska ligga under {allowed}, inte {actual}",
        "en": "parent_id: a {kind} must be under {allowed}, not {actual}",
    },
    "err.questionnaire.not_found": {
        "sv": "Enkäten finns inte.",
        "en": "The questionnaire does not exist.",
    },
    "err.questionnaire.changed": {
        "sv": "{path}: enkäten '{key}' version '{version}' är redan sparad med annat innehåll; ge den ändrade filen en ny version",
        "en": "{path}: questionnaire '{key}' version '{version}' is already stored with other content; give the changed file a new version",
    },
    "err.plan.priority": {
        "sv": "priority: '{value}' är ingen prioritet (1, 2 eller 3)",
        "en": "priority: '{value}' is not a priority (1, 2 or 3)",
    },
    "err.plan.status": {
        "sv": "status: '{value}' är ingen status",
        "en": "status: '{value}' is not a status",
    },
    "err.plan.row_not_found": {
        "sv": "Raden finns inte i handlingsplanen.",
        "en": "The row is not in the action plan.",
    },
    "err.field.too_long": {
        "sv": "{field}: högst {max} tecken",
        "en": "{field}: at most {max} characters",
    },
    "err.plan.stale_row": {
        "sv": "Någon annan har ändrat raden sedan du öppnade sidan. Dina ändringar sparades inte; här är de aktuella värdena.",
        "en": "Someone else changed the row since you opened the page. Your changes were not saved; here are the current values.",
    },
    "err.plan.title_missing": {
        "sv": "title: skriv en rubrik för raden",
        "en": "title: write a title for the row",
    },
    "err.plan.suggested_row": {
        "sv": "Rader som kommer från bedömningen kan inte tas bort; sätt status ”Klar” i stället.",
        "en": "Rows drawn from the assessment cannot be removed; set the status “Done” instead.",
    },
    "err.plan.filter": {
        "sv": "Ogiltigt filter för handlingsplanen.",
        "en": "Invalid filter for the action plan.",
    },
    "err.field.not_in_questionnaire": {
        "sv": "{field}: '{value}' finns inte i enkäten ({allowed})",
        "en": "{field}: '{value}' is not in the questionnaire ({allowed})",
    },
    "err.plan.due_date": {
        "sv": "due_date: '{value}' är inget datum (ÅÅÅÅ-MM-DD)",
        "en": "due_date: '{value}' is not a date (YYYY-MM-DD)",
    },
    "err.national.breakdown": {
        "sv": "by: '{value}' är ingen indelning; ange ingen, en av {allowed} eller två av dem åtskilda med kommatecken",
        "en": "by: '{value}' is not a breakdown; use nothing, one of {allowed}, or two of them separated by a comma",
    },
    "err.release.no_such": {
        "sv": "Omgången har ingen release {number}.",
        "en": "The round has no release {number}.",
    },
    "err.release.number": {
        "sv": "release: '{value}' är inget releasenummer (1, 2, …)",
        "en": "release: '{value}' is not a release number (1, 2, …)",
    },
    "err.release.none": {
        "sv": "Ingen release av omgången är publicerad ännu.",
        "en": "No release of the round has been published yet.",
    },
    "err.round.not_found": {"sv": "Omgången finns inte.", "en": "The round does not exist."},
    "err.release.nothing_submitted": {
        "sv": "Ingen enhet har skickat in något ännu: det finns inget att publicera.",
        "en": "No unit has submitted anything yet: there is nothing to publish.",
    },
    "err.release.unchanged": {
        "sv": "Inget har ändrats sedan release {number}: ingen ny release behövs.",
        "en": "Nothing has changed since release {number}: no new release is needed.",
    },
    "err.release.preliminary_exists": {
        "sv": "En preliminär release är redan publicerad. Nästa release publiceras när omgången har stängts.",
        "en": "A preliminary release is already published. The next release is published once the round has closed.",
    },
    "err.release.race": {
        "sv": "Release {number} publicerades just av någon annan; ladda om sidan.",
        "en": "Release {number} was just published by someone else; reload the page.",
    },
    "err.answer.not_a_level": {
        "sv": "{item}: '{value}' är ingen nivå på skalan",
        "en": "{item}: '{value}' is not a level of the scale",
    },
    "err.answer.collection_closed": {
        "sv": "Insamlingen är avslutad; inga fler svar tas emot.",
        "en": "The collection has ended; no more answers are taken.",
    },
    "err.answer.submitted": {
        "sv": "Svaren är inskickade och kan inte längre ändras.",
        "en": "The answers are submitted and can no longer be changed.",
    },
    "err.answer.round_closed": {
        "sv": "Omgången är stängd; svaren kan inte längre ändras.",
        "en": "The round is closed; the answers can no longer be changed.",
    },
    "err.answer.unknown_item": {"sv": "okänt påstående '{item}'", "en": "unknown item '{item}'"},
    "err.answer.stale_form": {
        "sv": "Någon annan har sparat ändringar sedan du öppnade sidan. Dina ändringar sparades inte. Här är de aktuella svaren – gör om dina ändringar och spara igen.",
        "en": "Someone else saved changes since you opened the page. Your changes were not saved. Here are the current answers – make your changes again and save.",
    },
    "err.answer.too_few": {
        "sv": "För få svar för att ge ett resultat i: {scopes}.",
        "en": "Too few answers to give a result in: {scopes}.",
    },
    "err.assessment.reopen_not_submitted": {
        "sv": "Bara inskickade bedömningar kan öppnas igen.",
        "en": "Only submitted assessments can be reopened.",
    },
    "err.assessment.share_not_submitted": {
        "sv": "Resultatet kan delas först när bedömningen är inskickad.",
        "en": "The result can be shared only once the assessment is submitted.",
    },
    "err.assessment.sharing_mandatory": {
        "sv": "I den här omgången delas resultatet alltid med huvudmannen.",
        "en": "In this round the result is always shared with the organiser.",
    },
    "err.answer.na_not_allowed": {
        "sv": "{item}: ”ej tillämpligt” är inte tillåtet för det här påståendet",
        "en": "{item}: 'not applicable' is not allowed for this item",
    },
    "err.answer.dk_not_allowed": {
        "sv": "{item}: ”vet inte” är inte tillåtet i den här enkäten",
        "en": "{item}: 'don't know' is not allowed in this questionnaire",
    },
    "err.link.invalid": {"sv": "Länken är ogiltig.", "en": "The link is not valid."},
    "err.collection.already_closed": {
        "sv": "Insamlingen är redan stängd.",
        "en": "The collection is already closed.",
    },
    "err.collection.not_closed": {
        "sv": "Insamlingen är inte stängd.",
        "en": "The collection is not closed.",
    },
    "err.round.closed": {"sv": "Omgången är stängd.", "en": "The round is closed."},
    "err.cmp.view": {"sv": "Ogiltig vy.", "en": "Invalid view."},
    "err.cmp.scope": {"sv": "Okänt delmål eller område.", "en": "Unknown sub-goal or area."},
    "err.cmp.group": {"sv": "Okänd grupp.", "en": "Unknown group."},
    "err.cmp.filter": {"sv": "Ogiltigt filter.", "en": "Invalid filter."},
    "err.cmp.sort": {"sv": "Ogiltig sortering.", "en": "Invalid sort order."},
    "err.round.not_owner": {
        "sv": "Bara den som äger omgången kan ändra den.",
        "en": "Only the round's owner can change it.",
    },
    "err.round.closes_before_opens": {
        "sv": "closes: omgången kan inte stängas innan den öppnar",
        "en": "closes: the round cannot close before it opens",
    },
    "err.round.input": {
        "sv": "Omgången kunde inte sparas: kontrollera fälten.",
        "en": "The round could not be saved: check the fields.",
    },
    "err.round.issue": {"sv": "{field}: {reason}", "en": "{field}: {reason}"},
    "err.user.email": {
        "sv": "email: '{value}' är ingen e-postadress",
        "en": "email: '{value}' is not an e-mail address",
    },
    "err.user.password_short": {
        "sv": "password: minst {min} tecken",
        "en": "password: at least {min} characters",
    },
    "err.user.exists": {
        "sv": "email: det finns redan en användare '{value}'",
        "en": "email: a user '{value}' already exists",
    },
    "err.unit.not_found": {"sv": "enheten '{ref}' finns inte", "en": "unit '{ref}' not found"},
    "err.login.throttled": {
        "sv": "För många misslyckade inloggningsförsök. Vänta {minutes} minuter och försök igen.",
        "en": "Too many failed sign-in attempts. Wait {minutes} minutes and try again.",
    },
    "err.csrf.origin": {
        "sv": "Begäran kom från en annan webbplats och avvisades.",
        "en": "The request came from another site and was refused.",
    },
    "err.csrf.token": {
        "sv": "Formuläret kunde inte skickas (säkerhetskontroll). Ladda om sidan och försök igen.",
        "en": "The form could not be sent (security check). Reload the page and try again.",
    },
    "err.plan.individual": {
        "sv": "En individuell enkät har ingen egen handlingsplan.",
        "en": "An individual questionnaire has no action plan of its own.",
    },
    "err.answer.unknown_area": {"sv": "okänt område '{area}'", "en": "unknown area '{area}'"},
    "err.assessment.individual": {
        "sv": "Individuella enkäter besvaras via länkarna, inte av enheten.",
        "en": "Individual questionnaires are answered through the links, not by the unit.",
    },
    "err.links.not_individual": {
        "sv": "Länkar behövs bara för enkäter som besvaras individuellt.",
        "en": "Links are needed only for questionnaires answered individually.",
    },
    "err.links.collection_closed": {
        "sv": "Insamlingen är avslutad. Öppna den igen för att dela ut fler länkar.",
        "en": "The collection has ended. Open it again to hand out more links.",
    },
    "err.benchmark.organiser": {
        "sv": "organiser: välj en av huvudmännen som deltar",
        "en": "organiser: choose one of the organisers taking part",
    },
    "err.benchmark.choice": {"sv": "{id}: {name}", "en": "{id}: {name}"},
    "err.benchmark.organiser_not_in_round": {
        "sv": "Huvudmannen finns inte i omgången.",
        "en": "The organiser is not in the round.",
    },
}
