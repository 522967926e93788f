"""Regenerate notebooks/00-index.ipynb: the landing page of the site (Voila) and of workshops (JupyterLab)."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _nb import code, md, write  # noqa: E402

cells = [
    md("""
# Go Decision Handbook

Should our organisation adopt Go, where, and how? This handbook answers with three kinds of figures, and each
says which kind it is: **measured** on this server by real Go programs (machine, Go version, date and parameters
beside it), **computed** by models whose inputs you can move, and **quoted** from the source document (an essay on
adopting Go, chapters 1–5) or another source.

Nothing is measured when a page opens or a control moves: the pages read results that `gohandbook measure` stored,
or reference results the handbook recorded elsewhere and labels as such.
"""),
    code("""
from widgets import index_page
"""),
    md("""
## The recommendation for the default profile
"""),
    code("index_page.recommendation_section()"),
    md("""
## Chapters
"""),
    code("index_page.chapters_section()"),
    md("""
## What has been measured on this server

Each chapter's charts show these results. A *reference* result was measured by the handbook on another machine and
is shown, labelled, until this server has measured its own.
"""),
    code("index_page.measurements_table()"),
    md("""
### Measure on this server

One measurement runs at a time on the whole server (a click while another runs waits its turn), with the quick
preset and a time limit. A result that is current here is not measured again.
"""),
    code("index_page.measure_section()"),
    md("""
---
Workshop mode: `make lab` opens these notebooks in JupyterLab; `%load_ext widgets.gomagic` adds a `%%go` cell magic
to edit and run Go snippets on the spot (see `docs/FACILITATOR.md`).
"""),
]

write(Path(__file__).resolve().parents[1] / "notebooks" / "00-index.ipynb", cells)
print("wrote notebook 00")
