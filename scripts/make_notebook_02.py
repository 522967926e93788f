"""Regenerate notebooks/02-go-core-strengths.ipynb and notebooks/zh/02-… (narrative + thin calls), English and
Chinese from this one cell list (see _nb.py). What explains a table or chart once and for all is written here;
what states a finding is computed by widgets/ch2.py from the cached results."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _nb import code, md, params_cell, write  # noqa: E402

from gohandbook.ch2 import PARAMS as CH2  # noqa: E402

cells = [
    md(en="""
# Chapter 2 — Go's core strengths, measured
*第二章:Go语言在企业级架构中的核心竞争力解构*

The source document credits Go with five strengths for enterprise and cloud-native systems: a concurrency model that
scales to millions of goroutines, static single-binary deployment, a tunable garbage collector, a mature toolchain,
and a usable (if gappy) ecosystem for Kubernetes operators and WebAssembly. This chapter tests each on this machine.

Every figure is one of three things, and says which: **measured** here by a real program (machine, Go version, date
and preset beside it), **computed** by a model whose inputs you can move, or **quoted** from the source document
(its tables are shown as cited opinion, with the wrong cells marked). Moving a control never starts a measurement:
the numbers come from the cache that `gohandbook measure` fills; the quick preset runs in CI, `--full` goes further.
""", zh="""
# 第二章 — Go 的核心竞争力：实测
*源文档第二章:Go语言在企业级架构中的核心竞争力解构*

源文档认为 Go 在企业级和云原生系统中有五项核心竞争力：可扩展到百万级 goroutine 的并发模型、静态编译的单二进制部署、可调优的垃圾回收器、成熟的工具链，以及虽有断层但可用的 Kubernetes Operator 与 WebAssembly 生态。本章在本机逐项检验。

每个数字都属于以下三类之一，并会注明是哪一类：由真实程序在本机**实测**（旁边注明机器、Go 版本、日期和预设），由输入可调的模型**计算**，或从源文档**引用**（源文档的表格作为引用的观点展示，并标出其中有误的单元格）。调节控件从不启动测量：数字来自 `gohandbook measure` 填充的缓存；快速预设在 CI 中运行，`--full` 测得更全面。
"""),
    params_cell(CH2),
    code("""
from gohandbook import ch2
from widgets import ch2 as ui

params = ch2.PARAMS.from_namespace(globals())
"""),
    md(en="""
## 2.1 Concurrency: what one goroutine costs

The seed: *"a goroutine (only 2 KB of stack on average) allows million-level concurrency"*. A Go program starts N
goroutines that all block on one channel and reports, from `runtime/metrics`, the goroutine stack memory and heap
objects they add, and from `/proc` the resident memory (RSS) and the number of OS threads. The same is done for Python
threads blocked on an `Event` and for asyncio tasks awaiting one. Each count runs in a fresh process, and a figure
*per unit* is (the reading with N units alive − the reading before) ÷ N. The table gives each kind at the largest N
measured; the chart shows how the cost per unit changes with N.

Threads are where Python stops: each reserves a stack of `ulimit -s` (8 MB by default) of virtual memory and a few
memory maps, and creation fails at the first system limit reached (process IDs, memory maps, threads). The full preset finds the limit by starting threads until one fails, with a
hard cap that keeps 4,096 process IDs free for the rest of the machine; the quick preset predicts it from the maps
each thread adds.
""", zh="""
## 2.1 并发：一个 goroutine 的代价

源文档：*“Go 的 goroutine(平均仅 2KB 栈空间)可百万级并发”*。一个 Go 程序启动 N 个 goroutine，全部阻塞在同一个 channel 上，并从 `runtime/metrics` 报告它们新增的 goroutine 栈内存和堆对象，从 `/proc` 报告常驻内存（RSS）和 OS 线程数。对阻塞在 `Event` 上的 Python 线程和等待它的 asyncio 任务也做同样的测量。每个数量都在一个新进程中运行，*每单元*的数字为（N 个单元存活时的读数 − 之前的读数）÷ N。表格给出每种单元在测量的最大 N 下的数值；图表显示每单元代价如何随 N 变化。

Python 在线程上遇到瓶颈：每个线程预留一个 `ulimit -s` 大小（默认 8 MB）的栈作为虚拟内存，外加若干内存映射，一旦触及某项系统上限（进程 ID、内存映射数、线程数），创建就会失败。完整预设通过不断启动线程直到失败来找到上限，并设有硬性上限，为机器上的其他进程保留 4,096 个进程 ID；快速预设则根据每个线程新增的内存映射数预测上限。
"""),
    code("ui.concurrency_memory_section(params)"),
    md(en="""
