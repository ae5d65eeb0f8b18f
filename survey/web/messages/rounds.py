"""Texts of the rounds and participation pages (issue 7)."""

_KINDS = {
    "nation": ("Nation", "Nation", "nationen", "the nation"),
    "region": ("Län", "Region", "län", "regions"),
    "organiser": ("Huvudman", "Organiser", "huvudmannen själv", "the organiser itself"),
    "school": ("Skolenhet", "School unit", "skolenheter", "school units"),
    "preschool": ("Förskola", "Preschool", "förskolor", "preschools"),
    "adult_education": (
        "Vuxenutbildning",
        "Adult education",
        "vuxenutbildningar",
        "adult education units",
    ),
}
_SCHOOL_FORMS = {
    "forskola": ("Förskola", "Preschool"),
    "forskoleklass": ("Förskoleklass", "Preschool class"),
    "grundskola": ("Grundskola", "Compulsory school"),
    "anpassad_grundskola": ("Anpassad grundskola", "Adapted compulsory school"),
    "gymnasieskola": ("Gymnasieskola", "Upper secondary school"),
    "anpassad_gymnasieskola": ("Anpassad gymnasieskola", "Adapted upper secondary school"),
    "vuxenutbildning": ("Vuxenutbildning", "Adult education"),
    "fritidshem": ("Fritidshem", "School-age educare"),
}

