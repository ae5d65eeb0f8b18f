"""``make bench``: generate the national data set if it is missing, then run the benchmark."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

if __name__ == "__main__":
    if not (HERE / "out" / "answers.parquet").exists():
        subprocess.run([sys.executable, str(HERE / "generate_national.py")], check=True)
    subprocess.run([sys.executable, str(HERE / "bench_analyze.py"), *sys.argv[1:]], check=True)