### The seed's 100,000 `http.Get` goroutines

The seed's snippet starts one goroutine per request and calls `http.Get` 100,000 times, never closing a response body
and never waiting. Here it runs against the handbook's own health-check server on 127.0.0.1 (the fan-out program
refuses any non-loopback address), next to a **bounded** version: an errgroup-style limit of 64 requests in flight,
bodies read and closed, and a transport that keeps 64 idle connections to reuse. The full preset adds the unbounded
loop with bodies closed, to separate the two mistakes. Client and server share this machine and are not pinned to
cores; the server is restarted for every run, and the load average before each run is recorded, because other work on
the machine slows every variant.

Each unclosed body pins a connection and its file descriptor; `http.DefaultTransport` keeps only 2 idle connections
per host anyway, so 100,000 concurrent calls to one host keep opening new sockets, up to the process's file-descriptor
limit (`ulimit -n`). Production code bounds concurrency, closes bodies and sets timeouts
(`http.DefaultClient` has none).
""", zh="""
### 源文档中 10 万个 `http.Get` goroutine

源文档的代码片段为每个请求启动一个 goroutine，共调用 `http.Get` 100,000 次，从不关闭响应体，也从不等待。这里让它请求本手册自带的健康检查服务（127.0.0.1，扇出程序拒绝任何非回环地址），并与一个**有界**版本对比：errgroup 式限流，最多 64 个请求同时在途，读完并关闭响应体，transport 保留 64 个空闲连接供复用。完整预设还加入关闭响应体但不限并发的循环，以区分这两个错误。客户端和服务端在同一台机器上，不绑定 CPU 核；每次运行都重启服务端，并记录运行前的平均负载，因为机器上的其他工作会拖慢每一种方式。

每个未关闭的响应体都会占住一个连接及其文件描述符；而 `http.DefaultTransport` 对每个主机本来只保留 2 个空闲连接，所以对同一主机的 100,000 个并发调用会不断打开新 socket，直至触及进程的文件描述符上限（`ulimit -n`）。生产代码会限制并发、关闭响应体并设置超时（`http.DefaultClient` 没有超时）。
"""),
    code("ui.fanout_section(params)"),
    md(en="""
### The seed's concurrency-model table, as cited opinion

The source document's table 2.1, cell by cell, with the handbook's assessment of each cell. It is opinion, not a
measurement; the assessments rest on the Go specification ("Handling panics"), OpenTelemetry's Go instrumentation
documentation and Istio's sidecar-injection documentation.
""", zh="""
### 源文档的并发模型对比表（引用的观点）

逐格列出源文档的表 2.1，并附上本手册对每一格的评估。这是观点而非测量；评估依据 Go 语言规范（“Handling panics”）、OpenTelemetry 的 Go 插桩文档和 Istio 的 sidecar 注入文档。
"""),
    code("ui.concurrency_table_section(params)"),
    md(en="""
## 2.2 Static compilation and zero-dependency deployment

The health-check service is built with each flag set — default, `CGO_ENABLED=0`, `-ldflags '-s -w'`, `-trimpath`, and
all combined — for linux/amd64, linux/arm64, windows/amd64, darwin/arm64 and wasip1/wasm. Sizes are each file's
`st_size` (`stat`); what each binary needs at run time is read from its own headers (ELF interpreter and `DT_NEEDED`,
PE imports, Mach-O `LC_LOAD_DYLIB`, wasm import modules) and, for the native builds, checked with `ldd`.
Cross-compiled binaries are inspected, not run.

Three things to read the results with. A native build with a C compiler present has cgo on by default, and the `net`
package then uses the C resolver, so the default binary links libc. `-a` only forces rebuilding packages; it does not
change how the binary is linked, and a build with `-a` but cgo left on tests the seed's claim that it does. Binaries for
darwin/arm64 and windows/amd64 always load operating-system libraries (libSystem, kernel32.dll): "zero dependencies"
means no third-party libraries, not no operating-system libraries.
""", zh="""
## 2.2 静态编译与零依赖部署

