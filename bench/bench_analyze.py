"""Benchmark ``survey analyze`` on the national data set (bench/generate_national.py), one run.

Prints: the time to read the input alone, the time of ``survey analyze`` (total and per stage),
total/read, peak memory (ru_maxrss of the analyze process), and a straightforward pandas/scipy
reference (one group at a time) timed on a 5 % sample of organisers and scaled up by rows.

    python bench/bench_analyze.py [--repeat 3] [--csv] [--no-reference]

Each figure is the median of ``--repeat`` runs, interleaved (in an order rotated from repeat to
repeat) so that load on the machine hits read and analyze alike. "read alone" is a fresh Python
process that imports pyarrow and reads both Parquet files into Arrow tables, so that, like
``survey analyze``, it pays for start-up; it is timed two ways: ``pq.read_table`` (pyarrow's
documented call, which imports pandas) and ``pq.ParquetFile(...).read()`` (the leanest read, the
one ``survey analyze`` does), and total/read is printed against both.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
BIN = Path(sys.executable).parent

# Two ways to read the input alone. pyarrow's documented ``read_table`` goes through
# ``pyarrow.dataset``, which imports pandas when it is installed (about 0.2-0.3 s here);
# ``ParquetFile(...).read()`` reads the same Arrow table without it and is the leanest read, the
# one ``survey analyze`` itself does. Both are printed, with the ratio against each.
READ_ALONE = {
    "read_table": """
import sys, time
start = time.perf_counter()
import pyarrow.parquet as pq
imported = time.perf_counter()
answers = pq.read_table(sys.argv[1])
units = pq.read_table(sys.argv[2])
done = time.perf_counter()
print(f"{imported - start:.4f} {done - imported:.4f} {answers.num_rows}")
""",
    "ParquetFile": """
