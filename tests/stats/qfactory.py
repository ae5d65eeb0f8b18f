"""Small questionnaire files for the tests (other scale lengths, weights and scoring parameters)."""

from __future__ import annotations

from pathlib import Path

SUBGOALS = ("FO1.1", "FO1.2", "FO1.3", "FO2.1", "FO2.2", "FO2.3", "FO2.4", "FO3.1", "FO3.2")
AREAS = ("ledning", "infrastruktur", "kompetens", "anvandning")


def questionnaire_yaml(
    *,
    key: str,
    respondent: str,
    n_levels: int,
    items: list[tuple[str, str, str, float]],
    min_coverage: float = 0.5,
    threshold: float = 0.75,
    floor_level: int = 2,
) -> str:
    """A valid questionnaire; ``items`` are (id, area, subgoal, weight)."""
    levels = "\n".join(
        f"    - {{value: {v}, label: {{sv: N{v}, en: L{v}}}}}" for v in range(1, n_levels + 1)
    )
    descriptors = ", ".join(f"{v}: {{sv: d{v}, en: d{v}}}" for v in range(1, n_levels + 1))
    actions = ", ".join(f"{v}: {{sv: a{v}, en: a{v}}}" for v in range(1, n_levels))
    lines = [
        f"key: {key}",
        'version: "9.1"',
        "title: {sv: Test, en: Test}",
        f"respondent: {respondent}",
        "targets: [school]",
        "scale:",
        "  levels:",
        levels,
        "  allow_dont_know: true",
        f"scoring: {{min_coverage: {min_coverage}, threshold: {threshold}, "
        f"floor_level: {floor_level}}}",
        "items:",
    ]
    for item_id, area, subgoal, weight in items:
        lines += [
            f'  - id: "{item_id}"',
            f"    area: {area}",
            f'    subgoal: "{subgoal}"',
            f"    weight: {weight}",
            f"    text: {{sv: T {item_id}, en: T {item_id}}}",
            f"    levels: {{{descriptors}}}",
            f"    actions: {{{actions}}}",
        ]
    return "\n".join(lines) + "\n"


def write_questionnaire(path: Path, **kwargs: object) -> Path:
    path.write_text(questionnaire_yaml(**kwargs), encoding="utf-8")  # type: ignore[arg-type]
    return path


def standard_items(weights: list[float]) -> list[tuple[str, str, str, float]]:
    """Items spread over a few sub-goals and areas (some scopes with one item only)."""
    layout = [
        ("ledning", "FO1.2"), ("ledning", "FO1.2"), ("kompetens", "FO1.3"),
        ("kompetens", "FO1.3"), ("infrastruktur", "FO2.1"), ("anvandning", "FO2.3"),
        ("anvandning", "FO2.3"), ("infrastruktur", "FO3.1"),
    ]  # fmt: skip
    return [
        (f"Q.{i + 1:02d}", *layout[i % len(layout)], weight) for i, weight in enumerate(weights)
    ]
