"""``survey analyze`` on files: read units/answers (CSV or Parquet), validate, write results.

The statistics themselves live in :mod:`survey.stats`; this package only does file work:
:mod:`.reading` (pyarrow, dictionary-encoded), :mod:`.validate` (every problem with file and
line), :mod:`.writing` (JSON, CSV, XLSX) and :mod:`.cli` (the click command).
"""
