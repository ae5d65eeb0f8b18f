"""`pip install .` (a real wheel, not the editable checkout) carries templates, static files and
questionnaires, and the installed app finds them."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_wheel_contains_data_and_runs(tmp_path: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(tmp_path),
            str(ROOT),
        ],
        check=True,
    )
    (wheel,) = tmp_path.glob("survey-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    for expected in (
        "survey/_data/templates/base.html",
        "survey/_data/static/app.css",
        "survey/_data/static/vendor/htmx-2.0.11.min.js",
        "survey/_data/questionnaires/framework.yaml",
        "survey/_data/questionnaires/schema.json",
        "survey/_data/questionnaires/crosswalk.schema.json",
        "survey/_data/questionnaires/skola.yaml",
        "survey/migrations/env.py",
        "survey/demo/data.py",
        "survey/demo/national/units.py",
        "survey/locale/sv/LC_MESSAGES/messages.po",
        "survey/locale/en/LC_MESSAGES/messages.po",
    ):
        assert expected in names, expected
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    script = (
        "import survey.resources as r, pathlib, sys\n"
        f"assert str(r.data_dir('templates')).startswith({str(site)!r}), r.data_dir('templates')\n"
        "from fastapi.testclient import TestClient\n"
        "from survey.web.app import create_app\n"
        "from survey.config import Settings\n"
        f"app = create_app(Settings(database_url='sqlite:///{tmp_path}/w.db'))\n"
        "with TestClient(app) as c:\n"
        "    assert c.get('/').status_code == 200\n"
        "    assert c.get('/static/app.css').status_code == 200\n"
        "    assert 'Digital self-assessment' in c.get('/?lang=en').text\n"
    )
    env = {**os.environ, "PYTHONPATH": str(site)}
    subprocess.run([sys.executable, "-c", script], check=True, env=env, cwd=tmp_path)
    validate = subprocess.run(
        [sys.executable, "-m", "survey", "validate"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert validate.returncode == 0, validate.stderr
    assert "skola" in validate.stdout
