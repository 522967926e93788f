"""Regenerate notebooks/how-verdicts-are-decided.ipynb: for every measured claim of the source document, the rule,
the reading, the value measured here with its spread, and what value would change the verdict (see _nb.py).
The file name has no chapter number: it is a page of the site and the report, not a chapter."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _nb import code, md, write  # noqa: E402

cells = [
    md(en="""
# How the verdicts are decided

The handbook checks the source document's claims against measurements made on this machine. A verdict is only as
good as the rule behind it, so this page shows every rule: what the handbook reads the source to mean, the metric
that measures exactly that (and why), the thresholds, the value measured here with its spread over repeated runs,
and the nearest value that would have given another verdict. If you would draw a line elsewhere, you can see at
once what would change. The rules live in `data/claims.yaml`; a test makes sure each of them can come out more
than one way.
""", zh="""
# 判定是如何得出的

本手册用在这台机器上的测量来检验源文档的论断。一个判定的可信度取决于它背后的规则，所以本页列出全部规则：手册如何理解源文档的意思、恰好能度量这一点的指标（以及原因）、阈值、在这里测得的数值及其在多次运行间的离散程度，以及会导致另一种判定的最近数值。如果你会把界线划在别处，一眼就能看出什么会改变。规则保存在 `data/claims.yaml` 中；有一项测试确保每条规则都可能得出不止一种结论。
"""),
    code("""
# Defaults. papermill injects overrides in a cell after this one.
lang = 'en'
""", tags=("parameters",)),
    code("""
from gohandbook.chapters import COMMON
from widgets import verdicts as ui

lang = COMMON["lang"].validate(lang)
"""),
    code("ui.show_page(lang)"),
]

write(Path(__file__).resolve().parents[1] / "notebooks" / "how-verdicts-are-decided.ipynb", cells)
