"""``python -m survey.analysis …`` runs ``survey analyze …`` without loading the web app, and
ends the process without the interpreter's teardown once the output is written
(:mod:`survey.process`)."""

from survey.analysis.cli import analyze
from survey.process import run_and_exit

run_and_exit(analyze, prog_name="survey analyze")
