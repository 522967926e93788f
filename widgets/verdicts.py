"""The 'How the verdicts are decided' page (gohandbook.verdicts) in a notebook: one static HTML block built from
the cached results, so nothing is measured when the page opens."""

from __future__ import annotations

from gohandbook import verdicts

from .render import show_html


def show_page(lang: str | None = None) -> None:
    show_html(verdicts.verdicts_fragment(lang=lang))
