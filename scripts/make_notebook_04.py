"""Regenerate notebooks/04-risks-and-rollout.ipynb and notebooks/zh/04-… (narrative + thin calls), English and
Chinese from this one cell list (see _nb.py)."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _nb import code, md, params_cell, write  # noqa: E402

from gohandbook.ch4 import PARAMS as CH4  # noqa: E402

cells = [
    md(en="""
# Chapter 4 — Risks and a progressive rollout
*第四章:企业级Go落地的风险图谱与渐进式实施路径*

The source document's fourth chapter maps the risks of adopting Go in a company and a way to roll it out
gradually: the cost of moving a Java/Python team to Go's engineering culture (4.1), a glue layer that shifts
traffic from the legacy system step by step (4.2), security and compliance checks (4.3) and chaos experiments
(4.4). This is the chapter decision-makers argue over, so every number below says what it is:
**computed** by a model whose inputs and sources are on the page (and which you can move),
**measured** on this machine by a real program (with machine, Go version and date beside it),
or **quoted** from the source document or a cited primary source.
Moving a control re-runs a model; it never measures. Measurements come from the cache that
`gohandbook measure` (or `make report`) fills.
""", zh="""
# 第四章 — 风险与渐进式落地
*源文档第四章：企业级Go落地的风险图谱与渐进式实施路径*

源文档第四章描绘了企业落地 Go 的风险图谱和一条渐进式实施路径：把 Java/Python 团队迁移到 Go 工程文化的成本（4.1）、把流量从遗留系统逐步切到新服务的胶水层（4.2）、安全合规检查（4.3）以及混沌工程实验（4.4）。这是决策者争论最多的一章，所以下面每个数字都注明了它的性质：由输入和来源都列在页面上的模型**计算**（你可以调整这些输入），由真实程序在本机**实测**（旁边注明机器、Go 版本和日期），或**引用**自源文档或注明出处的一手资料。调整控件只会重新运行模型，绝不会触发测量。测量结果来自 `gohandbook measure`（或 `make report`）填充的缓存。
"""),
    params_cell(CH4),
    code("""
from gohandbook import ch4
from widgets import ch4 as ui

params = ch4.check(ch4.PARAMS.from_namespace(globals()))
"""),
    md(en="""
## 4.1 What moving the team to Go costs

The seed rates the "cognitive friction" of three habits a Java/Python engineer brings to Go, on a scale of 1 to 5:
error handling (try/catch → explicit `error` returns) **4**, concurrency (thread pools and `synchronized` →
goroutines and channels) **5**, dependency management (Maven/pip → `go mod`) **3**. These are opinions, not
measurements; nobody has measured friction in points. The seed says nothing about Node.js engineers, so the same
ratings apply to them until you change them (`mig_friction_extra` adds dimensions, optionally for some languages
only). What can be done honestly is to turn the ratings into a cost model whose every step is visible and whose
inputs come from published data where such data exist:

- **How deep the dip is at the switch** — COCOMO II.2000's effort multipliers for language-and-tool experience
  (LTEX 1.20 / 1.09 / 1.00 / 0.91 / 0.84 from very low to very high) and platform experience (PLEX 1.19 / 1.09 /
  1.00 / 0.91 / 0.85). An engineer with three years in their language (LTEX *high*, 0.91) who starts in Go
  (*very low*, 1.20) works at 0.91 / 1.20 ≈ 76 % of their old speed. Source: Boehm et al., *COCOMO II Model
  Definition Manual*, version 2000.0, USC Center for Software Engineering.
