"""The situation report (issue #6): one self-contained HTML file and its Markdown twin.

    from sitrep.report import build_report, write_report
    report = build_report(store, since="2025-06-01", countries=["ML"])
    write_report(report, Path("out"))          # out/report.html, out/report.md

`data.py` gathers the content, `charts.py` draws the timeline and the actor network as SVG,
`render.py` fills the templates in `templates/` (HTML autoescaped, Markdown escaped).
"""

from .data import Report, build_report
from .render import render_html, render_markdown, write_report

__all__ = ["Report", "build_report", "render_html", "render_markdown", "write_report"]