用每一组构建参数——默认、`CGO_ENABLED=0`、`-ldflags '-s -w'`、`-trimpath` 以及全部组合——为 linux/amd64、linux/arm64、windows/amd64、darwin/arm64 和 wasip1/wasm 构建健康检查服务。大小取每个文件的 `st_size`（`stat`）；每个二进制文件运行时需要什么，从它自己的文件头读出（ELF 的解释器和 `DT_NEEDED`、PE 的导入表、Mach-O 的 `LC_LOAD_DYLIB`、wasm 的导入模块），原生构建再用 `ldd` 核对。交叉编译的二进制文件只做检查，不运行。

解读结果时要注意三点。在装有 C 编译器的机器上，原生构建默认开启 cgo，`net` 包随之使用 C 解析器，因此默认构建的二进制会链接 libc。`-a` 只是强制重新编译所有包，并不改变二进制的链接方式；用 `-a` 但保持 cgo 开启的构建，正是用来检验源文档“-a 保障全量静态链接”这一说法的。darwin/arm64 和 windows/amd64 的二进制总要加载操作系统库（libSystem、kernel32.dll）：“零依赖”指没有第三方库，而不是不依赖操作系统库。
"""),
    code("ui.build_section(params)"),
    md(en="""
### The seed's hybrid-cloud start-up table

Cited, not measured: the source document's table 2.2 gives no service, method or run count, and no primary source was
found. This machine cannot stand in for EC2, OpenStack or an ARM64 edge node; the one comparable number measured here is
the static health-check binary's own start-up, in the right-hand column.
""", zh="""
### 源文档的混合云启动耗时表

引用，未测量：源文档的表 2.2 没有说明是什么服务、用什么方法、运行了几次，也没有找到一手来源。本机无法代替 EC2、OpenStack 或 ARM64 边缘节点；这里唯一可比的实测数字是静态构建的健康检查二进制自身的启动耗时，见最右一列。
"""),
    code("ui.hybrid_table_section(params)"),
    md(en="""
## 2.3 Memory safety and GC tuning

Go has one GC knob with a clear trade-off (the Go GC guide): GOGC sets how much the heap may grow over the live
heap before the next cycle, so doubling it roughly halves GC CPU and doubles heap overhead; GOMEMLIMIT (Go 1.19+)
adds a soft memory ceiling that makes the GC work harder as the limit nears. An allocation workload (small
pointer-carrying records, a fixed live set) runs once per grid point; the chart plots GC work against peak RSS,
and the stop-the-world pauses come from `runtime/metrics` `/sched/pauses/total/gc:seconds`.
""", zh="""
## 2.3 内存安全与 GC 调优

Go 的 GC 只有一个主要旋钮，其权衡很清楚（Go GC 指南）：GOGC 决定下一轮 GC 之前堆可以在存活堆之上增长多少，因此把它翻倍大致会让 GC CPU 减半、堆开销翻倍；GOMEMLIMIT（Go 1.19+）再加一个软性内存上限，越接近上限 GC 工作得越多。一个分配负载（带指针的小记录，存活集大小固定）在每个网格点上运行一次；图表把 GC 工作量与 RSS 峰值对照画出，stop-the-world 暂停来自 `runtime/metrics` 的 `/sched/pauses/total/gc:seconds`。
"""),
    code("ui.gc_section(params)"),
    md(en="""
### Per-request allocation vs `sync.Pool`

The seed's Java answer to allocation pressure is a `ThreadLocal` pool of direct buffers. Go's counterpart is
`sync.Pool`: the benchmark renders the same 64-line response with a fresh `bytes.Buffer` per request and with a
pooled one (reset before use, so no bytes of an earlier request can be read back). Run with
`go test -bench -benchmem -count N`; the table gives the median, a distribution-free 95 % confidence interval of the
median (as `benchstat` reports it) and the range, and the raw output is kept in the format `benchstat` reads.
""", zh="""
### 按请求分配与 `sync.Pool`

面对分配压力，源文档给出的 Java 方案是用 `ThreadLocal` 池化 direct buffer。Go 中对应的是 `sync.Pool`：基准测试渲染同一个 64 行的响应，一种每个请求新建一个 `bytes.Buffer`，另一种从池中取（使用前先重置，因此读不到上一个请求的任何字节）。用 `go test -bench -benchmem -count N` 运行；表格给出中位数、中位数的无分布假设 95 % 置信区间（与 `benchstat` 的报告方式相同）和范围，原始输出按 `benchstat` 可读的格式保留。
"""),
    code("ui.pool_section(params)"),
    md(en="""
### The seed's Java G1 table

