"""The message keys of the values the interface names: states, school forms, kinds of unit …

Each table maps a stored value to the literal key of its text, so that ``pybabel extract`` finds
every key (no key is put together at run time). Python code looks the key up and translates it,
``translate(SCHOOL_FORMS[form], lang)``; templates reach the tables as ``labels``:
``_(labels.STATE[assessment.state])``. A table used in one Python module only lives there.
"""

from __future__ import annotations

from survey.web.i18n import N_

# ----------------------------------------------------------------------- assessments, plan

STATE = {
    "draft": N_("state.draft"),
    "submitted": N_("state.submitted"),
    "reopened": N_("state.reopened"),
}
PLAN_STATUS = {
    "not_started": N_("plan.status.not_started"),
    "in_progress": N_("plan.status.in_progress"),
    "done": N_("plan.status.done"),
}
PLAN_PRIORITY = {
    1: N_("plan.priority.1"),
    2: N_("plan.priority.2"),
    3: N_("plan.priority.3"),
}
PLAN_DONE = {
    "saved": N_("plan.done.saved"),
    "added": N_("plan.done.added"),
    "deleted": N_("plan.done.deleted"),
}
ANSWER_DISTRIBUTION = {
    "na": N_("sum.dist_na"),
    "dk": N_("sum.dist_dk"),
    "none": N_("sum.dist_none"),
}

# ----------------------------------------------------------------------- units and rounds

SCHOOL_FORMS = {
    "forskola": N_("rounds.sf.forskola"),
    "forskoleklass": N_("rounds.sf.forskoleklass"),
    "grundskola": N_("rounds.sf.grundskola"),
    "anpassad_grundskola": N_("rounds.sf.anpassad_grundskola"),
    "gymnasieskola": N_("rounds.sf.gymnasieskola"),
    "anpassad_gymnasieskola": N_("rounds.sf.anpassad_gymnasieskola"),
    "vuxenutbildning": N_("rounds.sf.vuxenutbildning"),
    "fritidshem": N_("rounds.sf.fritidshem"),
}
UNIT_KIND = {  # one unit: "Skolenhet"
    "nation": N_("rounds.kind.nation"),
    "region": N_("rounds.kind.region"),
    "organiser": N_("rounds.kind.organiser"),
    "school": N_("rounds.kind.school"),
    "preschool": N_("rounds.kind.preschool"),
    "adult_education": N_("rounds.kind.adult_education"),
}
UNIT_KINDS = {  # what a questionnaire is for: "Skola"
    "nation": N_("rounds.kinds.nation"),
    "region": N_("rounds.kinds.region"),
    "organiser": N_("rounds.kinds.organiser"),
    "school": N_("rounds.kinds.school"),
    "preschool": N_("rounds.kinds.preschool"),
    "adult_education": N_("rounds.kinds.adult_education"),
}
RESPONDENT = {
    "unit": N_("rounds.respondent.unit"),
    "individual": N_("rounds.respondent.individual"),
}
ROUND_STATE = {
    "planned": N_("rounds.round_state.planned"),
    "open": N_("rounds.round_state.open"),
    "closed": N_("rounds.round_state.closed"),
}
PARTICIPATION_STATE = {
    "not_started": N_("rounds.state.not_started"),
    "draft": N_("rounds.state.draft"),
    "submitted": N_("rounds.state.submitted"),
    "reopened": N_("rounds.state.reopened"),
    "collecting": N_("rounds.state.collecting"),
}
ROUNDS_DONE = {
    "created": N_("rounds.done.created"),
    "extended": N_("rounds.done.extended"),
    "closed": N_("rounds.done.closed"),
    "reopened": N_("rounds.done.reopened"),
    "assessment_reopened": N_("rounds.done.assessment_reopened"),
}

ROLE = {
    "principal": N_("admin.role.principal"),
    "strategist": N_("admin.role.strategist"),
    "national": N_("admin.role.national"),
    "admin": N_("admin.role.admin"),
}

# ----------------------------------------------------------------------- organiser comparison

