"""``python -m survey.analysis …`` runs ``survey analyze …`` without loading the web app."""

from survey.analysis.cli import analyze

analyze(prog_name="survey analyze")
