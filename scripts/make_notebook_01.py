"""Regenerate notebooks/01-should-we-choose-go.ipynb and notebooks/zh/01-… (narrative + thin calls), English and
Chinese from this one cell list (see _nb.py)."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _nb import code, md, params_cell, write  # noqa: E402

from gohandbook.ch1 import PARAMS as CH1  # noqa: E402

cells = [
    md(en="""
# Chapter 1 — Should the company choose Go?
*第一章:公司是否应该选择golang*

The source document argues that Go fits high-concurrency infrastructure, CI/CD and operations tooling, and
teams whose engineering efficiency is the bottleneck; that it fits badly where the Python AI ecosystem, heavy
generics/AOP/ORM legacy or an unwilling team dominate; and it proposes a two-week validation: rewrite a small
health-check service in Go, compare it with the current stack, and run static analysis.

This chapter does all three, in that order. Every figure below is one of three things, and says which:
**measured** on this machine by a real program (with machine, Go version and date beside it),
**computed** by a model whose inputs you can move, or **quoted** from the source document.
Nothing is measured when you move a control: measurements come from the cache that
`gohandbook measure` (or `make report`) fills.
""", zh="""
# 第一章 — 公司是否应该选择 Go？
*源文档第一章:公司是否应该选择golang*

源文档认为：Go 适合高并发基础设施类系统、CI/CD 与运维工具开发，以及工程效能瓶颈明显的团队；在依赖 Python AI 生态、重度使用泛型/AOP/ORM 的遗留系统或团队无意愿学习的场景中则需谨慎评估。它还建议在两周内完成最小可行性验证：用 Go 重写一个轻量的健康检查服务，与当前技术栈对比，并运行静态分析。

本章按这个顺序把三件事都做一遍。下面的每个数字都属于以下三类之一，并注明属于哪一类：在本机由真实程序**实测**（旁边注明机器、Go 版本和日期）；由输入可调的模型**计算**；或**引用**自源文档。拖动控件时不会进行任何测量：测量结果来自 `gohandbook measure`（或 `make report`）写入的缓存。
"""),
    params_cell(CH1),
    code("""
from gohandbook import ch1
from widgets import ch1 as ui

params = ch1.PARAMS.from_namespace(globals())
"""),
    md(en="""
## 1. Fit assessment: a weighted decision matrix

The seed's three fit criteria count for Go, its three constraints against. Answer how strongly each describes the
team (0 = not at all … 4 = fully) and how much each matters (weight 0–10). Choosing a workload kind moves the
answers to that workload's starting values; move any of them afterwards. The score is the weighted mean of the
signed answers, between −1 and +1. At or above the threshold the matrix recommends Go, at or below its negative it
recommends against, in between it sends you to the validation below.

The second chart asks how robust that is: for each weight alone, how far it would have to move to flip the
recommendation. A recommendation that flips when one weight moves by 1 is an opinion, not a decision.
""", zh="""
## 1. 适配评估：加权决策矩阵

源文档列出的三个核心优势适配场景计为支持 Go，三个需谨慎评估的约束条件计为反对。请回答每一项在多大程度上符合你们团队（0 = 完全不符合 … 4 = 完全符合），以及每一项有多重要（权重 0–10）。选择工作负载类型会把各项回答设为该类工作负载的初始值，之后每一项仍可单独调整。得分是带符号回答的加权平均，介于 −1 与 +1 之间：达到阈值时矩阵建议选择 Go，低于或等于其相反数时建议不选择，介于两者之间时则请先完成下文的快速验证。

第二张图检验这个结论有多稳健：单独调整每一个权重时，它需要改变多少才会使建议翻转。如果某个权重只改变 1 建议就翻转，那只是一种看法，而不是决策。
"""),
    code("ui.decision_panel(params)"),
    md(en="""
## 2. Quick validation, measured here

The seed proposes rewriting a light health-check service in Go and comparing it with the current implementation.
The handbook ships that service in Go (`net/http`), Python (stdlib `ThreadingHTTPServer`, and a raw ASGI app under
uvicorn), Node.js (`node:http`) and Java (JDK `com.sun.net.httpserver`), all answering `GET /healthz`.
A runtime missing from this machine is shown as *not measured*, never estimated.

