"""The dashboard (`sitrep serve`): a FastAPI app with a JSON API and HTML pages."""

from .app import create_app

__all__ = ["create_app"]
