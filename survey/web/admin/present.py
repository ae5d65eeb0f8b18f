"""The texts of unit and people administration: roles, changed fields, an import's rows."""

from __future__ import annotations

from typing import Any

from survey.errors import DomainError
from survey.services.unitadmin.plan import Change, Plan
from survey.web.errors import problem_texts, say
from survey.web.i18n import N_, translate
from survey.web.labels import SCHOOL_FORMS, UNIT_KIND

FIELD = {
    "name": N_("admin.field.name"),
    "kind": N_("admin.field.kind"),
    "parent": N_("admin.field.parent"),
    "school_unit_code": N_("admin.field.school_unit_code"),
    "municipality_code": N_("admin.field.municipality_code"),
    "county_code": N_("admin.field.county_code"),
    "organisation_number": N_("admin.field.organisation_number"),
    "organiser_type": N_("admin.field.organiser_type"),
    "contact_email": N_("admin.field.contact_email"),
    "external_id": N_("admin.field.external_id"),
    "school_forms": N_("admin.field.school_forms"),
}
ACTION = {
    "create": N_("admin.import.action.create"),
    "update": N_("admin.import.action.update"),
    "unchanged": N_("admin.import.action.unchanged"),
}
DONE = {
    "saved": N_("admin.done.saved"),
    "moved": N_("admin.done.moved"),
    "deactivated": N_("admin.done.deactivated"),
    "reactivated": N_("admin.done.reactivated"),
    "grant_changed": N_("admin.done.grant_changed"),
    "grant_revoked": N_("admin.done.grant_revoked"),
    "user_deactivated": N_("admin.done.user_deactivated"),
    "user_reactivated": N_("admin.done.user_reactivated"),
}


def error_lines(exc: DomainError, lang: str) -> list[str]:
    """A refused change in the reader's language: the problems, or the error itself."""
    return problem_texts(exc, lang) or [say(exc.message, lang)]


def forms_text(forms: list[str], lang: str) -> str:
    return ", ".join(translate(SCHOOL_FORMS[f], lang) for f in forms if f in SCHOOL_FORMS)


def _value(column: str, value: Any, lang: str) -> str:
    if value in (None, ""):
        return "–"
    if column == "kind":
        return translate(UNIT_KIND[str(value)], lang)
    if column == "school_forms":
        return forms_text([f.strip() for f in str(value).split(",") if f.strip()], lang) or "–"
    return str(value)


def change_rows(plan: Plan, lang: str) -> list[dict[str, Any]]:
    """The preview's rows: where in the file, the unit, what happens and the changed fields."""

    def row(change: Change) -> dict[str, Any]:
        return {
            "where": change.where,
            "name": change.name,
            "kind": translate(UNIT_KIND[change.kind], lang),
            "action": change.action,
            "action_text": translate(ACTION[change.action], lang),
            "active": change.active,
            "deactivates": change.deactivates,
            "reactivates": change.reactivates,
            "fields": [
                {
                    "label": translate(FIELD[c], lang),
                    "old": _value(c, old, lang),
                    "new": _value(c, new, lang),
                }
                for c, (old, new) in change.fields.items()
            ],
        }

    return [row(c) for c in plan.changes]
