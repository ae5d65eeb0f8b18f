"""Two small versions of a questionnaire ("tvars" 2026.1 and 2027.1) with a crosswalk that has
every kind of change, written to a folder laid out like ``questionnaires/``.

2026.1 → 2027.1 (area, sub-goal):
- L.01 same (ledning, FO1.2; weight 2 in both), L.02 reworded (ledning, FO1.2): comparable
- L.03 changed (ledning, FO1.2): not comparable
- I.04 split into I.04a and I.04b (infrastruktur, FO2.1)
- A.01 and A.02 merged into A.01 (anvandning, FO1.1)
- K.05 same (kompetens, FO1.3): comparable
- K.08 reworded but its sub-goal moved FO1.3 → FO3.1: not comparable (validate warns)
- K.07 removed; K.09 new (kompetens, FO1.3)
"""

from __future__ import annotations

import shutil
from pathlib import Path

from survey.resources import data_dir

KEY = "tvars"
OLD, NEW = "2026.1", "2027.1"

# id, area, sub-goal, weight
OLD_ITEMS = [
    ("L.01", "ledning", "FO1.2", 2),
    ("L.02", "ledning", "FO1.2", 1),
    ("L.03", "ledning", "FO1.2", 1),
    ("I.04", "infrastruktur", "FO2.1", 1),
    ("A.01", "anvandning", "FO1.1", 1),
    ("A.02", "anvandning", "FO1.1", 1),
    ("K.05", "kompetens", "FO1.3", 1),
    ("K.07", "kompetens", "FO1.3", 1),
    ("K.08", "kompetens", "FO1.3", 1),
]
NEW_ITEMS = [
    ("L.01", "ledning", "FO1.2", 2),
    ("L.02", "ledning", "FO1.2", 1),
    ("L.03", "ledning", "FO1.2", 1),
    ("I.04a", "infrastruktur", "FO2.1", 1),
    ("I.04b", "infrastruktur", "FO2.1", 1),
    ("A.01", "anvandning", "FO1.1", 1),
    ("K.05", "kompetens", "FO1.3", 1),
    ("K.08", "kompetens", "FO3.1", 1),
    ("K.09", "kompetens", "FO1.3", 1),
]

CROSSWALK = """\
key: tvars
from: "2026.1"
to: "2027.1"
items:
  - {old: "L.01", new: "L.01", change: same}
  - {old: "L.02", new: "L.02", change: reworded}
  - {old: "L.03", new: "L.03", change: changed}
  - {old: "I.04", new: ["I.04a", "I.04b"], change: split}
  - {old: ["A.01", "A.02"], new: "A.01", change: merged}
  - {old: "K.05", new: "K.05", change: same}
  - {old: "K.08", new: "K.08", change: reworded}
  - {new: "K.09", change: new}
  - {old: "K.07", change: removed}
"""


def questionnaire_text(version: str, items: list[tuple[str, str, str, int]]) -> str:
    lines = [
        f"key: {KEY}",
        f'version: "{version}"',
        f'title: {{sv: "Tvärsnitt {version}", en: "Cross-section {version}"}}',
        "respondent: unit",
        "targets: [school]",
        "scale:",
        "  levels:",
        '    - {value: 1, label: {sv: "Inte påbörjat", en: "Not started"}}',
        '    - {value: 2, label: {sv: "Påbörjat", en: "Started"}}',
        '    - {value: 3, label: {sv: "Etablerat", en: "Established"}}',
        "  allow_not_applicable: true",
        "scoring: {min_coverage: 0.5, threshold: 0.75, floor_level: 2}",
        "items:",
    ]
    for item_id, area, subgoal, weight in items:
        lines += [
            f'  - id: "{item_id}"',
            f"    area: {area}",
            f'    subgoal: "{subgoal}"',
            f"    weight: {weight}",
        ]
        if weight != 1:
            lines.append('    weight_reason: {sv: "Viktigast.", en: "Most important."}')
        lines += [
            f'    text: {{sv: "Påstående {item_id} ({version})", '
            f'en: "Statement {item_id} ({version})"}}',
            "    levels:",
            '      1: {sv: "Inte alls.", en: "Not at all."}',
            '      2: {sv: "Delvis.", en: "In part."}',
            '      3: {sv: "Helt.", en: "Fully."}',
            "    actions:",
            '      1: {sv: "Börja.", en: "Start."}',
            '      2: {sv: "Fortsätt.", en: "Go on."}',
        ]
    return "\n".join(lines) + "\n"


def write_versions(folder: Path, *, crosswalk: str | None = CROSSWALK) -> Path:
    """A questionnaire folder with both versions (and the crosswalk unless None)."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(data_dir("questionnaires") / "framework.yaml", folder / "framework.yaml")
    (folder / f"{KEY}-{OLD}.yaml").write_text(questionnaire_text(OLD, OLD_ITEMS), "utf-8")
    (folder / f"{KEY}-{NEW}.yaml").write_text(questionnaire_text(NEW, NEW_ITEMS), "utf-8")
    if crosswalk is not None:
        (folder / "crosswalks").mkdir(exist_ok=True)
        (folder / "crosswalks" / f"{KEY}-{OLD}-to-{NEW}.yaml").write_text(crosswalk, "utf-8")
    return folder