Cited, not measured: the source document's G1 table (2.3) and its Java `ThreadLocal`/`allocateDirect` buffer pool come
from another team's production Java service; no primary source was found for 187 ms or 42 ms, and no comparable Java
workload is run here. Below the table, what the local JDK reports for the two flags. G1 sizes its regions from the
heap size (a power of two between 1 and 32 MB), so a "2MB default" holds only for some heap sizes.
""", zh="""
### 源文档的 Java G1 调优表

引用，未测量：源文档的 G1 表（2.3）及其 Java `ThreadLocal`/`allocateDirect` 缓冲池来自另一个团队的生产 Java 服务；187ms 和 42ms 都没有找到一手来源，本机也不运行可比的 Java 负载。表格下方是本机 JDK 对这两个参数给出的值。G1 根据堆大小确定 Region 大小（1 到 32 MB 之间的 2 的幂），所以“默认 2MB”只对部分堆大小成立。
"""),
    code("ui.g1_section(params)"),
    md(en="""
## 2.4 Toolchain maturity

`go mod graph`, `go mod verify` and `go list -m all` on the handbook's two modules — the samples (standard library
only) and the tools module that pins staticcheck and so pulls real dependencies — offline, from the local module
cache. Modules that need the network are in the requirement graph but not in the local module cache; staticcheck still
builds offline, so its build does not need them (a full `go list -m all` or `go mod download` would). `go version -m`
on the built binaries lists the modules actually linked in, with the `h1:` checksums the Go command recorded, each
compared with the tools module's `go.sum`: an SBOM in all but format. Note what the seed gets wrong: `go mod graph`
enables nothing (minimal version selection is always on), and `replace` directives cannot be scoped with `//go:build`
(they apply only in the main module; use `go.work` for local overrides).

eBPF is probed, not measured: the handbook checks whether the kernel accepts the `bpf()` system call and has BTF, and
whether `bpftool` is installed. The seed's Go side needs a Go eBPF library (cilium/ebpf, for CO-RE via `btf.LoadSpec`),
which the handbook's modules do not include, and measurements run offline (`GOPROXY=off`); the seed's eBPF table is
therefore cited, not verified.
""", zh="""
## 2.4 工具链成熟度

在本手册的两个模块上离线（只用本地模块缓存）运行 `go mod graph`、`go mod verify` 和 `go list -m all`：一个是只用标准库的示例模块，另一个是固定了 staticcheck 版本、因而引入真实依赖的 tools 模块。需要联网的模块出现在依赖图中，但不在本地模块缓存里；staticcheck 仍能离线构建，说明它的构建并不需要这些模块（完整的 `go list -m all` 或 `go mod download` 才需要）。对已构建的二进制运行 `go version -m`，会列出实际链接进来的模块及 Go 命令记录的 `h1:` 校验和，并逐一与 tools 模块的 `go.sum` 比对：除了格式，这就是一份 SBOM。注意源文档说错的地方：`go mod graph` 并不“启用”任何东西（最小版本选择始终生效），`replace` 指令也不能用 `//go:build` 限定范围（它只在主模块中生效；本地覆盖请用 `go.work`）。

eBPF 只做探测，不做测量：本手册检查内核是否接受 `bpf()` 系统调用、是否提供 BTF，以及是否安装了 `bpftool`。源文档的 Go 一侧需要一个 Go eBPF 库（cilium/ebpf，通过 `btf.LoadSpec` 实现 CO-RE），本手册的模块不包含它，而且测量是离线运行的（`GOPROXY=off`）；因此源文档的 eBPF 表只作引用，未经验证。
"""),
    code("ui.toolchain_section(params)"),
    md(en="""
## 2.5 Ecosystem gaps: operator reconcile loops and WebAssembly

### Periodic requeue vs watch-driven reconcile (model)

The seed's Reconcile polls: every object requeues itself every 30 s and calls an external API each time. The model
below counts API-server requests and external calls per hour and the staleness of the controller's view as the number
of objects and the requeue interval change, starting from controller-runtime's published defaults (SyncPeriod 10 h
with 10 % jitter, MaxConcurrentReconciles 1, per-item backoff 5 ms·2ⁿ capped at 1000 s). One nuance the seed misses:
when the state lives outside the cluster, as `fetchFromClusterAPI` suggests, no watch can see it changing, so some
periodic requeue is the normal pattern; the question is how often, and whether one worker can keep up.
""", zh="""
## 2.5 生态断层：Operator 的 reconcile 循环与 WebAssembly

