"""Regenerate notebooks/05-summary-and-decision.ipynb and notebooks/zh/05-… (narrative + thin calls), English and
Chinese from this one cell list (see _nb.py)."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _nb import code, md, params_cell, write  # noqa: E402

from gohandbook.ch5 import PARAMS  # noqa: E402

cells = [
    md(en="""
# Chapter 5 — Summary and decision
*第五章:总结与展望*

The source document ends with a summary of production results and an outlook. This chapter does something more
useful for a decision: it collects what the other chapters found **for this team profile** — the decision matrix,
the validation gates, the headline measurements — and every claim of the source document with its verdict, and
writes the decision down as an Architecture Decision Record.

Nothing on this page is measured or simulated anew: it reads the same cached measurements and evaluates the same
models as the chapters, with the same parameters.
""", zh="""
# 第五章 — 总结与决策
*源文档第五章:总结与展望*

源文档以生产环境成果总结和未来展望收尾。本章做的是对决策更有用的事：针对**当前团队画像**，汇总其他各章的发现——决策矩阵、验证门槛、关键测量结果——以及源文档中每一条论断及其结论，并把决策写成一份架构决策记录（ADR）。

本页不重新测量或模拟任何东西：它读取与各章相同的缓存测量结果，用相同的参数计算相同的模型。
"""),
    params_cell(PARAMS),
    code("""
from gohandbook import ch5
from widgets import ch5 as ui

params = ch5.PARAMS.from_namespace(globals())
"""),
    md(en="""
## Scorecard

The recommendation comes from chapter 1's weighted decision matrix; the gates are the source document's three
validation thresholds checked against this machine's measurements; the figures below come from each chapter's
cached results, each with where and when it was measured.
""", zh="""
## 评分卡

建议来自第一章的加权决策矩阵；验证门槛是源文档提出的三项验证阈值，用本机的测量结果逐项检查；下方的数字来自各章的缓存结果，每一项都注明了测量的地点和时间。
"""),
    code("ui.scorecard(params)"),
    md(en="""
## Every claim of the source document

The ledger `data/claims.yaml` lists each numeric or checkable claim of all five chapters. *Measured* claims get a
verdict from this machine's measurements (holds, partly holds, does not hold, outdated); *cited* ones carry their
source (or say that none was found); *model* ones are computed by a chapter's model; *unverifiable* ones say why.
Filter by chapter, verdict or words.
""", zh="""
## 源文档的全部论断

论断台账 `data/claims.yaml` 列出了全部五章中每一条含数字或可检验的论断。*实测*类论断根据本机的测量结果得出结论（成立、部分成立、不成立、已过时）；*引用*类论断注明出处（或说明未找到一手来源）；*模型*类论断由相应章节的模型计算；*无法验证*的论断说明原因。可按章节、结论或关键词筛选。
"""),
    code("ui.claims_table(params)"),
    md(en="""
## The source document's production results, quoted

Chapter 5 of the source reports one company's results after adopting its platform (deploy time 14.8 → 2.3 minutes,
99.6 % deployment success, and more). They are that company's reported figures: shown here as cited, never as
predictions for your team, and not measured by this handbook.
""", zh="""
## 源文档中的生产环境成果（引用）

源文档第五章报告了某公司采用其平台后的成果（平均部署耗时从 14.8 分钟降至 2.3 分钟、部署成功率 99.6 % 等）。这些是该公司自己报告的数字：此处仅作为引用展示，绝不是对贵团队的预测，本手册也没有测量过它们。
"""),
    code("ui.reported_results(params)"),
    md(en="""
## The decision record (MADR 4.0)

Context and problem statement, decision drivers, considered options, the decision outcome with its justification,
consequences, confirmation, and pros and cons — filled from this profile and the cached results. Download it and
commit it to your architecture decision log; the batch report writes it beside each report as `adr.md`.
""", zh="""
## 架构决策记录（MADR 4.0）

背景与问题陈述、决策驱动因素、考虑的选项、决策结果及其理由、影响、确认方式以及各选项的优缺点——全部由当前团队画像和缓存结果填写。下载后提交到贵团队的架构决策日志即可；批量报告会把它作为 `adr.md` 写在每份报告旁边。
"""),
    code("ui.decision_record(params)"),
]

write(Path(__file__).resolve().parents[1] / "notebooks" / "05-summary-and-decision.ipynb", cells)
print("wrote notebook 05 (en, zh)")
