from __future__ import annotations

from pathlib import Path

import pytest

from sitrep.settings import data_path, load_settings

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"


@pytest.fixture(scope="session")
def settings():
    return load_settings()


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    path = SHARED / "seeds"
    if not path.is_dir():
        pytest.skip("../shared/seeds is absent (development data, not shipped with sitrep)")
    return path


@pytest.fixture(scope="session")
def samples_dir() -> Path:
    return data_path("samples")