**How.** Each repeat starts a fresh server pinned to CPU 0 (`taskset`; Go with `GOMAXPROCS=1`) and measures the
time from spawn to the first `2xx` on `/healthz`, then RSS (`VmRSS` from `/proc`, summed over the server's whole
process tree) at that moment, after 1,000 sequential keep-alive requests, and at its peak while the handbook's Go
load generator (pinned to CPU 1, closed loop, keep-alive, latency histogram) drives it. Load generator and server
share this machine, so absolute throughput is a property of this machine; compare runtimes only within one run.
Dots show the median, lines the spread over the repeats. *Shipped* is what a deployment must carry: the Go binary,
or the script plus its runtime.

The *current stack* control picks the runtime Go is compared with, in the chart, in the comparison under it and
in the three gates further down; moving it only re-reads the cached results, nothing is measured.
""", zh="""
## 2. 快速验证：在本机实测

源文档建议用 Go 重写一个轻量的健康检查服务，并与现有实现对比。手册为此提供了同一个服务的多种实现：Go（`net/http`）、Python（标准库 `ThreadingHTTPServer`，以及运行在 uvicorn 上的原生 ASGI 应用）、Node.js（`node:http`）和 Java（JDK 的 `com.sun.net.httpserver`），都响应 `GET /healthz`。本机缺少的运行时显示为*未测量*，绝不估算。

**测量方法。** 每次重复都启动一个全新的服务进程并绑定到 CPU 0（`taskset`；Go 设置 `GOMAXPROCS=1`），测量从启动进程到 `/healthz` 返回首个 `2xx` 的时间；随后测量 RSS（来自 `/proc` 的 `VmRSS`，对服务的整个进程树求和）：在首次响应时、在 1,000 个顺序的 keep-alive 请求之后，以及在手册自带的 Go 压测工具（绑定 CPU 1，闭环、keep-alive、延迟直方图）施压期间的峰值。压测工具与服务运行在同一台机器上，因此吞吐量的绝对值是本机的属性；只在同一次运行之内比较各运行时。圆点表示中位数，线段表示各次重复的波动范围。*交付大小*是一次部署必须携带的内容：Go 的二进制文件，或脚本加上它的运行时。

*当前技术栈*控件选择与 Go 对比的运行时，图表、图下的比较以及后面的三项验证门槛都随之改变；切换它只会重新读取缓存结果，不会进行任何测量。
"""),
    code("ui.validation_section(params)"),
    md(en="""
### Your services

The minimal peers are reference points, not your code. The source's advice is to rewrite **one light service of
yours** in Go and compare it with the current implementation. A profile can describe both under `services:` (see
the README, *Validate your own service*, and `data/profiles/orders-team.yaml`); `gohandbook validate PROFILE`
measures them with the same harness as the peers above — fresh process per repeat, pinned CPUs, spawn → first 2xx,
RSS of the whole process tree, the same load generator sending the profile's requests in turn and checking every
answer — and `gohandbook report --profile PROFILE` does it before running this chapter. This page never starts a
service: it shows what is in the cache, with when it was measured. Without `services:` in the profile this
section stays empty and the gates below use the minimal peers.
""", zh="""
### 你们的服务

最小对照程序只是参照点，不是你们的代码。源文档的建议是用 Go 重写**你们自己的一个轻量服务**，并与现有实现对比。团队画像可以在 `services:` 下描述这两个服务（见 README 的 *Validate your own service* 一节和 `data/profiles/orders-team.yaml`）；`gohandbook validate PROFILE` 用与上文对照程序相同的测量框架测量它们——每次重复都启动全新进程、绑定 CPU、测量从启动到首个 2xx 的时间、整个进程树的 RSS，并由同一个压测工具轮流发送画像中的请求、检查每一个应答；`gohandbook report --profile PROFILE` 会在运行本章之前完成这些测量。本页从不启动任何服务：它只展示缓存中的结果及其测量时间。画像中没有 `services:` 时，本节为空，下方的门槛使用最小对照程序。
"""),
    code("ui.services_section(params)"),
    md(en="""
### The three validation gates

Performance (throughput and peak memory), delivery (shipped bytes and start-up) and team acceptance, with this
profile's thresholds. With `services:` in the profile they are decided on your services, otherwise on the minimal
peers; the caption says which.
""", zh="""
### 三项验证门槛

性能（吞吐量与峰值内存）、交付效率（交付字节数与启动耗时）和团队接受度，采用本画像设定的阈值。画像中有 `services:` 时按你们的服务判定，否则按最小对照程序判定；表格标题会说明是哪一种。
"""),
    code("ui.gates_section(params)"),
    md(en="""
