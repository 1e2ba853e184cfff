"""``make bench``: measure, then write BENCHMARKS.md and bench/results.json.

    python bench/run.py                      # everything, SQLite and PostgreSQL
    python bench/run.py --only sensors --db sqlite
    python bench/run.py --quick              # small sizes, for a smoke check

Results of earlier runs of other sections are kept (results.json is merged), so
one section can be re-measured without redoing the rest.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from bakeprint.bench import common
from bakeprint.bench import sensors as sb

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results.json"
REPORT = HERE.parent / "BENCHMARKS.md"
# what follows this line in BENCHMARKS.md is written by hand and kept
KEPT = "<!-- measured by hand below: kept by make bench -->"
console = Console()


def _progress() -> tuple[Progress, Any]:
    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    )
    tasks: dict[str, Any] = {}

    def update(what: str, done: int, total: int) -> None:
        if what not in tasks:
            tasks[what] = bar.add_task(what, total=total)
        bar.update(tasks[what], completed=done, total=total)

    return bar, update


def sensors_section(kind: str, work: Path, quick: bool) -> dict[str, Any]:
    from bakeprint.demo import data as demo_data
    from bakeprint.demo import loader

    out: dict[str, Any] = {}
    bar, update = _progress()
    with bar:
        db = common.fresh_database(kind, "bulk", work)
        out["bulk_ingest"] = sb.bulk_ingest(
            db, readings=60_000 if quick else 300_000, progress=update
        )
        db.dispose()
        console.print(
            f"  bulk ingest: {out['bulk_ingest']['readings_per_s']:,} readings/s"
        )
        db = common.fresh_database(kind, "mqtt", work)
        out["mqtt"] = sb.mqtt_end_to_end(
            db, readings=12_000 if quick else 60_000, progress=update
        )
        db.dispose()
        console.print(
            f"  MQTT end to end: {out['mqtt']['readings_per_s']:,} readings/s"
        )

        db = common.fresh_database(kind, "year", work)
        t0 = time.perf_counter()
        with db.session() as s:
            demo = loader.load(s)
        with db.session(write=False) as s:
            from sqlalchemy import select

            from bakeprint.production.models import Batch

            codes = list(
                s.scalars(
                    select(Batch.code)
                    .where(Batch.tenant_id == demo.tenant_id)
                    .order_by(Batch.code)
                )
            )
        end = datetime.combine(
            demo_data.CASE_DAY + timedelta(days=2), datetime.min.time(), UTC
        )
        extra = 4 if quick else 30 - 6
        filled = sb.year_of_readings(
            db, demo.tenant_id, end=end, extra_sensors=extra, progress=update
        )
        build_s = time.perf_counter() - t0
        picks = [demo_data.CASE_BATCH, *codes[:: max(1, len(codes) // 19)][:19]]
        measured = json.loads(
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "bakeprint.bench.envquery",
                    common.url_of(db),
                    str(demo.tenant_id),
                    *picks,
                ],
                check=True,
                capture_output=True,
                text=True,
            ).stdout
        )
        env, window = measured["environment"], measured["window"]
        out["environment"] = {
            **env,
            "database_mib": round(common.database_bytes(db) / 2**20),
            "build_seconds": round(build_s),
            "sensors": filled["sensors"],
        }
        out["window_3_days"] = window
        db.dispose()
        console.print(
            f"  batch environment with {env['readings_stored']:,} readings: "
            f"p50 {env['p50_ms']} ms, p99 {env['p99_ms']} ms"
        )
    return out


def dataset_section(kind: str, work: Path, quick: bool, size: str) -> dict[str, Any]:
    """Build (or reuse: the generator resumes) the dataset of ``size`` in a
    database kept between runs, then measure trace, scope, EPCIS and HTTP."""
    from bakeprint.bench import dataset as ds
    from bakeprint.bench import measure

    size = "S" if quick else size
    db = common.kept_database(kind, f"bp_bench_{size.lower()}")
    bar, update = _progress()
    with bar:
        t0 = time.perf_counter()
        built = ds.build(db, ds.SIZES[size], progress=update)
        build_s = time.perf_counter() - t0
        figures = measure.all_figures(
            db,
            built,
            progress=update,
            http_seconds=5 if quick else 20,
            http_workers=(1, 2) if kind == "postgresql" else (1,),
        )
    figures["build_seconds_this_run"] = round(build_s)
    figures["resumed_from_day"] = built["resumed_from_day"]
    figures["database_mib"] = round(common.database_bytes(db) / 2**20)
    db.dispose()
    t = figures["trace_report"]
    console.print(
        f"  {size}: trace p50 {t['p50_ms']} ms, p99 {t['p99_ms']} ms; "
        f"scope of the widest lot ({figures['widest_lot_batches']} batches) "
        f"{figures['scope'][1]['median_ms']} ms"
    )
    return figures


SECTIONS = {"sensors": sensors_section, "dataset": dataset_section}


def _table(lines: list[str], data: dict[str, Any]) -> Any:
    """Append a table's head (one column per database in ``data``) to
    ``lines``; returns ``row(label, target, get)`` that appends a row, "—"
    where a database has no such figure."""
    kinds = list(data)
    lines += [
        "| figure | target | " + " | ".join(kinds) + " |",
        "|---|---|" + "---|" * len(kinds),
    ]

    def row(label: str, target: str, get: Any) -> None:
        cells = []
        for kind in kinds:
            try:
                cells.append(get(data[kind]))
            except (KeyError, TypeError, IndexError):
                cells.append("—")
        lines.append(f"| {label} | {target} | " + " | ".join(cells) + " |")

    return row


def render(results: dict[str, Any]) -> str:
    m = results.get("machine", {})
    lines = [
        "# Benchmarks",
        "",
        "Written by `make bench` (`bench/run.py`); the raw figures are in "
        "`bench/results.json`. Numbers are from one run on the machine below — "
        "compare runs on the same machine only.",
        "",
        f"- Machine: {m.get('cpu')}, {m.get('cores')} cores, "
        f"{m.get('memory_gib')} GiB RAM, {m.get('os')}",
        f"- Python {m.get('python')}, SQLite {m.get('sqlite')}, "
        f"PostgreSQL {m.get('postgresql')}",
        f"- Run: {results.get('when', '?')}, command `{results.get('command', '')}`",
        "",
    ]
    sens = results.get("sensors", {})
    if sens:
        lines += ["## Sensors (issue #4)", ""]
        row = _table(lines, sens)

        row(
            "bulk ingest over HTTP (JSON lines, 50 k a request)",
            "≥ 50,000/s",
            lambda r: (
                f"{r['bulk_ingest']['readings_per_s']:,} readings/s "
                f"({r['bulk_ingest']['readings']:,} in {r['bulk_ingest']['seconds']} s)"
            ),
        )
        row(
            "bulk re-upload (all duplicates)",
            "",
            lambda r: f"{r['bulk_ingest']['duplicate_readings_per_s']:,} readings/s",
        )
        row(
            "MQTT end to end (QoS 1 publish → committed)",
            "≥ 5,000/s",
            lambda r: (
                f"{r['mqtt']['readings_per_s']:,} readings/s "
                f"({r['mqtt']['readings']:,} in {r['mqtt']['seconds']} s)"
            ),
        )
        row(
            "readings stored (a year, 10 s, plus the demo)",
            "~95 M",
            lambda r: (
                f"{r['environment']['readings_stored']:,} in "
                f"{r['environment']['block_rows']:,} hour blocks, "
                f"{r['environment']['database_mib']:,} MiB"
            ),
        )
        row(
            "batch environment summary, p50 / p99",
            "≤ 20 ms",
            lambda r: (
                f"{r['environment']['p50_ms']} / {r['environment']['p99_ms']} ms "
                f"({r['environment']['n']} calls, "
                f"{r['environment']['batches']} batches)"
            ),
        )
        row(
            "… computed from the readings every time (not stored)",
            "",
            lambda r: (
                f"{r['environment']['from_readings']['p50_ms']} / "
                f"{r['environment']['from_readings']['p99_ms']} ms"
            ),
        )
        row(
            "3 days of one 10 s sensor, raw, p50 / p99",
            "",
            lambda r: (
                f"{r['window_3_days']['p50_ms']} / {r['window_3_days']['p99_ms']} ms "
                f"({r['window_3_days']['readings']:,} readings)"
            ),
        )
        lines += [
            "",
            "How: bulk ingest posts 300 k readings of 30 sensors to a "
            "`bakeprint serve` process (one request = one transaction; validation, "
            "hour-block merge and the excursion scan included). MQTT: 30 "
            "`mosquitto_pub` gateways (one per sensor) publish 60 k readings at "
            "QoS 1 to a private Mosquitto with `deploy/mosquitto.conf`; the clock "
            "stops when a `bakeprint sensors listen` process has committed them "
            "all. The "
            "environment figure loads the 时光印记 demo, fills a year of readings "
            "every 10 s for 30 sensors straight into hour blocks, and times "
            "`batch_environment` (every place the batch was: min/max/mean, minutes "
            "outside, excursions) for the brief's batch and 19 others, 30 times "
            "each, in a fresh process (as a server would), once the demo's "
            "readings have settled (2 min after the last was written: the first "
            "read stores each batch's settled segments, later reads reuse them); "
            "the row below computes them from the readings every time. 26 of the "
            "30 sensors are in the production hall, the worst case for a batch "
            "made there.",
            "",
        ]
    lines += _render_dataset(results.get("dataset", {}))
    return "\n".join(lines)


def _render_dataset(data: dict[str, Any]) -> list[str]:
    if not data:
        return []
    kinds = list(data)
    lines = ["## Dataset, trace, scope, EPCIS, HTTP (issues #5, #6, #8)", ""]
    row = _table(lines, data)

    row(
        "dataset (`bakeprint bench dataset`)",
        "L: 50 shops, 1 year",
        lambda r: (
            f"{r['dataset']['size']}: {r['dataset']['shops']} shops, "
            f"{r['dataset']['batches']:,} batches, {r['dataset']['units']:,} units, "
            f"{r['dataset']['events']:,} events, "
            f"{r['dataset']['sensor_readings']:,} readings, "
            f"{r['database_mib']:,} MiB"
        ),
    )
    row(
        "trace report of a batch, p50 / p99",
        "≤ 20 / ≤ 100 ms",
        lambda r: (
            f"{r['trace_report']['p50_ms']} / {r['trace_report']['p99_ms']} ms "
            f"({r['trace_report']['n']} batches)"
        ),
    )
    row(
        "… its first read (environment computed from the readings, then stored)",
        "",
        lambda r: (
            f"{r['trace_report']['first_read']['p50_ms']} / "
            f"{r['trace_report']['first_read']['p99_ms']} ms"
        ),
    )
    for i in range(4):
        row(
            "impact scope: "
            + data[kinds[0]]["scope"][i]["scope"].split(" (")[0].split(", the")[0],
            "≤ 250 ms (a lot used by 1,000 batches)" if i == 1 else "",
            lambda r, i=i: (
                f"{r['scope'][i]['batches']:,} batches: median "
                f"{r['scope'][i]['median_ms']} ms, max {r['scope'][i]['max_ms']} ms"
            ),
        )
    row(
        "EPCIS export (to a file)",
        "",
        lambda r: (
            f"{r['epcis']['export_events_per_s']:,} events/s "
            f"({r['epcis']['events']:,} events, {r['epcis']['document_mib']} MiB)"
        ),
    )
    row(
        "EPCIS capture (documents of 5,000 events, into the hash chain)",
        "",
        lambda r: f"{r['epcis']['capture_events_per_s']:,} events/s",
    )
    for key, label in (("scan_page", "public scan page"), ("trace_api", "trace API")):
        for http in ("http", "http_2_workers"):
            row(
                f"{label}, {8} clients, "
                + ("1 worker" if http == "http" else "2 workers"),
                "",
                lambda r, key=key, http=http: (
                    f"{r[http][key]['requests_per_s']} req/s, p50 "
                    f"{r[http][key]['p50_ms']} ms, p99 {r[http][key]['p99_ms']} ms, "
                    f"{r[http][key]['errors']} errors"
                ),
            )
    row(
        "peak memory of the measuring process", "", lambda r: f"{r['peak_rss_mib']} MiB"
    )
    lines += [
        "",
        "How: `bakeprint bench dataset --size L` writes the chain (the master data "
        "through the services, each day's history straight into the tables, one "
        "transaction a day, every event hash-chained); the database is kept and "
        "re-used by later runs. Trace: `trace.report.build` for 200 batches spread "
        "over the year, each in its own session as a request would be. Scope: "
        "`scope.find` five times each, from one batch to a whole week; the lot is "
        "the dataset's most used one. EPCIS: export of the first days' events to a "
        "file (`export_file`), then capture of that document into a fresh bakery "
        "in requests of 5,000 events. HTTP: `bakeprint serve` on loopback with 8 "
        "concurrent httpx clients for 20 s on 200 different packages' scan pages "
        "(`/u/<serial>`) and 200 batches' `/api/v1/trace`.",
        "",
    ]
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--only", action="append", choices=sorted(SECTIONS))
    parser.add_argument("--db", action="append", choices=["sqlite", "postgresql"])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument(
        "--size",
        default="L",
        choices=["S", "M", "L"],
        help="dataset size for the dataset section (kept and resumed between runs)",
    )
    args = parser.parse_args()
    results: dict[str, Any] = (
        json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    )
    results["machine"] = common.machine()
    results["when"] = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    results["command"] = "make bench" + (" (quick)" if args.quick else "")
    kinds = args.db or ["sqlite", "postgresql"]
    with tempfile.TemporaryDirectory(prefix="bakeprint-bench-") as tmp:
        for name in args.only or sorted(SECTIONS):
            section = results.setdefault(name, {})
            for kind in kinds:
                console.print(f"[bold]{name} on {kind}[/bold]")
                if name == "dataset":
                    section[kind] = dataset_section(
                        kind, Path(tmp), args.quick, args.size
                    )
                else:
                    section[kind] = SECTIONS[name](kind, Path(tmp), args.quick)
                RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False))
    kept = ""
    if REPORT.exists() and KEPT in (old := REPORT.read_text("utf-8")):
        kept = "\n" + old[old.index(KEPT) :]
    REPORT.write_text(render(results) + "\n" + kept)
    console.print(f"wrote {REPORT.name} and bench/{RESULTS.name}")


if __name__ == "__main__":
    main()
