"""`make bench`: time and peak memory of every stage from landing files to marts, per scale.

Scales S = 100k and M = 1M orders run by default; L = 10M with --large. Each stage runs in its
own process, so its peak resident memory (wait4's ru_maxrss) is its own. Writes the table as
Markdown and JSON under benchmarks/results/ and prints it.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from warehouse.paths import REPO_ROOT
from warehouse.settings import Settings
from warehouse.sources import SOURCES

SCALES = {"S": 100_000, "M": 1_000_000, "L": 10_000_000}
RESULTS_DIR = REPO_ROOT / "benchmarks" / "results"
BIN = Path(sys.executable).parent


@dataclass
class Stage:
    name: str
    seconds: float
    peak_rss_mb: float
    details: dict = field(default_factory=dict)


def _run(name: str, cmd: list[str], env: dict[str, str]) -> Stage:
    """Run one stage in a child process; its wall time and its own peak RSS."""
    started = time.perf_counter()
    proc = subprocess.Popen(
        cmd, cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    assert proc.stdout is not None
    output = proc.stdout.read().decode(errors="replace")
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"benchmark stage {name} failed:\n{output[-4000:]}")
    details: dict = {}
    last_line = output.strip().splitlines()[-1] if output.strip() else ""
    if last_line.startswith("{"):
        details = json.loads(last_line)
    return Stage(name, round(seconds, 2), round(usage.ru_maxrss / 1024, 1), details)


def _hold_back_last_day(landing: Path, holdback: Path) -> str:
    """Move the newest day's files aside, to replay them later as the incremental day."""
    files = [p for p in landing.glob("*/*") if p.is_file() and not p.name.startswith("_")]
    last_day = max(p.stem.rsplit("_", 1)[-1] for p in files)
    for path in files:
        if path.stem.endswith(last_day):
            target = holdback / path.parent.name / path.name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(path, target)
    return last_day


def _ingest_and_gate(env: dict[str, str], batch: str, prefix: str = "") -> list[Stage]:
    stages = []
    python = str(BIN / "python")
    for source in SOURCES:
        batch_id = f"{batch}-{source}"
        for step in ("stage", "gate", "merge"):
            cmd = [python, "-m", "benchmarks.stage", step, source, batch_id]
            stages.append(_run(f"{prefix}{step} {source}", cmd, env))
    return stages


def _slowest_models(target: Path, count: int = 5) -> list[tuple[str, float]]:
    results = json.loads((target / "run_results.json").read_text())["results"]
    timed = [(r["unique_id"].split(".")[-1], round(r["execution_time"], 2)) for r in results]
    return sorted(timed, key=lambda item: -item[1])[:count]


