"""Measuring sitrep against human-coded data: one module per kind of gold data.

Each module has `evaluate(path, ...) -> dict` returning the figures under the keys the CLI
prints with `--json`, and writes its misses for study when given an errors file.
"""



class ProgressBar:
    """A Rich progress bar on standard error (standard output keeps the JSON), or nothing."""

    def __init__(self, what: str, unit: str, total: int, show: bool = True):
        self.progress = None
        if show:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            self.progress = Progress(TextColumn(what), BarColumn(), MofNCompleteColumn(), TextColumn(unit),
                                     TimeElapsedColumn(), console=Console(stderr=True))
            self.task = self.progress.add_task(unit, total=total)
            self.progress.start()

    def advance(self, steps: int = 1) -> None:
        if self.progress is not None:
            self.progress.advance(self.task, steps)

    def stop(self) -> None:
        if self.progress is not None:
            self.progress.stop()


def write_jsonl(path, records) -> None:
    """The misses (or per-item figures) of an evaluation, one JSON object a line."""
    import json

    with open(path, "w", encoding="utf-8") as f:
        for record in records:
            f.write(json.dumps(record, ensure_ascii=False) + "\n")
