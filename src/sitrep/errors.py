"""Errors sitrep reports to users: one line naming the input and the problem."""

from __future__ import annotations


class InputProblem(Exception):
    """An input (a file, or one record of it) that cannot be read as an article."""

    def __init__(self, path: str, message: str, line: int | None = None):
        self.path = path
        self.line = line
        self.message = message
        super().__init__(str(self))

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}" if self.line is not None else self.path

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"
