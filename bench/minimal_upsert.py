"""The baseline of ``bench/bench_autosave.py``: the least an autosave can be.

A FastAPI app with one synchronous route that does the same single-row upsert of an answer as the
product's autosave (``INSERT … ON CONFLICT (respondent_id, item_id) DO UPDATE``), through the same
driver and engine settings (``survey.db.make_engine``), with no sign-in, no CSRF, no authorisation
and no HTML. It is served the same way as the app (uvicorn, the same number of workers), so the
ratio of the two throughputs says what everything else in a real autosave costs.

    SURVEY_DATABASE_URL=… uvicorn bench.minimal_upsert:app --workers 2 --port 8099
"""

from __future__ import annotations

import os
import sys
from datetime import UTC, datetime
from pathlib import Path

from fastapi import FastAPI, Form
from fastapi.responses import PlainTextResponse
from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from survey.db import make_engine  # noqa: E402

engine = make_engine(os.environ["SURVEY_DATABASE_URL"])
app = FastAPI()

UPSERT = text(
    "INSERT INTO answer (respondent_id, item_id, kind, value, updated_at) "
    "VALUES (:respondent, :item, 'level', :value, :at) "
    "ON CONFLICT (respondent_id, item_id) DO UPDATE SET kind = excluded.kind, "
    "value = excluded.value, updated_at = excluded.updated_at"
)


@app.post("/save/{respondent}/{item}", response_class=PlainTextResponse)
def save(respondent: int, item: str, value: int = Form(...)) -> str:
    with engine.begin() as connection:
        connection.execute(
            UPSERT,
            {"respondent": respondent, "item": item, "value": value, "at": datetime.now(UTC)},
        )
    return "saved"
