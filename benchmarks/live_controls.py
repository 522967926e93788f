"""How long does moving each live control take to recompute?

For every live panel of every chapter (widgets.controls.REGISTRY, filled by importing the chapters' widget
modules) and every control on it, this sets the control to each end of what it offers (its minimum and its
maximum; the first and last choice) with everything else at the defaults, and times what the page recomputes:
the model and the chart specs (`Panel.evaluate` plus each chart's spec as a live update makes it,
`widgets.controls.live_spec`: what a live chart widget sends to the browser). No browser, no kernel: the time a reader waits beyond that is the widget
round trip (~0.15 s in Voila here). Before each timing the in-process memos are emptied and the page's state
(the defaults) is evaluated untimed, as a reader's page has it: what the move can reuse from the page it comes
from it reuses (e.g. chapter 3's sweep points that do not depend on the moved control), nothing else.
Free-text controls have no ends and are not timed (listed at the end).

Goal on the 2-core machine: the slowest control <= 1 s, the median <= 0.15 s. A benchmark, not a test: it
exits non-zero only with --check and a missed goal.

    .venv/bin/python benchmarks/live_controls.py [--repeat 3] [--top 12] [--check]
"""
from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

GOAL_SLOWEST_S = 1.0
GOAL_MEDIAN_S = 0.15


def _clear_memos() -> None:
    """Empty every in-process memo of the chapter modules (a moved control must not reuse a result)."""
    from gohandbook.cache import Memo

    for name, module in list(sys.modules.items()):
        if name.startswith(("gohandbook", "widgets")) and module is not None:
            for value in vars(module).values():
                if isinstance(value, Memo):
                    value._items.clear()


def _evaluate(panel, state: dict) -> None:
    from widgets.controls import live_spec

    for view in panel.evaluate(state).values():
        live_spec(view)


def time_state(panel, page: dict, state: dict, repeat: int) -> tuple[float, float, str]:
    """Median wall and CPU seconds over `repeat` moves from the page's state to `state` (model + chart specs), and
    '' or the error the panel shows instead. CPU time (this process's) is what the wall time would be on an idle
    machine: on a busy one the two differ by the time spent waiting for a core."""
    from gohandbook.params import ParameterError

    times, cpu, shown = [], [], ""
    for _ in range(repeat):
        _clear_memos()
        _evaluate(panel, page)
        c0 = time.process_time()
        t0 = time.perf_counter()
        try:
            _evaluate(panel, state)
        except ParameterError as exc:   # the panel shows this line instead of new charts: also a recomputation
            shown = str(exc)
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    return statistics.median(times), statistics.median(cpu), shown


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=1, help="evaluations per control end (median reported)")
    ap.add_argument("--top", type=int, default=12, help="how many of the slowest to print")
    ap.add_argument("--check", action="store_true", help="exit 1 if a goal is missed")
    args = ap.parse_args()

    from widgets.controls import extremes, registered

    t0 = time.perf_counter()
    panels = registered()
    import_s = time.perf_counter() - t0
    rows, untimed = [], []
    for panel in panels:
        defaults = panel.params.validate({"live_widgets": True})
        offered = panel.offered(defaults)
        _evaluate(panel, defaults)    # warm-up: first-use costs (imports, schema loading) are not a control's
        for name in panel.controls:
            p = panel.params[name]
            ends = extremes(p, defaults[name], offered.get(name))
            if ends is None:
                untimed.append(f"{panel.chapter}/{panel.name}/{name}")
                continue
            for end in dict.fromkeys(ends):
                seconds, cpu, shown = time_state(panel, defaults, dict(defaults, **{name: end}), args.repeat)
                rows.append({"panel": f"ch{panel.chapter} {panel.name}", "control": name, "value": p.show(end),
                             "seconds": seconds, "cpu": cpu, "shown": shown})

    rows.sort(key=lambda r: r["seconds"], reverse=True)
    times = [r["seconds"] for r in rows]
    load = os.getloadavg()
    print(f"live controls: {len(panels)} panels, {len({(r['panel'], r['control']) for r in rows})} controls, "
          f"{len(rows)} control ends timed (model + chart specs, no browser); repeat {args.repeat}")
    print(f"machine: {platform.node()}, {os.cpu_count()} cores, load average {load[0]:.2f} {load[1]:.2f}; "
          f"Python {platform.python_version()}; importing the chapters' widget modules took {import_s:.2f} s")
    print(f"\nslowest {min(args.top, len(rows))}:")
    print(f"  {'wall s':>7} {'cpu s':>6}  {'panel':<18} {'control':<30} value")
    for r in rows[:args.top]:
        note = "  (shows: " + r["shown"][:70] + ")" if r["shown"] else ""
        print(f"  {r['seconds']:7.3f} {r['cpu']:6.3f}  {r['panel']:<18} {r['control']:<30} {r['value']}{note}")
    slowest, median = max(times), statistics.median(times)
    print(f"\nslowest {slowest:.3f} s (goal <= {GOAL_SLOWEST_S:g} s: {'met' if slowest <= GOAL_SLOWEST_S else 'MISSED'}); "
          f"median {median:.3f} s (goal <= {GOAL_MEDIAN_S:g} s: {'met' if median <= GOAL_MEDIAN_S else 'MISSED'})")
    cpus = [r["cpu"] for r in rows]
    print(f"CPU time of this process (the wall time on an idle machine): slowest {max(cpus):.3f} s, median "
          f"{statistics.median(cpus):.3f} s")
    by_panel = {}
    for r in rows:
        by_panel.setdefault(r["panel"], []).append(r["seconds"])
    print("per panel (median / slowest s): " + "; ".join(
        f"{k} {statistics.median(v):.3f} / {max(v):.3f}" for k, v in sorted(by_panel.items())))
    if untimed:
        print("not timed (free text, no ends): " + ", ".join(untimed))
    missed = slowest > GOAL_SLOWEST_S or median > GOAL_MEDIAN_S
    return 1 if (args.check and missed) else 0


if __name__ == "__main__":
    raise SystemExit(main())