import sys, time
start = time.perf_counter()
import pyarrow.parquet as pq
imported = time.perf_counter()
answers = pq.ParquetFile(sys.argv[1]).read()
units = pq.ParquetFile(sys.argv[2]).read()
done = time.perf_counter()
print(f"{imported - start:.4f} {done - imported:.4f} {answers.num_rows}")
""",
}
READ_LABELS = {
    "read_table": "pq.read_table (imports pandas)",
    "ParquetFile": "pq.ParquetFile().read (leanest)",
}


@dataclass
class Run:
    wall: float  # seconds
    cpu: float  # user + system seconds of the process (all its threads)
    peak: int  # ru_maxrss, bytes
    stdout: str
    stderr: str


def run(args: list[str]) -> Run:
    """Run a command; wall time, CPU time and peak memory of that process alone (wait4)."""
    start = time.perf_counter()
    process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               cwd=ROOT)  # fmt: skip
    stdout, stderr = _drain(process)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    process.returncode = status
    if status:
        raise SystemExit(f"{' '.join(args)} failed:\n{stderr}")
    return Run(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss * 1024, stdout, stderr)


def _drain(process: subprocess.Popen[str]) -> tuple[str, str]:
    """Read stdout and stderr to the end without reaping the process (wait4 does that)."""
    streams = {"out": process.stdout, "err": process.stderr}
    texts: dict[str, str] = {}

    def read(name: str) -> None:
        stream = streams[name]
        texts[name] = stream.read() if stream is not None else ""

    threads = [threading.Thread(target=read, args=(name,)) for name in streams]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return texts["out"], texts["err"]


def stages(stderr: str) -> dict[str, float]:
    """Stage end times from ``--progress`` lines, e.g. 'analyze: checked answers (1.02 s)'."""
    found = {}
    for message, seconds in re.findall(r"analyze: (.+?) \(([\d.]+) s\)", stderr):
        found[re.sub(r"\d[\d,]* ", "", message)] = float(seconds)
    return found


def questionnaire() -> Path:
    text = (OUT / "questionnaire.txt").read_text(encoding="utf-8").strip()
    return Path(text)


def reference_seconds(fraction: float) -> tuple[float, float, int]:
    """Time the pandas/scipy reference on a sample of organisers; return (sample s, scaled s,
    sample rows)."""
    import numpy as np
    import pandas as pd
    import pyarrow.parquet as pq

    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "bench"))
    from reference_pandas import analyse

    from survey.questionnaire import load_questionnaire

    q = load_questionnaire(questionnaire())
    units = pq.read_table(OUT / "units.parquet").to_pandas()
    schools = units[units["kind"].isin(["school", "preschool"])]
    organisers = np.sort(schools["parent_id"].unique())
    rng = np.random.default_rng(5)
    chosen = rng.choice(organisers, max(1, round(fraction * organisers.size)), replace=False)
    sample_units = set(schools.loc[schools["parent_id"].isin(chosen), "unit_id"])
    answers = pq.read_table(OUT / "answers.parquet").to_pandas()
    total_rows = len(answers)
    answers = answers[answers["unit_id"].isin(sample_units)].astype(str)
    items = pd.DataFrame([(i.id, i.area, i.subgoal, i.weight) for i in q.items],
                         columns=["item_id", "area", "subgoal", "weight"])  # fmt: skip
    scopes = [("subgoal", s) for s in q.subgoal_ids] + [("area", a) for a in q.area_ids]
    start = time.perf_counter()
    analyse(answers, units, items, [*scopes, ("total", "total")], q.scale.size, "parent_id",
            ["region"])  # fmt: skip
    seconds = time.perf_counter() - start
    return seconds, seconds * total_rows / len(answers), len(answers)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--csv", action="store_true", help="also time CSV input (slower)")
    parser.add_argument("--sample", type=float, default=0.05)
    parser.add_argument("--no-reference", action="store_true",
                        help="skip the pandas/scipy reference (it takes minutes)")  # fmt: skip
    args = parser.parse_args()
    if not (OUT / "answers.parquet").exists():
        subprocess.run([sys.executable, str(ROOT / "bench/generate_national.py")], check=True)
    q = questionnaire()
    answers, units = OUT / "answers.parquet", OUT / "units.parquet"
    common = [
        "--questionnaire",
        str(q),
        "--units",
        str(units),
        "--answers",
        str(answers),
        "--compare-by",
        "region",
        "--compare-by",
        "organiser_type",
        "--progress",
    ]
    commands = {
        "survey analyze": [str(BIN / "survey"), "analyze", *common, "-o", str(OUT / "a.json")],
        "python -m survey.analysis": [sys.executable, "-m", "survey.analysis", *common,
                                      "-o", str(OUT / "b.json")],
    }  # fmt: skip
    reads: dict[str, list[Run]] = {name: [] for name in READ_ALONE}
    inner_reads: dict[str, list[float]] = {name: [] for name in READ_ALONE}
    runs: dict[str, list[Run]] = {name: [] for name in commands}
    stage_runs: list[dict[str, float]] = []
    rows = 0
    load = os.getloadavg()[0]
    # Every repeat runs each command once, in an order rotated from repeat to repeat: the first
    # process after a pause often pays for the kernel reclaiming memory (system time), and that
    # should not fall on the same command every time.
    jobs = [("read", way) for way in READ_ALONE] + [("analyze", name) for name in commands]
    for name in commands:  # one untimed warm-up run each (file cache, allocator, CPU clocks)
        run(commands[name])
    for repeat in range(args.repeat):
        shift = repeat % len(jobs)
        for kind, name in jobs[shift:] + jobs[:shift]:
            if kind == "read":
                read_run = run([sys.executable, "-c", READ_ALONE[name], str(answers), str(units)])
                _, read_call, count = read_run.stdout.split()
                reads[name].append(read_run)
                inner_reads[name].append(float(read_call))
                rows = int(count)
                continue
            runs[name].append(run(commands[name]))
            if name == "python -m survey.analysis":
                stage_runs.append(stages(runs[name][-1].stderr))
    load = max(load, os.getloadavg()[0])
    read_wall = {way: statistics.median(r.wall for r in reads[way]) for way in READ_ALONE}
    read_cpu = {way: statistics.median(r.cpu for r in reads[way]) for way in READ_ALONE}
    read_best = {way: min(r.wall for r in reads[way]) for way in READ_ALONE}
    inner = {way: statistics.median(inner_reads[way]) for way in READ_ALONE}
    print(
        f"survey analyze benchmark, {time.strftime('%Y-%m-%d %H:%M')}, {platform.machine()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}, median of {args.repeat}, "
        f"load average up to {load:.1f}"
    )
    print(f"input: {rows:,} answer rows ({answers.stat().st_size / 2**20:.1f} MiB Parquet)")
    print("read alone (new process: start-up, import pyarrow, read both files):")
    for way in READ_ALONE:
        print(
            f"    {READ_LABELS[way]:34s} wall {read_wall[way]:5.2f} s (best {read_best[way]:4.2f}),"
            f" CPU {read_cpu[way]:5.2f} s   (the read call: {inner[way]:.2f} s)"
        )
    for name in commands:
        wall = statistics.median(r.wall for r in runs[name])
        best = min(r.wall for r in runs[name])
        cpu = statistics.median(r.cpu for r in runs[name])
        peak = max(r.peak for r in runs[name]) / 2**30
        print(f"{name:26s} wall {wall:5.2f} s (best {best:4.2f}), CPU {cpu:5.2f} s   "
              f"peak memory {peak:.2f} GiB")  # fmt: skip
        for way in READ_ALONE:
            print(
                f"    total/read against {READ_LABELS[way]:34s} wall {wall / read_wall[way]:4.2f} "
                f"(best/best {best / read_best[way]:4.2f}), CPU {cpu / read_cpu[way]:4.2f}"
            )
    print("stages of python -m survey.analysis (median end time after the command starts, s):")
    for stage in stage_runs[0]:
        ends = [r.get(stage, float("nan")) for r in stage_runs]
        print(f"    {stage:50s} {statistics.median(ends):6.2f}")
    walls = {name: statistics.median(r.wall for r in runs[name]) for name in commands}
    if not args.no_reference:
        sample, scaled, sample_rows = reference_seconds(args.sample)
        print(
            f"reference (pandas/scipy, one group at a time) on a {args.sample:.0%} sample of "
            f"organisers ({sample_rows:,} rows): {sample:.2f} s, scaled to all rows: "
            f"{scaled:.1f} s"
        )
        for name, wall in walls.items():
            print(f"speed-up of {name} over the reference: {scaled / wall:.0f}x")
    if args.csv:
        csv_args = [a if a != str(answers) else str(OUT / "answers.csv") for a in
                    commands["python -m survey.analysis"]]  # fmt: skip
        csv_run = run(csv_args)
        print(f"CSV input: wall {csv_run.wall:.2f} s, CPU {csv_run.cpu:.2f} s, "
              f"peak memory {csv_run.peak / 2**30:.2f} GiB")  # fmt: skip


if __name__ == "__main__":
    main()
