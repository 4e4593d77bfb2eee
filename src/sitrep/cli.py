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
) -> None:
    """Read articles, clean them, find their language and entities, store them, write the exports.

    Re-running over the same files adds nothing. Bad inputs are named, one line each; the run goes on and exits with status 1 if any input failed.

    [bold]Examples[/bold]
      sitrep run                                 # the bundled sample corpus, into out/
      sitrep run articles/ feed.xml --out brief/ # your own files and folders
    """
    settings = load_settings(config).updated(batch_size=batch_size, max_bytes=max_bytes,
                                             extra_patterns=tuple(patterns) if patterns else None,
                                             actor_files=tuple(actors) if actors else None,
                                             focus_countries=tuple(c.upper() for c in country) if country else None)
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
                              story_options=story_options)
    written = export_all(store, out)
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
        table.add_row(fmt, f"{path} ({count} records)")
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
    if "://" not in db and not Path(db).is_file():
        err_console.print(f"[red]error[/red]: {db}: no such database (run `sitrep run` first)")
        raise typer.Exit(2)
    store = Store(database_url(db))
    if output is None:
        count = export(store, fmt, sys.stdout)
    else:
        with open(output, "w", encoding="utf-8", newline="") as f:
            count = export(store, fmt, f)
        err_console.print(f"wrote {count} records to {output}")


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

    if "://" not in db and not Path(db).is_file():
        err_console.print(f"[red]error[/red]: {db}: no such database (run `sitrep run` first)")
        raise typer.Exit(2)
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