### The seed's comparison table beside the measurements

The source table is quoted as written (its Go start-up value is missing in the source, probably a cell lost after
a `<` when the document was produced). Note what the comparison peers are: minimal servers, not Spring Boot or
Django, so the seed's "~200 MB+" for Spring Boot is a framework figure that this table does not test; the JDK's own
HTTP server is measured instead.
""", zh="""
### 源文档的对比表与实测结果并列

源文档的表格按原文引用（其中 Go 的启动耗时一格在源文档中缺失，可能是生成文档时 `<` 之后的内容被当作标签删掉了）。请注意对比的对象：它们是最小的服务程序，而不是 Spring Boot 或 Django，因此源文档中 Spring Boot 的“~200MB+”是框架层面的数字，这张表并不检验它；这里实测的是 JDK 自带的 HTTP 服务器。
"""),
    code("ui.seed_table_section(params)"),
    md(en="""
### One Go binary: size and dependencies

The seed's "single file, no dependencies" and its `-s -w` saving, checked on the health-check service: sizes by
`stat`, dependencies read from the ELF program headers (an interpreter and `NEEDED` libraries mean the binary
is dynamically linked). Chapter 2 builds the full matrix across targets and flags.
""", zh="""
### 单个 Go 二进制：大小与依赖

在健康检查服务上检验源文档所说的“单文件、无依赖”以及 `-s -w` 带来的体积节省：大小由 `stat` 得出，依赖从 ELF 程序头读取（存在解释器和 `NEEDED` 库即表示该二进制是动态链接的）。第二章会针对各目标平台和编译参数构建完整的矩阵。
"""),
    code("ui.binary_section(params)"),
    md(en="""
## 3. Static analysis: go vet and staticcheck

The seed suggests `go vet` plus `staticcheck` and "observing the coverage". A small separate module
(`go-samples/vetcheck`, declaring `go 1.21`) carries planted problems, each listed in its `PLANTED.json`; the
table shows which tool found which. staticcheck is built from the tools module's `tool` directive at a version
that supports this Go; if it cannot be built here (no module proxy), the chapter says so and keeps go vet's half.
""", zh="""
## 3. 静态分析：go vet 与 staticcheck

源文档建议运行 `go vet` + `staticcheck`，并“观察静态分析覆盖率”。一个单独的小模块（`go-samples/vetcheck`，声明 `go 1.21`）中预埋了若干问题，每一个都列在它的 `PLANTED.json` 里；表格显示哪个工具发现了哪个问题。staticcheck 由 tools 模块的 `tool` 指令构建，所用版本支持当前的 Go；如果在本机无法构建（没有模块代理），本章会说明原因，并保留 go vet 的那一半结果。
"""),
    code("ui.static_section(params)"),
    md(en="""
## Chapter 1's claims and their verdicts

Every checkable claim of this chapter, from the ledger in `data/claims.yaml`. *Measured* claims get a verdict
from the cached measurement by the rule in the ledger; *cited* and *unverifiable* ones say why they are not
measured here; *not measured yet* means the measurement belongs to a later chapter or has not been run.
""", zh="""
## 第一章的论断及其结论

本章每一条可检验的论断，取自论断台账 `data/claims.yaml`。*实测*类论断按台账中的规则由缓存的测量结果得出结论；*引用*类和*无法验证*的论断说明为什么不在这里测量；*尚未测量*表示对应的测量属于后面的章节，或者还没有运行。
"""),
    code("ui.claims_section(params)"),
    md(en="""
## What this chapter tells a decision-maker

Read the recommendation together with its fragility and the three gates: the matrix encodes the team's judgment;
the gates check that judgment against measured behaviour on your own machine. To measure again (for instance on a
production-like host), run `gohandbook measure --full` and re-open this chapter with `quick = False`.
""", zh="""
## 本章对决策者意味着什么

请把建议、它的脆弱程度和三项验证门槛放在一起看：决策矩阵体现的是团队的判断，验证门槛则用你们自己机器上实测的行为来检验这个判断。如需重新测量（例如在接近生产环境的主机上），请运行 `gohandbook measure --full`，并以 `quick = False` 重新打开本章。
"""),
]

write(Path(__file__).resolve().parents[1] / "notebooks" / "01-should-we-choose-go.ipynb", cells)
print("wrote notebook 01 (English and Chinese)")
