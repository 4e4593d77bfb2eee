"""One settings object, read from the packaged `data/settings.toml` and an optional user file."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, fields, replace
from importlib import resources
from pathlib import Path
from typing import Any


def data_path(*parts: str) -> Path:
    """Path of a file shipped in the package's `data/` folder."""
    return Path(str(resources.files("sitrep").joinpath("data", *parts)))


MODEL_SCOPES = ("event_sentences", "all")   # which sentences the spaCy model reads (gate.py)


@dataclass(frozen=True)
class Settings:
    max_bytes: int = 20_000_000
    title_max_words: int = 25
    subtitle_max_words: int = 30
    body_min_words: int = 25
    process_languages: tuple[str, ...] = ("en",)
    language_min_score: float = 0.5
    batch_size: int = 32
    model_scope: str = "event_sentences"
    ruler_confidence: float = 0.95
    model_confidence: float = 0.7
    extra_patterns: tuple[Path, ...] = field(default=())
    actor_files: tuple[Path, ...] = field(default=())       # user actor dictionaries (--actors)
    focus_countries: tuple[str, ...] = field(default=())     # ISO codes an analyst monitors (--country)
    background_days: int = 45

    def __post_init__(self) -> None:
        if self.model_scope not in MODEL_SCOPES:
            raise ValueError(f"nlp.model_scope must be one of {', '.join(MODEL_SCOPES)}, not {self.model_scope!r}")

    def updated(self, **changes: Any) -> "Settings":
        """A copy with the given keys changed; `None` values are ignored (unset CLI options)."""
        return replace(self, **{k: v for k, v in changes.items() if v is not None})


# Where each setting sits in the TOML file: (section, key).
_TOML_KEYS = {
    "max_bytes": ("input", "max_bytes"),
    "title_max_words": ("clean", "title_max_words"),
    "subtitle_max_words": ("clean", "subtitle_max_words"),
    "body_min_words": ("clean", "body_min_words"),
    "process_languages": ("language", "process"),
    "language_min_score": ("language", "min_score"),
    "batch_size": ("nlp", "batch_size"),
    "model_scope": ("nlp", "model_scope"),
    "ruler_confidence": ("nlp", "ruler_confidence"),
    "model_confidence": ("nlp", "model_confidence"),
}


def _from_toml(settings: Settings, path: Path) -> Settings:
    with open(path, "rb") as f:
        table = tomllib.load(f)
    known = {f.name for f in fields(Settings)}
    changes: dict[str, Any] = {}
    for name, (section, key) in _TOML_KEYS.items():
        if key in table.get(section, {}):
            value = table[section][key]
            changes[name] = tuple(value) if isinstance(value, list) else value
    assert set(changes) <= known
    return replace(settings, **changes)


def load_settings(user_file: Path | None = None) -> Settings:
    settings = _from_toml(Settings(), data_path("settings.toml"))
    if user_file is not None:
        settings = _from_toml(settings, user_file)
    return settings
