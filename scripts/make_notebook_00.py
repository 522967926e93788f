"""Regenerate notebooks/00-index.ipynb and notebooks/zh/00-index.ipynb: the landing page of the site (Voila)
and of workshops (JupyterLab), in English and Chinese from this one cell list (see _nb.py)."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _nb import code, md, write  # noqa: E402

cells = [
    md(en="""
# Go Decision Handbook

Should our organisation adopt Go, where, and how? This handbook answers with three kinds of figures, and each
says which kind it is: **measured** on this server by real Go programs (machine, Go version, date and parameters
beside it), **computed** by models whose inputs you can move, and **quoted** from the source document (an essay on
adopting Go, chapters 1–5) or another source.

Nothing is measured when a page opens or a control moves: the pages read results that `gohandbook measure` stored,
or reference results the handbook recorded elsewhere and labels as such.
""", zh="""
# Go 决策手册

我们的组织是否应该采用 Go？用在哪里？怎样落地？本手册用三类数字来回答，并且每个数字都注明属于哪一类：在本服务器上由真实 Go 程序**实测**的（旁边注明机器、Go 版本、日期和参数），由可调整输入的模型**计算**的，以及从源文档（一篇关于是否采用 Go 的文章，第 1–5 章）或其他来源**引用**的。

打开页面或拖动控件时不会进行任何测量：页面读取的是 `gohandbook measure` 已存储的结果，或手册在其他机器上记录、并明确标注为参考结果的数据。
"""),
    code("""
# Defaults. papermill injects overrides in a cell after this one.
lang = 'en'
""", tags=("parameters",)),
    code("""
from gohandbook.chapters import COMMON
from widgets import index_page

lang = COMMON["lang"].validate(lang)
"""),
    md(en="""
## The recommendation for the default profile
""", zh="""
## 默认团队画像的建议
"""),
    code("index_page.recommendation_section(lang)"),
    md(en="""
## Chapters
""", zh="""
## 章节
"""),
    code("index_page.chapters_section(lang)"),
    md(en="""
## What has been measured on this server

Each chapter's charts show these results. A *reference* result was measured by the handbook on another machine and
is shown, labelled, until this server has measured its own.
""", zh="""
## 本服务器已测量的内容

各章的图表展示的就是这些结果。*参考*结果由手册在另一台机器上测得，在本服务器完成自己的测量之前，会带着标注显示。
"""),
    code("index_page.measurements_table(lang)"),
    md(en="""
### Measure on this server

One measurement runs at a time on the whole server (a click while another runs waits its turn), with the quick
preset and a time limit. Where a current result exists, the button says "Re-measure on this server" and measures
again through the same queue (for example after the machine changed its load).
""", zh="""
### 在本服务器上测量

整个服务器同一时间只运行一项测量（另一项正在运行时点击会排队等候），使用快速预设并有时间上限。已有最新结果时，按钮显示为“在本服务器上重新测量”，通过同一个队列再测一次（例如机器负载发生变化之后）。
"""),
    code("index_page.measure_section(lang)"),
    md(en="""
---
Workshop mode: `make lab` opens these notebooks in JupyterLab; `%load_ext widgets.gomagic` adds a `%%go` cell magic
to edit and run Go snippets on the spot (see `docs/FACILITATOR.md`).
""", zh="""
---
工作坊模式：`make lab` 在 JupyterLab 中打开这些 notebook;`%load_ext widgets.gomagic` 提供 `%%go` 单元魔法命令，可以当场编辑并运行 Go 代码片段（见 `docs/FACILITATOR.md`）。JupyterLab 界面本身的中文语言包见 README。
"""),
]

write(Path(__file__).resolve().parents[1] / "notebooks" / "00-index.ipynb", cells)
print("wrote notebook 00 (en, zh)")
