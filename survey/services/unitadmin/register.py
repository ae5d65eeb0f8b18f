"""Skolverket's school unit register (Skolenhetsregistret, open API v2) as import rows.

The file is a JSON array of the register's detail responses (``GET /v2/school-units/{code}``),
one per school unit, or a single such response. Read from each::

    data.schoolUnitCode                     the school unit code (8 digits)
    data.attributes.displayName | schoolName  the unit's name
    data.attributes.status                  AKTIV, VILANDE, UPPHORT or PLANERAD
    data.attributes.municipalityCode        4 digits (the county is its first two)
    data.attributes.schoolTypes             school type codes (GR, FKLASS, FTH, GY, …)
    included.organizationNumber             the organiser's (huvudman's) number, 10 digits
    included.attributes.organizerType       KOMMUN, ENSKILD, STAT or REGION
    included.attributes.displayName         the organiser's name

Everything else is ignored. A school unit becomes a unit under its organiser; only AKTIV
units are active (the others are created or marked inactive, never deleted). Organisers are
matched by municipality (KOMMUN) or organisation number, school units by their code.
"""

from __future__ import annotations

import json
import re
from typing import Any

from sqlmodel import Session, col, select

from survey.errors import Message, message_key, msg
from survey.models import Unit
from survey.services.unitadmin.plan import Plan, Row, plan_import

# The register's school type codes → our school forms. Codes not here (e.g. SP specialskola,
# SAM sameskola, OPPFTH öppen fritidsverksamhet) are reported as warnings and left out.
SCHOOL_TYPES = {
    "FS": "forskola",
    "FKLASS": "forskoleklass",
    "GR": "grundskola",
    "GRAN": "anpassad_grundskola",
    "GRS": "anpassad_grundskola",
    "TR": "anpassad_grundskola",
    "GY": "gymnasieskola",
    "GYAN": "anpassad_gymnasieskola",
    "GYS": "anpassad_gymnasieskola",
    "VUX": "vuxenutbildning",
    "VUXSFI": "vuxenutbildning",
    "VUXGR": "vuxenutbildning",
    "VUXGY": "vuxenutbildning",
    "VUXSARGR": "vuxenutbildning",
    "VUXSARTR": "vuxenutbildning",
    "VUXSARGY": "vuxenutbildning",
    "SFI": "vuxenutbildning",
    "FTH": "fritidshem",
}
ORGANISER_TYPES = {"KOMMUN": "municipal", "ENSKILD": "independent", "STAT": "state"}
KNOWN_ORGANISER_TYPES = (*ORGANISER_TYPES, "REGION")
STATUSES = ("AKTIV", "VILANDE", "UPPHORT", "PLANERAD")
CODE = re.compile(r"^\d{8}$")
MUNICIPALITY = re.compile(r"^\d{4}$")
ORGNR = re.compile(r"^(\d{6})-?(\d{4})$")


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _kind(forms: list[str]) -> str:
    if forms and set(forms) <= {"forskola"}:
        return "preschool"
    if forms and set(forms) <= {"vuxenutbildning"}:
        return "adult_education"
    return "school"