COMPARISON_PAGE = {
    "participation": N_("cmp.nav.participation"),
    "heatmap": N_("cmp.nav.heatmap"),
    "equity": N_("cmp.nav.equity"),
    "trend": N_("cmp.nav.trend"),
}
COMPARISON_VIEW = {
    "subgoal": N_("cmp.view.subgoal"),
    "area": N_("cmp.view.area"),
}
HEATMAP_CAPTION = {
    "subgoal": N_("cmp.heatmap.caption_subgoal"),
    "area": N_("cmp.heatmap.caption_area"),
}
SORTED = {
    "asc": N_("cmp.sorted_asc"),
    "desc": N_("cmp.sorted_desc"),
}
COMPARISON_ORGANISER_TYPE = {
    "municipal": N_("cmp.organiser_type.municipal"),
    "independent": N_("cmp.organiser_type.independent"),
    "state": N_("cmp.organiser_type.state"),
}
EXCLUSION_REASON = {  # why a unit has no result
    "not_shared": N_("cmp.reason.not_shared"),
    "not_submitted": N_("cmp.reason.not_submitted"),
    "below_k": N_("cmp.reason.below_k"),
    "insufficient": N_("cmp.reason.insufficient"),
}
EXCLUSION_REASON_SHORT = {
    "not_shared": N_("cmp.reason_short.not_shared"),
    "not_submitted": N_("cmp.reason_short.not_submitted"),
    "below_k": N_("cmp.reason_short.below_k"),
    "insufficient": N_("cmp.reason_short.insufficient"),
}
EQUITY_MARK = {
    "below": N_("cmp.mark.below"),
    "above": N_("cmp.mark.above"),
    "outlier": N_("cmp.mark.outlier"),
}
SPLIT_BY = {
    "school_form": N_("cmp.by.school_form"),
    "kind": N_("cmp.by.kind"),
    "parent_id": N_("cmp.by.parent_id"),
    "organiser_type": N_("cmp.by.organiser_type"),
    "region": N_("cmp.by.region"),
}

# ----------------------------------------------------------------------- benchmarks

BENCHMARK_INTRO = {
    "organiser": N_("bm.intro.organiser"),
    "organiser_unit": N_("bm.intro.organiser_unit"),
    "unit": N_("bm.intro.unit"),
}
BENCHMARK_OWN = {  # "the unit's value" in running text
    "organiser": N_("bm.own.organiser"),
    "organiser_unit": N_("bm.own.organiser_unit"),
    "unit": N_("bm.own.unit"),
}
BENCHMARK_OWN_COLUMN = {
    "organiser": N_("bm.col.own.organiser"),
    "organiser_unit": N_("bm.col.own.organiser_unit"),
    "unit": N_("bm.col.own.unit"),
}
BENCHMARK_CHART = {
    "subgoal": N_("bm.chart.subgoal"),
    "area": N_("bm.chart.area"),
}
BENCHMARK_NOUN = {
    "schools": N_("bm.noun.schools"),
    "preschools": N_("bm.noun.preschools"),
    "organisers": N_("bm.noun.organisers"),
    "units": N_("bm.noun.units"),
}

# ----------------------------------------------------------------------- national statistics

NATIONAL_PAGE = {
    "round": N_("nat.page.round"),
    "trends": N_("nat.page.trends"),
    "report": N_("nat.page.report"),
}
NATIONAL_STATE = {
    "planned": N_("nat.state.planned"),
    "open": N_("nat.state.open"),
    "closed": N_("nat.state.closed"),
}
NATIONAL_KINDS = {
    "school": N_("nat.kinds.school"),
    "preschool": N_("nat.kinds.preschool"),
    "adult_education": N_("nat.kinds.adult_education"),
    "organiser": N_("nat.kinds.organiser"),
}
BREAKDOWN_KIND = {  # the groups of the breakdown menu
    "nation": N_("nat.opt.nation"),
    "one": N_("nat.opt.one"),
    "two": N_("nat.opt.two"),
}
DIMENSION = {
    "region": N_("nat.dim.region"),
    "organiser_type": N_("nat.dim.organiser_type"),
    "school_form": N_("nat.dim.school_form"),
    "organiser": N_("nat.dim.organiser"),
}
SCOPE_TYPE = {
    "subgoal": N_("nat.scope.subgoal"),
    "area": N_("nat.scope.area"),
    "total": N_("nat.scope.total"),
}
RELEASE_KIND = {
    "preliminary": N_("nat.release.kind.preliminary"),
    "final": N_("nat.release.kind.final"),
    "revision": N_("nat.release.kind.revision"),
}
DOWNLOAD = {
    "csv": N_("nat.dl.csv"),
    "xlsx": N_("nat.dl.xlsx"),
    "parquet": N_("nat.dl.parquet"),
}

# ----------------------------------------------------------------------- accounts, mail

ROLE = {
    "principal": N_("role.principal"),
    "strategist": N_("role.strategist"),
    "national": N_("role.national"),
    "admin": N_("role.admin"),
}
INVITATION_STATE = {
    "pending": N_("invitations.state.pending"),
    "accepted": N_("invitations.state.accepted"),
    "expired": N_("invitations.state.expired"),
    "revoked": N_("invitations.state.revoked"),
}
MAIL_STATUS = {
    "queued": N_("mail.status.queued"),
    "sent": N_("mail.status.sent"),
    "failed": N_("mail.status.failed"),
}
LANGUAGE = {"sv": N_("language.sv"), "en": N_("language.en")}

CLASS_STATE = {  # a class session (survey/services/assessments/class_sessions.py)
    "open": N_("class.state.open"),
    "full": N_("class.state.full"),
    "expired": N_("class.state.expired"),
    "closed": N_("class.state.closed"),
}