def bench_scale(label: str, orders: int, memory_limit: str | None) -> dict:
    work = RESULTS_DIR / "work" / label
    shutil.rmtree(work, ignore_errors=True)
    landing, target = work / "landing", work / "target"
    env = {
        **os.environ,
        "DUCKDB_PATH": str(work / "warehouse.duckdb"),
        "LANDING_DIR": str(landing),
        "DBT_PROFILES_DIR": str(REPO_ROOT),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    if memory_limit:
        env["DUCKDB_MEMORY_LIMIT"] = memory_limit
    dbt = [str(BIN / "dbt")]
    dbt_opts = ["--target-path", str(target), "--log-path", str(work / "logs")]
    python = str(BIN / "python")
    gen_cmd = [python, "-m", "demo_store", "--orders", str(orders), "--seed", "7"]
    print(f"[{label}] generating {orders:,} orders", flush=True)
    generation = _run("generate", [*gen_cmd, "--out", str(landing)], env)
    last_day = _hold_back_last_day(landing, work / "holdback")

    print(f"[{label}] ingest + gates", flush=True)
    full = _ingest_and_gate(env, f"bench-{label}")
    print(f"[{label}] dbt", flush=True)
    full.append(
        _run(
            "dbt seed + run (models)",
            [*dbt, "build", "--exclude", "resource_type:test", *dbt_opts],
            env,
        )
    )
    slowest = _slowest_models(target)
    full.append(_run("dbt test", [*dbt, "test", *dbt_opts], env))
    scan = _run("raw scan (floor)", [python, "-m", "benchmarks.stage", "scan", "-", "-"], env)

    print(f"[{label}] incremental day {last_day}", flush=True)
    for path in (work / "holdback").glob("*/*"):
        shutil.move(path, landing / path.parent.name / path.name)
    incremental = _ingest_and_gate(env, f"bench-{label}-day", prefix="day: ")
    incremental.append(_run("day: dbt build", [*dbt, "build", *dbt_opts], env))

    def total(stages: list[Stage]) -> float:
        return round(sum(s.seconds for s in stages), 2)

    full_total, day_total = total(full), total(incremental)
    models = next(s for s in full if s.name.startswith("dbt seed"))
    ingestion = sum(s.seconds for s in full if s.name.split()[0] in ("stage", "merge"))
    gates = sum(s.seconds for s in full if s.name.startswith("gate"))
    return {
        "scale": label,
        "orders": orders,
        "memory_limit": memory_limit or Settings.from_env().duckdb_memory_limit,
        "generation": asdict(generation),
        "stages": [asdict(s) for s in full],
        "scan": asdict(scan),
        "incremental_day": [asdict(s) for s in incremental],
        "summary": {
            "generation_s": generation.seconds,
            "ingestion_s": round(ingestion, 2),
            "gates_s": round(gates, 2),
            "dbt_models_s": models.seconds,
            "dbt_tests_s": next(s for s in full if s.name == "dbt test").seconds,
            "landing_to_marts_s": full_total,
            "peak_rss_mb": max(s.peak_rss_mb for s in full),
            "raw_scan_s": scan.seconds,
            "dbt_models_over_scan": round(models.seconds / max(scan.seconds, 0.001), 1),
            "incremental_day_s": day_total,
            "incremental_share": round(day_total / full_total, 3),
        },
        "slowest_models": slowest,
    }


def to_markdown(runs: list[dict]) -> str:
    lines = [
        f"# Benchmark ({platform.node()}, {os.cpu_count()} cores, {time.strftime('%Y-%m-%d')})",
        "",
        "| scale | orders | generate s | ingest s | gates s | dbt models s | dbt tests s "
        "| landing->marts s | peak RSS MB | raw scan s | models/scan | new day s | day share |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for run in runs:
        s = run["summary"]
        lines.append(
            f"| {run['scale']} | {run['orders']:,} | {s['generation_s']} | {s['ingestion_s']} "
            f"| {s['gates_s']} | {s['dbt_models_s']} | {s['dbt_tests_s']} "
            f"| {s['landing_to_marts_s']} | {s['peak_rss_mb']} | {s['raw_scan_s']} "
            f"| {s['dbt_models_over_scan']}x | {s['incremental_day_s']} "
            f"| {s['incremental_share']:.1%} |"
        )
    for run in runs:
        lines += [
            "",
            f"## {run['scale']}: every stage",
            "",
            "| stage | s | peak RSS MB |",
            "|---|---:|---:|",
        ]
        for stage in [run["generation"], *run["stages"], run["scan"], *run["incremental_day"]]:
            lines.append(f"| {stage['name']} | {stage['seconds']} | {stage['peak_rss_mb']} |")
        lines += [
            "",
            "Five slowest dbt models: "
            + ", ".join(f"{name} ({sec} s)" for name, sec in run["slowest_models"]),
        ]
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--large", action="store_true", help="also run L = 10M orders")
    parser.add_argument("--scales", default=None, help="comma list, e.g. S or S,M,L")
    parser.add_argument("--memory-limit", default=None, help="DuckDB memory limit, e.g. 1GB")
    args = parser.parse_args()
    labels = args.scales.split(",") if args.scales else ["S", "M"] + (["L"] if args.large else [])
    runs = [bench_scale(label, SCALES[label], args.memory_limit) for label in labels]
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    markdown = to_markdown(runs)
    (RESULTS_DIR / "bench.md").write_text(markdown)
    (RESULTS_DIR / "bench.json").write_text(json.dumps(runs, indent=2, default=str))
    print(markdown)
    print(f"written: {RESULTS_DIR / 'bench.md'} and bench.json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