MESSAGES = {
    "rounds.nav": {"sv": "Omgångar", "en": "Rounds"},
    "rounds.title": {"sv": "Omgångar", "en": "Rounds"},
    "rounds.dash_heading": {"sv": "Huvudmannens omgångar", "en": "The organiser's rounds"},
    "rounds.dash_link": {
        "sv": "Se era omgångar, vilka enheter som har svarat och skapa en ny omgång",
        "en": "See your rounds, which units have answered, and create a new round",
    },
    "rounds.list_intro": {
        "sv": "Omgångar som du kan följa. Välj en omgång för att se vilka enheter som har svarat.",
        "en": "Rounds you can follow. Choose a round to see which units have answered.",
    },
    "rounds.new": {"sv": "Ny omgång", "en": "New round"},
    "rounds.aggregates_only": {
        "sv": "Som nationell handläggare ser du omgångarna men inga enskilda enheters deltagande.",
        "en": "As national staff you see the rounds but not single units' participation.",
    },
    "rounds.none": {"sv": "Det finns inga omgångar ännu.", "en": "There are no rounds yet."},
    "rounds.list_caption": {"sv": "Omgångar ({n})", "en": "Rounds ({n})"},
    "rounds.col.round": {"sv": "Omgång", "en": "Round"},
    "rounds.col.questionnaire": {"sv": "Enkät", "en": "Questionnaire"},
    "rounds.col.owner": {"sv": "Ägare", "en": "Owner"},
    "rounds.col.period": {"sv": "Öppen", "en": "Open"},
    "rounds.col.round_state": {"sv": "Status", "en": "State"},
    "rounds.col.participation": {"sv": "Deltagande", "en": "Participation"},
    "rounds.kind_national": {"sv": "nationell", "en": "national"},
    "rounds.round_state.planned": {"sv": "Planerad", "en": "Planned"},
    "rounds.round_state.open": {"sv": "Öppen", "en": "Open"},
    "rounds.round_state.closed": {"sv": "Stängd", "en": "Closed"},
    "rounds.past_close": {"sv": "sista dagen har passerat", "en": "past the close date"},
    "rounds.list_submitted": {
        "sv": "{done} av {units} enheter har skickat in",
        "en": "{done} of {units} units have submitted",
    },
    "rounds.list_respondents": {
        "sv": "{n} svarande vid {units} enheter",
        "en": "{n} respondents at {units} units",
    },
    # New round
    "rounds.new_title": {"sv": "Ny omgång", "en": "New round"},
    "rounds.new_intro": {
        "sv": "När omgången skapas får varje vald enhet en bedömning (utkast) som rektorn ser på sin startsida.",
        "en": "When the round is created, every chosen unit gets an assessment (draft) that its principal sees on the start page.",
    },
    "rounds.errors_heading": {
        "sv": "Omgången skapades inte: rätta {n} fel",
        "en": "The round was not created: correct {n} problem(s)",
    },
    "rounds.choose_owner": {"sv": "Byt huvudman", "en": "Change organiser"},
    "rounds.choose": {"sv": "– välj –", "en": "– choose –"},
    "rounds.respondent.unit": {"sv": "besvaras av enheten", "en": "answered by the unit"},
    "rounds.respondent.individual": {
        "sv": "besvaras individuellt och anonymt",
        "en": "answered individually and anonymously",
    },
    "rounds.for": {"sv": "för", "en": "for"},
    "rounds.questionnaire_help": {
        "sv": "Enkäten bestämmer vilka slags enheter omgången kan gå till (skolenheter, förskolor …).",
        "en": "The questionnaire decides which kinds of units the round can go to (school units, preschools …).",
    },
    "rounds.field.owner": {"sv": "Huvudman", "en": "Organiser"},
    "rounds.field.questionnaire": {"sv": "Enkät", "en": "Questionnaire"},
    "rounds.field.title": {"sv": "Omgångens namn", "en": "Name of the round"},
    "rounds.field.opens": {"sv": "Öppnar", "en": "Opens"},
    "rounds.field.closes": {"sv": "Sista dag", "en": "Close date"},
    "rounds.field.selection": {"sv": "Urval", "en": "Selection"},
    "rounds.field.units": {"sv": "Enheter", "en": "Units"},
    "rounds.field.school_forms": {"sv": "Skolformer", "en": "School forms"},
    "rounds.field.sharing_mandatory": {
        "sv": "Resultatet delas alltid med huvudmannen (obligatorisk delning)",
        "en": "Results are always shared with the organiser (mandatory sharing)",
    },
    "rounds.sharing_help": {
        "sv": "Utan obligatorisk delning bestämmer rektorn själv om huvudmannen får se enhetens resultat.",
        "en": "Without mandatory sharing, the principal decides whether the organiser may see the unit's result.",
    },
    "rounds.selection.all": {
        "sv": "Alla huvudmannens enheter som enkäten är avsedd för",
        "en": "All of the organiser's units the questionnaire is meant for",
    },
    "rounds.school_forms_help": {
        "sv": "Begränsa till enheter med någon av dessa skolformer (inget val: alla).",
        "en": "Limit to units with one of these school forms (none chosen: all).",
    },
    "rounds.selection.list": {"sv": "Bara de enheter jag väljer", "en": "Only the units I choose"},
    "rounds.units_of": {"sv": "Enheter hos {owner} ({n})", "en": "Units of {owner} ({n})"},
    "rounds.create": {"sv": "Skapa omgången", "en": "Create the round"},
    "rounds.cancel": {"sv": "Avbryt", "en": "Cancel"},
    # Problems (each shown with its field's label)
    "rounds.err.date_missing": {"sv": "ange ett datum.", "en": "give a date."},
    "rounds.err.date_invalid": {
        "sv": "”{value}” är inte ett datum (ÅÅÅÅ-MM-DD).",
        "en": "“{value}” is not a date (YYYY-MM-DD).",
    },
    "rounds.err.selection_invalid": {
        "sv": "välj alla enheter eller en egen lista.",
        "en": "choose all units or a list of your own.",
    },
    "rounds.err.school_form_invalid": {
        "sv": "”{value}” är ingen skolform.",
        "en": "“{value}” is not a school form.",
    },
    "rounds.err.unit_invalid": {
        "sv": "”{value}” är ingen enhet.",
        "en": "“{value}” is not a unit.",
    },
    "rounds.err.none_match": {
        "sv": "inga enheter matchar: enkäten är avsedd för {kinds} och ingen sådan enhet har de valda skolformerna.",
        "en": "no units match: the questionnaire is meant for {kinds} and none of them has the chosen school forms.",
    },
    "rounds.err.none_chosen": {
        "sv": "välj minst en enhet i listan.",
        "en": "choose at least one unit in the list.",
    },
    "rounds.err.unit_unknown": {
        "sv": "det finns ingen enhet med id {id}.",
        "en": "there is no unit with id {id}.",
    },
    "rounds.err.unit_outside": {
        "sv": "enhet {id} hör inte till {owner}.",
        "en": "unit {id} does not belong to {owner}.",
    },
    "rounds.err.unit_kind": {
        "sv": "{name} är en enhet av slaget {kind}, men enkäten är avsedd för {kinds}.",
        "en": "{name} is a unit of the kind {kind}, but the questionnaire is meant for {kinds}.",
    },
    "rounds.err.owner_invalid": {
        "sv": "välj en huvudman som du får skapa omgångar för.",
        "en": "choose an organiser you may create rounds for.",
    },
    "rounds.err.questionnaire_invalid": {"sv": "välj en enkät.", "en": "choose a questionnaire."},
    "rounds.err.title_missing": {"sv": "ge omgången ett namn.", "en": "give the round a name."},
    "rounds.err.title_long": {
        "sv": "högst {max} tecken.",
        "en": "at most {max} characters.",
    },
    "rounds.err.closes_before_opens": {
        "sv": "omgången kan inte stänga före den öppnar.",
        "en": "the round cannot close before it opens.",
    },
    "rounds.err.closes_past": {
        "sv": "sista dagen kan inte ligga före i dag eller före öppningsdagen.",
        "en": "the close date cannot be before today or before the opening date.",
    },
    "rounds.err.extend_not_later": {
        "sv": "en förlängning måste ge en senare sista dag än {current}.",
        "en": "an extension must give a later close date than {current}.",
    },
    "rounds.err.reopen_needs_date": {
        "sv": "sista dagen ({current}) har passerat: ange en ny sista dag.",
        "en": "the close date ({current}) has passed: give a new close date.",
    },
    "rounds.err.extend_closed": {
        "sv": "Omgången är stängd. Öppna den igen för att ge en ny sista dag.",
        "en": "The round is closed. Reopen it to give a new close date.",
    },
    "rounds.err.already_closed": {
        "sv": "Omgången är redan stängd.",
        "en": "The round is already closed.",
    },
    "rounds.err.not_closed": {"sv": "Omgången är inte stängd.", "en": "The round is not closed."},
    "rounds.err.reopen_in_closed_round": {
        "sv": "Omgången är stängd. Öppna omgången igen innan du öppnar en enhets bedömning.",
        "en": "The round is closed. Reopen the round before reopening a unit's assessment.",
    },
    # Overview
    "rounds.period": {"sv": "{opens} – {closes}", "en": "{opens} – {closes}"},
    "rounds.sharing_mandatory": {"sv": "obligatorisk delning", "en": "mandatory sharing"},
    "rounds.done.created": {
        "sv": "Omgången är skapad. Rektorerna ser den nu på sin startsida.",
        "en": "The round is created. The principals now see it on their start page.",
    },
    "rounds.done.extended": {"sv": "Sista dagen är ändrad.", "en": "The close date is changed."},
    "rounds.done.closed": {
        "sv": "Omgången är stängd. Inga fler svar tas emot.",
        "en": "The round is closed. No more answers are accepted.",
    },
    "rounds.done.reopened": {"sv": "Omgången är öppen igen.", "en": "The round is open again."},
    "rounds.done.assessment_reopened": {
        "sv": "Bedömningen är öppnad igen. Rektorn kan ändra och skicka in på nytt.",
        "en": "The assessment is reopened. The principal can change it and submit again.",
    },
    "rounds.actions": {"sv": "Omgångens funktioner", "en": "Round actions"},
    "rounds.reminders": {"sv": "Påminnelselista", "en": "Reminder list"},
    "rounds.export_csv": {"sv": "Exportera deltagandet (CSV)", "en": "Export participation (CSV)"},
    "rounds.export_xlsx": {
        "sv": "Exportera deltagandet (Excel)",
        "en": "Export participation (Excel)",
    },
    "rounds.participation": {"sv": "Deltagande", "en": "Participation"},
    "rounds.refreshed": {"sv": "Uppdaterad {time}.", "en": "Updated {time}."},
    "rounds.refresh": {"sv": "Uppdatera", "en": "Refresh"},
    "rounds.total.units": {"sv": "Enheter", "en": "Units"},
    "rounds.total.reached_k": {"sv": "Minst {k} svarande", "en": "At least {k} respondents"},
    "rounds.total.respondents": {"sv": "Svarande totalt", "en": "Respondents in total"},
    "rounds.state.not_started": {"sv": "Inte påbörjad", "en": "Not started"},
    "rounds.state.draft": {"sv": "Utkast", "en": "Draft"},
    "rounds.state.submitted": {"sv": "Inskickad", "en": "Submitted"},
    "rounds.state.reopened": {"sv": "Öppnad igen", "en": "Reopened"},
    "rounds.state.collecting": {"sv": "Pågår", "en": "Collecting"},
    "rounds.no_units": {
        "sv": "Omgången har inga enheter som du kan se.",
        "en": "The round has no units you can see.",
    },
    "rounds.table_caption": {
        "sv": "Enheternas deltagande ({n})",
        "en": "The units' participation ({n})",
    },
    "rounds.col.unit": {"sv": "Enhet", "en": "Unit"},
    "rounds.col.unit_id": {"sv": "Enhets-id", "en": "Unit id"},
    "rounds.col.school_unit_code": {"sv": "Skolenhetskod", "en": "School unit code"},
    "rounds.col.school_form": {"sv": "Skolform", "en": "School form"},
    "rounds.col.state": {"sv": "Status", "en": "State"},
    "rounds.col.state_code": {"sv": "Statuskod", "en": "State code"},
    "rounds.col.progress": {"sv": "Besvarat (%)", "en": "Answered (%)"},
    "rounds.col.answered": {"sv": "Besvarade påståenden", "en": "Statements answered"},
    "rounds.col.items": {"sv": "Påståenden", "en": "Statements"},
    "rounds.col.n_respondents": {"sv": "Svarande", "en": "Respondents"},
    "rounds.col.links": {"sv": "Länkar", "en": "Links"},
    "rounds.col.respondents_k": {"sv": "Svarande (k = {k})", "en": "Respondents (k = {k})"},
    "rounds.col.links_used": {"sv": "Använda länkar", "en": "Links used"},
    "rounds.col.updated_at": {"sv": "Senast ändrad", "en": "Last change"},
    "rounds.col.action": {"sv": "Åtgärd", "en": "Action"},
    "rounds.col.principals": {"sv": "Rektor / kontakt", "en": "Principal / contact"},
    "rounds.col.emails": {"sv": "E-post", "en": "E-mail"},
    "rounds.col.contact_email": {"sv": "Enhetens e-post", "en": "Unit's e-mail"},
    "rounds.col.fact": {"sv": "Uppgift", "en": "Fact"},
    "rounds.col.value": {"sv": "Värde", "en": "Value"},
    "rounds.shared": {"sv": "delad", "en": "shared"},
    "rounds.not_shared": {"sv": "inte delad", "en": "not shared"},
    "rounds.k_reached": {"sv": "nått k", "en": "k reached"},
    "rounds.k_missing": {"sv": "({n} till behövs)", "en": "({n} more needed)"},
    "rounds.links_used": {
        "sv": "{done} av {links} ({pct} %)",
        "en": "{done} of {links} ({pct} %)",
    },
    "rounds.reopen_assessment": {"sv": "Öppna igen", "en": "Reopen"},
    "rounds.manage": {"sv": "Ändra omgången", "en": "Change the round"},
    "rounds.extend_label": {
        "sv": "Ny sista dag (nu {closes})",
        "en": "New close date (now {closes})",
    },
    "rounds.extend": {"sv": "Förläng", "en": "Extend"},
    "rounds.close_help": {
        "sv": "Stäng omgången i förtid: inga fler svar eller inskickningar tas emot. Du kan öppna den igen.",
        "en": "Close the round early: no more answers or submissions are accepted. You can reopen it.",
    },
    "rounds.close": {"sv": "Stäng omgången nu", "en": "Close the round now"},
    "rounds.reopen_label": {
        "sv": "Ny sista dag (behövs om den gamla har passerat)",
        "en": "New close date (needed if the old one has passed)",
    },
    "rounds.reopen": {"sv": "Öppna omgången igen", "en": "Reopen the round"},
    # Reminders
    "rounds.reminders_intro": {
        "sv": "Enheter som inte har påbörjat eller inte skickat in sin bedömning, med rektorernas e-post att kopiera eller exportera.",
        "en": "Units that have not started or not submitted their assessment, with the principals' e-mail to copy or export.",
    },
    "rounds.reminders_intro_individual": {
        "sv": "Enheter med färre än {k} inskickade svar, med rektorernas e-post att kopiera eller exportera.",
        "en": "Units with fewer than {k} submitted answers, with the principals' e-mail to copy or export.",
    },
    "rounds.back_to_round": {"sv": "Tillbaka till omgången", "en": "Back to the round"},
    "rounds.export_reminders_csv": {
        "sv": "Exportera påminnelselistan (CSV)",
        "en": "Export the reminder list (CSV)",
    },
    "rounds.reminders_none": {
        "sv": "Alla enheter har skickat in. Ingen behöver påminnas.",
        "en": "Every unit has submitted. Nobody needs a reminder.",
    },
    "rounds.reminders_count": {
        "sv": "{n} av {total} enheter behöver en påminnelse",
        "en": "{n} of {total} units need a reminder",
    },
    "rounds.emails_label": {
        "sv": "E-postadresser att kopiera ({n})",
        "en": "E-mail addresses to copy ({n})",
    },
    "rounds.without_email": {
        "sv": "{n} enheter saknar både rektor med konto och e-postadress.",
        "en": "{n} units have neither a principal with an account nor an e-mail address.",
    },
    "rounds.reminders_caption": {"sv": "Enheter att påminna", "en": "Units to remind"},
    "rounds.unit_contact": {"sv": "enhetens adress", "en": "the unit's address"},
    "rounds.no_contact": {"sv": "ingen kontakt registrerad", "en": "no contact registered"},
    # Exports
    "rounds.sheet.participation": {"sv": "Deltagande", "en": "Participation"},
    "rounds.sheet.about": {"sv": "Om omgången", "en": "About the round"},
    "rounds.sheet.reminders": {"sv": "Påminnelser", "en": "Reminders"},
    "rounds.file.participation": {"sv": "deltagande", "en": "participation"},
    "rounds.file.reminders": {"sv": "paminnelser", "en": "reminders"},
    "rounds.fact.round": {"sv": "Omgång", "en": "Round"},
    "rounds.fact.questionnaire": {"sv": "Enkät", "en": "Questionnaire"},
    "rounds.fact.owner": {"sv": "Ägare", "en": "Owner"},
    "rounds.fact.opens": {"sv": "Öppnar", "en": "Opens"},
    "rounds.fact.closes": {"sv": "Sista dag", "en": "Close date"},
    "rounds.fact.round_state": {"sv": "Status", "en": "State"},
    "rounds.fact.units": {"sv": "Enheter", "en": "Units"},
    "rounds.fact.count_not_started": {"sv": "Inte påbörjade", "en": "Not started"},
    "rounds.fact.count_draft": {"sv": "Utkast / pågår", "en": "Draft / collecting"},
    "rounds.fact.count_submitted": {"sv": "Inskickade", "en": "Submitted"},
    "rounds.fact.count_reopened": {"sv": "Öppnade igen", "en": "Reopened"},
    "rounds.fact.exported_at": {"sv": "Exporterad", "en": "Exported"},
    "rounds.fact.k": {"sv": "Minsta gruppstorlek (k)", "en": "Smallest group size (k)"},
    "rounds.fact.reached_k": {
        "sv": "Enheter med minst k svarande",
        "en": "Units with at least k respondents",
    },
    "rounds.fact.respondents": {"sv": "Svarande totalt", "en": "Respondents in total"},
}
for _kind, (_sv, _en, _sv_plural, _en_plural) in _KINDS.items():
    MESSAGES[f"rounds.kind.{_kind}"] = {"sv": _sv, "en": _en}
    MESSAGES[f"rounds.kinds.{_kind}"] = {"sv": _sv_plural, "en": _en_plural}
for _form, (_sv, _en) in _SCHOOL_FORMS.items():
    MESSAGES[f"rounds.sf.{_form}"] = {"sv": _sv, "en": _en}