- **How long the climb takes** — the Go Developer Survey 2020 asked "how long before you felt productive" (n = 2,712):
  < 1 week 10 %, 1 week – 1 month 31 %, 1–3 months 33 %, 3 months – 1 year 18 %, > 1 year 4 %, not yet 4 %
  ([go.dev/blog/survey2020-results](https://go.dev/blog/survey2020-results)). Each simulated engineer draws a time from
  this distribution.
- **What friction does** — it stretches that time: by (1 + elasticity)^(F − 3), where F is the engineer's mean
  friction over the matrix's dimensions (each rating ± an individual spread). The survey's respondents are taken
  to have met an average friction of 3; the elasticity (25 % per point by default) is an assumption you can set to
  0 to switch friction off.
- **The shape of the climb** — exponential, which fits individual learning data better than a power law
  (Heathcote, Brown & Mewhort 2000, *Psychonomic Bulletin & Review* 7(2)); "felt productive" is read as having
  closed 90 % of the gap.

The team's velocity is the share of time spent on the migrated systems at the engineers' Go speed plus the rest at
today's speed. The Monte Carlo runs (seeded, so the same inputs give the same answer) draw every engineer's
experience, friction and ramp-up; the fan shows the 10–90 % band of the team's velocity. The cost of the dip is the
area under today's velocity that the team loses. Break-even compares it with running-cost savings computed from
chapter 1's measured throughput and peak memory per instance (your fleet and unit prices are parameters; the default
prices are placeholders).
""", zh="""
## 4.1 团队迁移到 Go 的成本

源文档用 1 到 5 分评估了 Java/Python 工程师带入 Go 的三种习惯的“认知摩擦”：错误处理（try-catch → 显式 `error` 返回）**4** 分，并发模型（线程池与 `synchronized` → goroutine 与 channel）**5** 分，依赖管理（Maven/Pip → `go mod`）**3** 分。这些是观点而不是测量，没有人用分数测量过摩擦。源文档没有提到 Node.js 工程师，因此在你修改之前，同样的评分也适用于他们（`mig_friction_extra` 可以添加维度，也可以只对部分语言生效）。能诚实做到的，是把这些评分转化为一个成本模型：每一步都可见，凡有公开数据的输入都取自公开数据：

- **切换时低谷有多深** —— COCOMO II.2000 中语言与工具经验（LTEX，从很低到很高依次为 1.20 / 1.09 / 1.00 / 0.91 / 0.84）和平台经验（PLEX 1.19 / 1.09 / 1.00 / 0.91 / 0.85）的工作量乘数。一名在原语言上有三年经验（LTEX *高*，0.91）的工程师刚开始写 Go（*很低*，1.20）时，速度约为原来的 0.91 / 1.20 ≈ 76 %。来源：Boehm 等，*COCOMO II Model Definition Manual*，2000.0 版，USC Center for Software Engineering。
- **爬坡需要多久** —— Go 开发者调查 2020 询问了“多久之后你觉得能高效工作”（n = 2,712）：< 1 周 10 %，1 周 – 1 个月 31 %，1–3 个月 33 %，3 个月 – 1 年 18 %，> 1 年 4 %，尚未 4 %（[go.dev/blog/survey2020-results](https://go.dev/blog/survey2020-results)）。每名模拟的工程师从这个分布中抽取一个时间。
- **摩擦的作用** —— 它把这个时间拉长 (1 + 弹性)^(F − 3) 倍，F 是该工程师在映射表各维度上的平均摩擦（每项评分加减一个个人离散度）。假定调查受访者遇到的平均摩擦为 3；弹性（默认每分 25 %）是一个假设，设为 0 即关闭摩擦。
- **爬坡的形状** —— 指数曲线，它比幂律更符合个人学习数据（Heathcote、Brown & Mewhort 2000，*Psychonomic Bulletin & Review* 7(2)）；“觉得能高效工作”理解为差距已弥合 90 %。

团队速度 = 投入被迁移系统的时间比例 × 工程师的 Go 速度 + 其余时间 × 当前速度。蒙特卡洛模拟（带随机种子，相同输入得到相同结果）为每名工程师抽取经验、摩擦和上手时间；扇形图显示团队速度的 10–90 % 区间。低谷成本是团队相对当前速度损失的面积。盈亏平衡把它与运行成本节省相比较，后者由第一章实测的每实例吞吐量和峰值内存计算（实例规模和单价是参数；默认价格只是占位值）。
"""),
    code("ui.friction_section(params)"),
    code("ui.migration_panel(params)"),
    md(en="""
**How to read it.** The depth of the dip comes from COCOMO, its length from the survey and the friction matrix; the
band is the spread between teams that happen to draw fast or slow learners, which is how much the answer depends on
who is on the team. A small team has a wide band: one slow learner moves the average. Two things the model does
*not* contain, on purpose: a claim that Go makes anybody faster in the long run (the long-run velocity is 100 %
unless you change it) and training costs or a rewrite budget (add them to the cost per engineer-month or as a longer
dip). The running-cost side uses a health-check service, which is nearly all runtime overhead, so 100 % of the
measured gap realised is an upper bound for a real service.

### The goroutine loop-variable experiment

The seed warns that a goroutine started in a `for` loop "captures the loop variable, so all goroutines share one
memory address". That was true until Go 1.22. Since Go 1.22 each iteration of a `for` loop has its own variable —
but per module, decided by the `go` line in `go.mod` ([Go 1.22 release notes](https://go.dev/doc/go1.22#language),
[Fixing for loops in Go 1.22](https://go.dev/blog/loopvar-preview)). The same program is run in three modules that
differ only in that line: `go 1.21`, `go 1.22` and none at all (then the go command assumes go 1.16). Each case's
goroutines wait until the loop has finished, so a shared variable shows deterministically. `go vet`'s loopclosure
check reports the capture only in files whose language version is below 1.22. The seed's own "wrong" example
(`processItem`) captures a function parameter, not a loop variable, so it is correct under every Go version; its
output is shown below.
""", zh="""
**如何解读。** 低谷的深度来自 COCOMO，长度来自调查数据和认知摩擦映射表；色带反映的是恰好抽到学得快或学得慢的工程师的团队之间的差异，也就是答案在多大程度上取决于团队里是谁。小团队的色带很宽：一名学得慢的工程师就能拉动平均值。模型有意*不*包含两样东西：Go 会让任何人长期变得更快的论断（除非你修改，长期速度为 100 %），以及培训成本或重写预算（可以把它们计入每工程师月成本，或作为更长的低谷）。运行成本一侧用的是健康检查服务，它几乎全是运行时开销，因此“实测差距兑现 100 %”对真实服务而言是上限。

### goroutine 循环变量实验

源文档警告，在 `for` 循环中启动的 goroutine “捕获循环变量，所有 goroutine 共享同一内存地址”。这在 Go 1.22 之前是对的。从 Go 1.22 起，`for` 循环的每次迭代都有自己的变量——但这是按模块生效的，由 `go.mod` 中的 `go` 行决定（[Go 1.22 发布说明](https://go.dev/doc/go1.22#language)、[Fixing for loops in Go 1.22](https://go.dev/blog/loopvar-preview)）。同一个程序在三个只有这一行不同的模块中运行：`go 1.21`、`go 1.22` 和没有 `go` 行（此时 go 命令按 go 1.16 处理）。每个用例的 goroutine 都等到循环结束后才读取变量，因此共享变量会确定地显现。`go vet` 的 loopclosure 检查只在语言版本低于 1.22 的文件中报告这种捕获。源文档自己的“错误”示例（`processItem`）捕获的是函数参数而不是循环变量，因此在任何 Go 版本下都是正确的；它的输出见下方。
"""),
    code("ui.loopvar_section(params)"),
    md(en="""
## 4.2 Legacy glue and progressive traffic shifting

**Described, not built:** the seed's glue layer puts a gRPC-JSON gateway in front of new gRPC services with an OpenAPI
document as "the single source of truth". In grpc-gateway it is the other way round: the `.proto` file with
`google.api.http` annotations is the source, `protoc-gen-grpc-gateway` generates the HTTP-to-gRPC routes from it, and
`protoc-gen-openapiv2` emits an OpenAPI **2.0** (Swagger) document; the `openapiv2_swagger` option in the seed only sets
that document's metadata ([grpc-gateway documentation](https://grpc-ecosystem.github.io/grpc-gateway/)).

**Built and measured:** the traffic shifting. The seed's plan is 5 % → 50 % → 100 %. Progressive-delivery controllers
make such a plan a control loop: [Flagger](https://docs.flagger.app/usage/deployment-strategies) checks the canary every
`interval` (default 60 s) against its built-in metrics (request success rate ≥ 99 %, p99 ≤ 500 ms over the last minute);
a passing check moves to the next weight, a failing one holds it, and after `threshold` failed checks (default 1) it
rolls back to 0 %; an interval with no data counts as failed. A promotion therefore takes interval × number of steps,
a rollback interval × threshold. [Argo Rollouts](https://argo-rollouts.readthedocs.io/en/stable/features/analysis/) fails
an analysis once failures exceed `failureLimit` (default 0) and then aborts the rollout (weight 0) — threshold 1 in the
model's terms. The model below computes, exactly for these semantics, how many bad requests a faulty version serves
before it is caught, how long detection takes, and how long a healthy version needs to reach 100 %. The success
threshold decides which failure rates you accept: a version failing just under it is usually promoted.
""", zh="""
## 4.2 遗留系统胶水层与渐进式切流

**只描述，未构建：** 源文档的胶水层在新的 gRPC 服务前放一个 gRPC-JSON 网关，并以 OpenAPI 文档作为“唯一事实源”。在 grpc-gateway 中恰好相反：带 `google.api.http` 注解的 `.proto` 文件才是源头，`protoc-gen-grpc-gateway` 由它生成 HTTP-to-gRPC 路由，`protoc-gen-openapiv2` 输出一份 OpenAPI **2.0**（Swagger）文档；源文档中的 `openapiv2_swagger` 选项只设置这份文档的元数据（[grpc-gateway 文档](https://grpc-ecosystem.github.io/grpc-gateway/)）。

**已构建并实测：** 切流本身。源文档的方案是 5 % → 50 % → 100 %。渐进式交付控制器把这样的方案做成一个控制回路：[Flagger](https://docs.flagger.app/usage/deployment-strategies) 每隔 `interval`（默认 60 s）用内置指标检查一次金丝雀版本（过去一分钟请求成功率 ≥ 99 %、p99 ≤ 500 ms）；检查通过则进入下一个权重，失败则保持当前权重，累计 `threshold` 次失败（默认 1）后回滚到 0 %；没有数据的间隔按失败计。因此全量发布耗时为间隔 × 步数，回滚耗时为间隔 × 阈值。[Argo Rollouts](https://argo-rollouts.readthedocs.io/en/stable/features/analysis/) 在失败次数超过 `failureLimit`（默认 0）时判定分析失败并中止发布（权重归 0）——相当于模型中的阈值 1。下面的模型按这些语义精确计算：有缺陷的版本在被发现之前会产生多少错误请求、发现需要多久，以及健康版本需要多久才能达到 100 %。成功率阈值决定了你能接受哪些失败率：失败率刚好低于阈值的版本通常会被全量发布。
"""),
    code("ui.canary_model_panel(params)"),
    md(en="""
**Does the model describe a real router?** `go-samples/canary` is a small Go router that splits requests by weight
between a stable and a canary backend (both chapter 1's health-check service with switchable faults,
`go-samples/faultyhealth`), steps the weight through a plan and checks the canary's success rate every interval with
Flagger's semantics. The handbook's load generator drives it while the canary answers a share of requests with 500.
The interval is scaled down from 60 s to keep the run short; the model scales with requests per interval, so it is given
the plan, the interval, the failure rate and the request rate measured during the run. Requests carrying
`x-canary: v2` (the seed's header) always go to the canary and `x-canary: v1` to the stable version.
""", zh="""
**模型能描述真实的路由器吗？** `go-samples/canary` 是一个小型 Go 路由器，它按权重把请求分给稳定版本和金丝雀版本两个后端（两者都是第一章的健康检查服务，带可开关的故障，`go-samples/faultyhealth`），按方案逐步调整权重，并按 Flagger 的语义在每个间隔检查金丝雀版本的成功率。手册的压测工具驱动它，同时金丝雀版本对一部分请求返回 500。为了缩短运行时间，间隔从 60 s 按比例缩短；模型按每个间隔的请求数缩放，因此输入的是方案、间隔、失败率以及运行期间实测的请求速率。带 `x-canary: v2`（源文档中的请求头）的请求总是发往金丝雀版本，带 `x-canary: v1` 的发往稳定版本。
"""),
    code("ui.canary_measured_section(params)"),
    md(en="""
## 4.3 Security and compliance checks

The seed's pipeline runs `go vet`, `staticcheck` and `go test -fuzz`. Two details of its text do not hold: its
`staticcheck -checks='all,-ST1005,-SA1019'` *disables* SA1019 rather than enabling it (a leading `-` turns a check
off), and `go vet` has no check for unclosed readers (that is the third-party `bodyclose` linter), so none of the
planted problems is one. Chapter 1 already ran both tools over a module with planted problems; that result is reused
here.
""", zh="""
## 4.3 安全合规检查

源文档的流水线依次运行 `go vet`、`staticcheck` 和 `go test -fuzz`。其文字中有两处细节不成立：`staticcheck -checks='all,-ST1005,-SA1019'` 是*禁用* SA1019 而不是启用它（前缀 `-` 表示关闭该检查）；`go vet` 也没有检查未关闭 reader 的功能（那是第三方的 `bodyclose` linter），所以预埋问题中没有这一类。第一章已经用这两个工具扫描过一个预埋了问题的模块，这里复用其结果。
"""),
    code("ui.security_section(params)"),
    md(en="""
**Fuzzing.** `go-samples/parser` reads `key="value"; key2=bare` lists. Built with the tag `planted`, its unquoting
trusts that a backslash is always followed by another byte — a read past the end of the input, which Go turns into a
bounds-check panic instead of a silent over-read. The fuzz target `FuzzParse` checks that `Parse` never panics and that
whatever it accepts survives a round trip through `Format`. `go test -fuzz` runs bounded (the seed's pipeline uses
30 s) in a temporary copy of the package, so the crasher it saves under `testdata/fuzz/` never lands in the
repository; then the crasher is replayed against the fixed version, and the fixed version is fuzzed too
([Go fuzzing](https://go.dev/doc/security/fuzz/)). `go test ./...` runs the fixed version only.
""", zh="""
**模糊测试。** `go-samples/parser` 解析 `key="value"; key2=bare` 形式的列表。用标签 `planted` 构建时，它的去引号逻辑假定反斜杠后面总还有一个字节——这会读到输入末尾之外，而 Go 会把它变成边界检查 panic，而不是悄无声息的越界读。模糊测试目标 `FuzzParse` 检查 `Parse` 从不 panic，并且它接受的任何输入都能经 `Format` 往返不变。`go test -fuzz` 在包的临时副本中限时运行（源文档的流水线用 30 s），因此它保存在 `testdata/fuzz/` 下的崩溃输入不会进入代码仓库；随后用修复后的版本重放该崩溃输入，并对修复后的版本同样做模糊测试（[Go fuzzing](https://go.dev/doc/security/fuzz/)）。`go test ./...` 只运行修复后的版本。
"""),
    code("ui.fuzz_section(params)"),
    md(en="""
**What is inside a binary.** The seed's SCA step pipes [Syft](https://github.com/anchore/syft)'s SPDX SBOM into
[Trivy](https://github.com/aquasecurity/trivy). Neither is installed here and Trivy needs its vulnerability database
from the network, so they are cited, not run. Both read what the Go linker embeds in every binary, which
`go version -m` prints: the main module, every dependency with its version and go.sum hash, and the build settings.
A binary built from the standard library alone lists only its own module.
[govulncheck](https://go.dev/doc/security/vuln/) matches that list (and, from source, the call graph) against the Go
vulnerability database; it runs only where the database is reachable.
""", zh="""
**二进制里有什么。** 源文档的 SCA 步骤把 [Syft](https://github.com/anchore/syft) 生成的 SPDX SBOM 交给 [Trivy](https://github.com/aquasecurity/trivy) 扫描。这里两者都没有安装，而且 Trivy 需要从网络获取漏洞数据库，因此只引用、不运行。两者读取的都是 Go 链接器嵌入每个二进制的信息，也就是 `go version -m` 打印的内容：主模块、每个依赖及其版本和 go.sum 哈希，以及构建设置。只用标准库构建的二进制只列出它自己的模块。[govulncheck](https://go.dev/doc/security/vuln/) 把这份清单（从源码运行时还有调用图）与 Go 漏洞数据库比对；只有在能访问该数据库的地方才会运行。
"""),
    code("ui.sbom_section(params)"),
    md(en="""
## 4.4 Chaos

The seed builds a template library on [LitmusChaos](https://litmuschaos.io/), whose experiments run inside a
Kubernetes cluster. Without a cluster, the handbook injects the same kinds of faults into a running Go service from
the inside: `go-samples/faultyhealth` is chapter 1's health-check service with an admin API that switches added
latency, an error rate, CPU-burning goroutines or an immediate exit while it serves. For each fault the load
generator runs three windows back to back — before, with the fault on, after the fault is cleared — and the killed
process is restarted by the harness, standing in for the kubelet. Each row names the Litmus experiment it mirrors and
that experiment's main tunables. What this cannot show: how a fault spreads between services, how retries and
timeouts of callers amplify it, and what Kubernetes adds (rescheduling, readiness probes, image pulls).
""", zh="""
## 4.4 混沌工程

源文档基于 [LitmusChaos](https://litmuschaos.io/) 构建故障注入模板库，其实验在 Kubernetes 集群内运行。没有集群时，手册从内部向运行中的 Go 服务注入同类故障：`go-samples/faultyhealth` 是第一章的健康检查服务，带一个管理 API，可在服务运行时开启附加延迟、错误率、消耗 CPU 的 goroutine 或立即退出。对每种故障，压测工具连续运行三个窗口——故障前、故障注入中、故障清除后——被终止的进程由测试框架重启，代替 kubelet 的角色。每一行注明它所对应的 Litmus 实验及该实验的主要可调参数。这种方式无法展示的是：故障如何在服务之间传播、调用方的重试和超时如何放大故障，以及 Kubernetes 带来的影响（重新调度、就绪探针、镜像拉取）。
"""),
    code("ui.chaos_section(params)"),
    md(en="""
## Chapter 4's claims and their verdicts

Every checkable claim of this chapter from the ledger in `data/claims.yaml`. *Measured* claims get a verdict from the
cached measurement by the rule in the ledger (*outdated* means it was true for older Go); *model* claims are addressed
by this chapter's models; *cited* and *unverifiable* ones say why they are not measured here.
""", zh="""
## 第四章的论断及其结论

论断台账 `data/claims.yaml` 中本章每一条可检验的论断。*实测*类论断按台账中的规则由缓存的测量结果得出结论（*已过时*表示它对较早的 Go 版本成立）；*模型*类论断由本章的模型处理；*引用*类和*无法验证*的论断说明了为什么这里不测量。
"""),
    code("ui.claims_section(params)"),
    md(en="""
## What this chapter tells a decision-maker

Each point below is computed from this page's model run (the settings above) or from the cached measurements, so it
changes with the profile and the machine. Two things the page cannot tell: how a fault spreads between services
(cascades need a cluster and are not measured here), and what a rewrite budget or training adds to the dip (add them
to the cost per engineer-month).

When a control is greyed out, it cannot change anything under the other settings: the reason is shown under the
controls. The migration model on a live page simulates at most a bounded number of runs (the report runs them all);
the page says when it does.
""", zh="""
## 本章告诉决策者什么

下面每一点都由本页的模型运行（上面的设置）或缓存的测量结果计算得出，因此会随团队画像和机器而变化。有两件事本页无法回答：故障如何在服务之间传播（级联故障需要集群，这里没有测量），以及重写预算或培训会让低谷增加多少（请把它们计入每工程师月成本）。

控件变灰时，表示在其他设置下它不会改变任何结果：原因显示在控件下方。在线页面上的迁移模型最多只模拟有限次数（报告会全部模拟）；发生这种情况时页面会说明。
"""),
    code("ui.findings_section(params)"),
]

write(Path(__file__).resolve().parents[1] / "notebooks" / "04-risks-and-rollout.ipynb", cells)
print("wrote notebook 04 (en, zh)")