### 周期性 requeue 与 watch 驱动的 reconcile（模型）

源文档中的 Reconcile 采用轮询：每个对象每 30 秒把自己重新入队一次，每次都调用外部 API。下面的模型以 controller-runtime 公布的默认值为起点（SyncPeriod 10 h，抖动 10 %；MaxConcurrentReconciles 1；按对象退避 5 ms·2ⁿ，上限 1000 s），计算随着对象数和 requeue 间隔变化，每小时的 API Server 请求数、外部调用数以及控制器视图的滞后。源文档忽略了一个细节：如果状态存在于集群外部（正如 `fetchFromClusterAPI` 所暗示的），任何 watch 都看不到它的变化，所以一定程度的周期性 requeue 是正常做法；问题在于多久一次，以及一个 worker 能否跟得上。
"""),
    code("ui.reconcile_panel(params)"),
    md(en="""
### WebAssembly: a Go program under WASI

A small Go program is built for `GOOS=wasip1 GOARCH=wasm` and run under Node's built-in WASI (`node:wasi`, preview1)
next to the same program built natively; it prints its platform, arguments and an environment variable passed through
WASI, and a SHA-256 that must match the native run.

The source document's Wasm runtime table (2.5) is cited, not measured: the handbook runs none of WasmEdge, Wasmer, Spin
or CRI-O; the claims below say what is wrong in it.
""", zh="""
### WebAssembly：WASI 下的 Go 程序

把一个小型 Go 程序以 `GOOS=wasip1 GOARCH=wasm` 构建，在 Node 内置的 WASI（`node:wasi`，preview1）下运行，并与同一程序的原生构建对比；程序打印其平台、命令行参数和一个经 WASI 传入的环境变量，以及一个必须与原生运行一致的 SHA-256。

源文档的 Wasm 运行时表（2.5）只作引用，未测量：本手册不运行 WasmEdge、Wasmer、Spin 或 CRI-O 中的任何一个；下面的论断说明了表中哪些地方有误。
"""),
    code("ui.wasm_section(params)"),
    md(en="""
## Chapter 2's claims and their verdicts

Every checkable claim of this chapter from the ledger in `data/claims.yaml`. *Measured* claims get a verdict from the
cached measurement by the ledger's rule; *cited* ones quote a source; *model* claims are explored above.
""", zh="""
## 第二章的论断及其结论

来自论断台账 `data/claims.yaml` 的本章全部可检验论断。*实测*类论断按台账中的规则，根据缓存的测量结果得出结论；*引用*类论断注明出处；*模型*类论断已在上文中探讨。
"""),
    code("ui.claims_section(params)"),
    md(en="""
## What this chapter tells a decision-maker

The measured findings, each computed from the cached results above:
""", zh="""
## 本章对决策者意味着什么

实测发现，每一条都由上文的缓存结果计算得出：
"""),
    code("ui.findings_section(params)"),
    md(en="""
How to read them: cheap goroutines do not remove the need for bounds — a fan-out that is safe in production limits
requests in flight, closes bodies and sets timeouts, in any language. Whether a binary is static depends on cgo, which
the list above shows for each build. The GC's main trade-off, memory against GC work, can be measured and set with GOGC
and GOMEMLIMIT. The toolchain's verification works offline and every binary carries its module list. For operators
and WebAssembly, compare the model and the runtime figures above with your own object counts and start-up budget. To
measure again on another machine, run `gohandbook measure --force` (or `--full`) and re-open this chapter.
""", zh="""
如何解读：goroutine 再廉价，也不能省去限流——一个能安全用于生产的扇出，无论用什么语言，都要限制在途请求数、关闭响应体并设置超时。二进制是否为静态链接取决于 cgo，上面的列表给出了每种构建的情况。GC 的主要权衡——内存与 GC 工作量——可以测量，并通过 GOGC 和 GOMEMLIMIT 设置。工具链的校验可以离线完成，每个二进制都带有自己的模块清单。至于 Operator 和 WebAssembly，请把上面的模型和运行时数字与贵团队自己的对象数量和启动耗时预算对照。要在另一台机器上重新测量，运行 `gohandbook measure --force`（或 `--full`），然后重新打开本章。
"""),
]

write(Path(__file__).resolve().parents[1] / "notebooks" / "02-go-core-strengths.ipynb", cells)
print("wrote notebook 02 (en, zh)")
