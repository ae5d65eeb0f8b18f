"""What the JSON API documents besides its successful answers: one error body for every error
status, so that the OpenAPI document tells the truth about what a client gets back."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class ErrorBody(BaseModel):
    """Every error of the API: a sentence, and the problems one by one where there are several
    (each naming its field, line or item)."""

    detail: str = Field(description="What went wrong, in one sentence.")
    problems: list[str] = Field(
        default_factory=list, description="Each problem on its own line (field: message)."
    )


_WHY = {
    400: "The request cannot be understood.",
    401: "Not signed in (or the session has ended).",
    403: "Refused: a missing or wrong CSRF token, or a request from another site.",
    404: "No such thing, or not one the caller may see (never 403 for another unit's data).",
    409: "The request conflicts with the current state (e.g. already submitted, closed).",
    422: "A parameter or field is invalid; ``problems`` names each.",
    429: "Too many attempts; see Retry-After.",
    503: "Busy or the database is unreachable; nothing was written. See Retry-After.",
}


def error_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """``responses=`` for a router or route: the error body for each status."""
    return {code: {"model": ErrorBody, "description": _WHY[code]} for code in codes}


# What every API route can answer: 401 signed out, 403 CSRF (unsafe methods), 404, 422 for a bad
# parameter, 503 when the database is busy or gone.
API_ERRORS = error_responses(401, 403, 404, 422, 503)