class _Reader:
    def __init__(self, session: Session, label: str):
        self.session = session
        self.label = label
        self.rows: list[Row] = []
        self.problems: list[Message] = []
        self.warnings: list[Message] = []
        self.organisers: dict[str, Row] = {}
        self.codes: dict[str, str] = {}
        self.nation = session.exec(
            select(Unit).where(Unit.kind == "nation").order_by(col(Unit.id))
        ).first()
        self.regions = {
            u.county_code: u
            for u in session.exec(select(Unit).where(Unit.kind == "region"))
            if u.county_code
        }

    def problem(self, where: str, key: str, **values: object) -> None:
        self.problems.append(msg(key, where, **values))

    def unit(self, index: int, item: Any) -> None:
        where = f"{self.label}[{index}]"
        data = item.get("data") if isinstance(item, dict) else None
        attrs = data.get("attributes") if isinstance(data, dict) else None
        if not isinstance(attrs, dict):
            self.problem(where, "err.field.empty", field="data.attributes")
            return
        assert isinstance(data, dict)
        code = _text(data.get("schoolUnitCode") or attrs.get("schoolUnitCode"))
        name = _text(attrs.get("displayName")) or _text(attrs.get("schoolName"))
        status = _text(attrs.get("status")).upper()
        municipality = _text(attrs.get("municipalityCode"))
        before = len(self.problems)
        if not CODE.match(code):
            self.problem(where, "err.field.not_shape", field="schoolUnitCode", value=code,
                         shape="8 digits")  # fmt: skip
        elif code in self.codes:
            self.problem(
                where, message_key("err.units.duplicate_code"), value=code, first=self.codes[code]
            )
        self.codes.setdefault(code, where)
        if not name:
            self.problem(where, "err.field.empty", field="schoolName")
        if status not in STATUSES:
            self.problem(where, "err.field.not_one_of", field="status", value=status,
                         allowed=", ".join(STATUSES))  # fmt: skip
        if not MUNICIPALITY.match(municipality):
            self.problem(where, "err.field.not_shape", field="municipalityCode",
                         value=municipality, shape="4 digits")  # fmt: skip
        types = attrs.get("schoolTypes")
        if not isinstance(types, list):
            types = []
            self.problem(where, "err.field.empty", field="schoolTypes")
        forms: list[str] = []
        for position, school_type in enumerate(types):
            form = SCHOOL_TYPES.get(_text(school_type).upper())
            if form is None:
                self.warnings.append(
                    msg("err.units.unknown_school_type", f"{where}.schoolTypes[{position}]",
                        value=_text(school_type) or str(school_type))
                )  # fmt: skip
            elif form not in forms:
                forms.append(form)
        organiser = self.organiser(where, item.get("included"), municipality)
        if len(self.problems) > before or organiser is None:
            return
        existing = self.session.exec(
            select(Unit).where(
                (col(Unit.school_unit_code) == code) | (col(Unit.external_id) == code)
            )
        ).first()
        attributes: dict[str, str | None] = {
            "school_unit_code": code,
            "municipality_code": municipality,
            "county_code": municipality[:2],
        }
        if existing is None:
            attributes["external_id"] = code
        self.rows.append(
            Row(
                where=where,
                key=code,
                kind=_kind(forms),
                name=name[:200],
                parent_key=organiser.key,
                attributes=attributes,
                forms=forms,
                active=status == "AKTIV",
                unit_id=existing.id if existing else None,
            )
        )

    def organiser(self, where: str, included: Any, municipality: str) -> Row | None:
        if isinstance(included, list):  # a JSON:API list: the organiser is its first entry
            included = next((i for i in included if isinstance(i, dict)), None)
        attrs = included.get("attributes") if isinstance(included, dict) else None
        if not isinstance(attrs, dict):
            self.problem(where, "err.field.empty", field="included.attributes")
            return None
        assert isinstance(included, dict)
        raw_number = _text(included.get("organizationNumber") or attrs.get("organizationNumber"))
        number = ORGNR.match(raw_number)
        org_type = _text(attrs.get("organizerType")).upper()
        name = _text(attrs.get("displayName")) or _text(attrs.get("name"))
        if number is None:
            self.problem(where, "err.field.not_shape", field="included.organizationNumber",
                         value=raw_number, shape="NNNNNNNNNN")  # fmt: skip
        if org_type not in KNOWN_ORGANISER_TYPES:
            self.problem(where, "err.field.not_one_of", field="included.attributes.organizerType",
                         value=org_type, allowed=", ".join(KNOWN_ORGANISER_TYPES))  # fmt: skip
        if not name:
            self.problem(where, "err.field.empty", field="included.attributes.displayName")
        if number is None or org_type not in KNOWN_ORGANISER_TYPES or not name:
            return None
        orgnr = f"{number.group(1)}-{number.group(2)}"
        key = f"org-{orgnr}"
        if key in self.organisers:
            return self.organisers[key]
        if org_type == "REGION":
            self.warnings.append(
                msg("err.units.region_organiser", f"{where}.included", name=name)
            )  # fmt: skip
        existing = self._existing_organiser(orgnr, org_type, municipality)
        attributes: dict[str, str | None] = {"organisation_number": orgnr}
        if org_type in ORGANISER_TYPES:
            attributes["organiser_type"] = ORGANISER_TYPES[org_type]
        if org_type == "KOMMUN":
            attributes["municipality_code"] = municipality
            attributes["county_code"] = municipality[:2]
        row = Row(where=where, key=key, kind="organiser", name=name[:200], attributes=attributes)
        if existing is not None:
            row.unit_id, row.parent_id = existing.id, existing.parent_id
        else:
            attributes["external_id"] = key
            parent = self.regions.get(municipality[:2]) or self.nation
            if parent is None:
                self.problem(where, message_key("err.units.no_parent"), name=name)
                return None
            row.parent_id = parent.id
        self.organisers[key] = row
        self.rows.append(row)
        return row

    def _existing_organiser(self, orgnr: str, org_type: str, municipality: str) -> Unit | None:
        organisers = select(Unit).where(Unit.kind == "organiser")
        digits = orgnr.replace("-", "")
        found = self.session.exec(
            organisers.where(
                col(Unit.organisation_number).in_((orgnr, digits))
                | (col(Unit.external_id) == f"org-{orgnr}")
            )
        ).first()
        if found is None and org_type == "KOMMUN":
            found = self.session.exec(
                organisers.where(
                    Unit.municipality_code == municipality, Unit.organiser_type == "municipal"
                )
            ).first()
        return found


def read_register(
    session: Session, *, text: str, label: str = "skolenhetsregistret.json"
) -> tuple[list[Row], list[Message], list[Message]]:
    """The rows of a register file, its problems and its warnings (each naming the index of the
    school unit in the file and the field)."""
    reader = _Reader(session, label)
    try:
        document = json.loads(text.lstrip("\ufeff"))
    except json.JSONDecodeError as exc:
        return [], [msg("err.units.bad_json", f"{label}:{exc.lineno}", detail=exc.msg)], []
    if isinstance(document, dict) and "data" in document:
        document = [document]
    if not isinstance(document, list):
        return [], [msg("err.units.register_shape", label)], []
    if not document:
        return [], [msg("err.import.no_rows", label)], []
    for index, item in enumerate(document):
        reader.unit(index, item)
    # Organisers first, so that parents come before their school units in the preview.
    rows = [r for r in reader.rows if r.kind == "organiser"]
    rows += [r for r in reader.rows if r.kind != "organiser"]
    return rows, reader.problems, reader.warnings


def plan_register(
    session: Session, *, text: str, label: str, scope: list[str] | None = None
) -> Plan:
    rows, problems, warnings = read_register(session, text=text, label=label)
    return plan_import(session, rows=rows, scope=scope, problems=problems, warnings=warnings)
