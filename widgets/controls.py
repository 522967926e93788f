"""Live panels built from the parameter declarations: one way to make a control, one way to show a panel.

A `Panel` names its chapter, its controls (declared parameters, in groups) and a `compute(state)` that turns a
validated state into views (Altair charts and HTML text, in display order): pure, no widgets, so
`benchmarks/live_controls.py` and the tests can evaluate every control of every chapter through `REGISTRY`
without a browser. `show(panel, params)` displays it: static charts in reports, controls + charts that update
in place in JupyterLab and Voila.

What a control offers comes from the declaration (range, step, scale, format), so controls cannot drift from
what the parameters allow. A log-scale parameter gets a slider over rounded values (1, 1.5, 2, 3, 5, 7, 10, …)
that includes its minimum, its maximum and its current value: what the slider shows is the value the model gets
and the value chart titles print. A costly panel computes in a worker thread and shows that it is busy; only the
newest state is computed and applied (moving a control again while it computes drops the older request).
Never an `ipywidgets.Output`: it hangs headless runs.
"""

from __future__ import annotations

import html
import math
import threading
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Sequence

import altair as alt
import ipywidgets as W

from gohandbook.i18n import N_, _
from gohandbook.params import Param, ParameterError, ParamSet

from .render import chart_widget, show_chart, show_html, unvalidated, warn

STYLE = {"description_width": "230px"}
LAYOUT = W.Layout(width="500px")
LOG_MANTISSAS = (1.0, 1.5, 2.0, 3.0, 5.0, 7.0)
MAX_SLIDER_STEPS = 2000          # a finer linear range gets a number box instead of a slider
BUSY_TEXT = N_("Computing…")


# ---------------------------------------------------------------- what a control offers

def log_values(p: Param) -> list[float]:
    """Rounded values evenly spaced on a log scale within [min, max], both ends included; 0 first if min is 0."""
    lo, hi = float(p.min), float(p.max)
    start = lo if lo > 0 else float(p.step or hi / 1e4)
    values = [lo] if lo > 0 else [0.0, start]
    for exponent in range(math.floor(math.log10(start)), math.ceil(math.log10(hi)) + 1):
        for mantissa in LOG_MANTISSAS:
            v = float(f"{mantissa * 10.0 ** exponent:.6g}")
            if start < v < hi:
                values.append(v)
    values.append(hi)
    if p.kind == "int":
        values = [float(round(v)) for v in values]
    return sorted(set(values))


def choices(p: Param, value: Any = None, options: Sequence | None = None) -> list | None:
    """The values a selection control offers (None: a free slider or box over [min, max]).
    The current value is always among them, so a profile's value is shown exactly."""
    if options is not None:
        out = list(options)
    elif p.kind == "choice":
        out = list(p.choices)
    elif p.kind == "bool":
        out = [False, True]
    elif p.kind in ("int", "float") and p.scale == "log":
        out = log_values(p)
        if value is not None and float(value) not in out:
            out = sorted(out + [float(value)])
        return [int(v) for v in out] if p.kind == "int" else out
    else:
        return None
    if value is not None and value not in out and p.kind != "str":
        out.append(value)
    return out


def extremes(p: Param, value: Any = None, options: Sequence | None = None) -> tuple[Any, Any] | None:
    """The two ends of what a control offers (for the benchmark); None for free text."""
    offered = choices(p, value, options)
    if offered:
        return offered[0], offered[-1]
    if p.kind in ("int", "float") and p.min is not None and p.max is not None:
        return (int(p.min), int(p.max)) if p.kind == "int" else (float(p.min), float(p.max))
    return None


def _decimals(step: float) -> int:
    text = f"{step:g}"
    return len(text.split(".")[1]) if "." in text and "e" not in text else 0


def make_control(p: Param, value: Any, options: Sequence | None = None,
                 labels: Mapping[Any, str] | None = None, lang: str | None = None) -> W.ValueWidget:
    """The one ipywidgets control for a declared parameter (sliders report on release). Its label, tooltip and
    option labels (English msgids, marked with N_ where declared) are shown in `lang`."""
    common = dict(description=_(p.label or p.name, lang), style=STYLE, layout=LAYOUT, tooltip=_(p.help, lang))
    labels = {v: _(text, lang) for v, text in (labels or {}).items()}
    offered = choices(p, value, options)
    if p.kind == "bool" and options is None:
        return W.Checkbox(value=bool(value), indent=False, description=common["description"], tooltip=common["tooltip"],
                          layout=LAYOUT)
    if p.kind in ("int", "float") and offered is not None:   # log scale, or the values that were measured
        return W.SelectionSlider(options=[(labels.get(v, p.show(v)), v) for v in offered],
                                 value=value if value in offered else offered[0], continuous_update=False, **common)
    if offered is not None:
        return W.Dropdown(options=[(labels.get(v, p.show(v)), v) for v in offered], value=value, **common)
    if p.kind == "str":
        return W.Text(value=value, continuous_update=False, **common)
    step = p.step or (1 if p.kind == "int" else 0.1)
    if (p.max - p.min) / step > MAX_SLIDER_STEPS:
        box = W.BoundedIntText if p.kind == "int" else W.BoundedFloatText
        return box(value=value, min=p.min, max=p.max, step=step, **common)
    if p.kind == "int":
        return W.IntSlider(value=value, min=int(p.min), max=int(p.max), step=int(step), continuous_update=False,
                           readout_format=p.fmt or "d", **common)
    return W.FloatSlider(value=value, min=p.min, max=p.max, step=step, continuous_update=False,
                         readout_format=p.fmt or f",.{_decimals(step)}f", **common)


# ---------------------------------------------------------------- panels

@dataclass(frozen=True)
class Panel:
    """A live panel: its controls (declared parameters, grouped under headings) and its views.

    `compute(state)` gets a validated state and returns {view name: Altair chart or HTML text} in display order;
    it may raise ParameterError (shown in place of the views, which keep their last good values).
    `options(params)` gives data-driven choices for some controls (e.g. the settings that were measured);
    `relate(state)` says which controls cannot change anything under this state and why (they are disabled,
    the reason shown), and notes how related controls combine (shares normalised to 100 %).
    `costly` panels compute in a worker thread with a busy state; the newest state wins.
    `follow(name, value)` gives the controls that move with control `name` when a reader sets it to `value`
    (e.g. a workload kind sets the starting answers); they move first, then the panel computes once."""
    chapter: int
    name: str
    params: ParamSet
    groups: tuple[tuple[str, tuple[str, ...]], ...]
    compute: Callable[[dict], dict[str, Any]]
    labels: Mapping[str, Mapping[Any, str]] = field(default_factory=dict)
    options: Callable[[Mapping[str, Any]], dict[str, Sequence]] | None = None
    relate: Callable[[Mapping[str, Any]], tuple[str, dict[str, str]]] | None = None
    costly: bool = False
    follow: Callable[[str, Any], dict[str, Any]] | None = None

    @property
    def controls(self) -> tuple[str, ...]:
        return tuple(n for _, members in self.groups for n in members)

    def validate(self, state: Mapping[str, Any]) -> dict[str, Any]:
        return self.params.validate({k: v for k, v in state.items() if k in self.params})

    def evaluate(self, state: Mapping[str, Any]) -> dict[str, Any]:
        """The views for a state (validated first): what moving a control recomputes."""
        return self.compute(self.validate(state))

    def offered(self, params: Mapping[str, Any]) -> dict[str, Sequence]:
        return self.options(params) if self.options else {}


REGISTRY: dict[tuple[int, str], Panel] = {}


def register(panel: Panel) -> Panel:
    """Make a panel known (chapter, name) to the benchmark and the tests; returns it."""
    missing = [n for n in panel.controls if n not in panel.params]
    if missing:
        raise ValueError(f"panel {panel.name}: controls {', '.join(missing)} are not declared parameters")
    REGISTRY[(panel.chapter, panel.name)] = panel
    return panel


def registered() -> list[Panel]:
    """Every live panel of every chapter (importing each chapter's widget module registers its panels)."""
    import importlib

    for number in range(1, 6):
        try:
            importlib.import_module(f"widgets.ch{number}")
        except ModuleNotFoundError:
            pass
    return [REGISTRY[k] for k in sorted(REGISTRY)]


# ---------------------------------------------------------------- showing a panel

class _Latest:
    """Computes in one worker thread; a request made while it computes replaces any request still waiting, and a
    result is applied only if no newer request came in meanwhile (generation counter)."""

    def __init__(self, compute: Callable[[dict], Any], apply: Callable[[Any], None], busy: Callable[[bool], None]):
        self._compute, self._apply, self._busy = compute, apply, busy
        self._lock = threading.Lock()
        self._pending: tuple[int, dict] | None = None
        self._generation = 0
        self._thread: threading.Thread | None = None
        self.computed = 0                    # states actually computed (tests check stale ones are skipped)

    def submit(self, state: dict) -> None:
        with self._lock:
            self._generation += 1
            self._pending = (self._generation, dict(state))
            self._busy(True)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="gohandbook-panel", daemon=True)
                self._thread.start()

    def _run(self) -> None:
        while True:
            with self._lock:
                if self._pending is None:
                    self._thread = None
                    return
                generation, state = self._pending
                self._pending = None
            try:
                result: Any = self._compute(state)
            except Exception as exc:  # noqa: BLE001 — shown in the panel; the worker must keep serving
                result = exc
            self.computed += 1
            with self._lock:
                if generation == self._generation:
                    self._busy(False)
                    self._apply(result)

    def wait(self, timeout: float = 60) -> None:
        thread = self._thread
        if thread is not None:
            thread.join(timeout)


@dataclass
class Live:
    """A panel on the page: its controls and view widgets by name (for tests and notebooks)."""
    panel: Panel
    box: W.VBox
    controls: dict[str, W.ValueWidget]
    views: dict[str, Any]
    status: W.HTML
    note: W.HTML
    state: dict
    worker: _Latest | None = None

    def settle(self, timeout: float = 60) -> None:
        """Wait until a costly panel has applied its newest state (immediate for the others)."""
        if self.worker is not None:
            self.worker.wait(timeout)


SHOWN: dict[tuple[int, str], Live] = {}   # the live panels shown last, by (chapter, name)


def _static(view: Any) -> None:
    if isinstance(view, str):
        show_html(view)
    else:
        show_chart(view, live=False)


def _view_widget(view: Any):
    return W.HTML(view) if isinstance(view, str) else chart_widget(view)




def live_spec(view: Any) -> Any:
    """What a live update sends for a view: the chart's spec (as `JupyterChart.chart = …` makes it), or the HTML."""
    return unvalidated(view).to_dict() if is_chart(view) else view


def _set_view(widget, view: Any) -> None:
    if isinstance(view, str):
        widget.value = view
    else:
        widget.chart = unvalidated(view)


def show(panel: Panel, params: Mapping[str, Any]) -> Live | None:
    """Display a panel: its views as static charts and HTML in reports, controls + live views otherwise.
    Returns None (the cell shows the panel once, by display)."""
    try:
        views = panel.evaluate(params)
    except ParameterError as exc:
        show_html(warn(str(exc)))
        return None
    if not params.get("live_widgets", True):
        for view in views.values():
            _static(view)
        return None
    from IPython.display import display

    state = dict(params)
    offered = panel.offered(params)
    lang = params.get("lang")
    controls = {name: make_control(panel.params[name], params[name], offered.get(name), panel.labels.get(name), lang)
                for name in panel.controls}
    view_widgets = {name: _view_widget(view) for name, view in views.items()}
    status, note = W.HTML(""), W.HTML("")

    def relate(current: Mapping[str, Any]) -> None:
        if panel.relate is None:
            return
        text, disabled = panel.relate(current)
        for name, control in controls.items():
            control.disabled = name in disabled
        reasons = "".join(f"<li>{html.escape(why)}</li>" for why in dict.fromkeys(disabled.values()))
        note.value = ((f'<div class="gh-prov">{text}</div>' if text else "")
                      + (f'<ul class="gh-prov">{reasons}</ul>' if reasons else ""))

    def apply(result: Any) -> None:
        if isinstance(result, ParameterError):
            status.value = warn(str(result))
            return
        if isinstance(result, Exception):
            status.value = warn(f"{panel.name}: {type(result).__name__}: {result}")
            return
        status.value = ""
        for name, view in result.items():
            if name in view_widgets:
                _set_view(view_widgets[name], view)

    def busy(on: bool) -> None:
        status.value = f'<div class="gh-prov"><b>{_(BUSY_TEXT, lang)}</b></div>' if on else ""
        for widget in view_widgets.values():
            widget.layout.opacity = "0.5" if on else "1"

    def compute(current: dict) -> Any:
        return panel.evaluate(current)

    worker = _Latest(compute, apply, busy) if panel.costly else None

    following = [False]   # True while `follow` moves controls: one computation for the whole move

    def changed(change=None) -> None:
        if following[0]:
            return
        moved = next((n for n, c in controls.items() if change is not None and c is change["owner"]), None)
        if panel.follow is not None and moved is not None:
            following[0] = True
            try:
                for name, value in panel.follow(moved, change["new"]).items():
                    controls[name].value = value
            finally:
                following[0] = False
        for name, control in controls.items():
            state[name] = control.value
        relate(state)
        if worker is not None:
            worker.submit(state)
            return
        try:
            result: Any = compute(state)
        except ParameterError as exc:
            result = exc
        apply(result)

    for control in controls.values():
        control.observe(changed, names="value")
    relate(state)
    groups = []
    for heading, members in panel.groups:
        head = [W.HTML(f"<b>{html.escape(_(heading, lang))}</b>")] if heading else []
        groups.append(W.VBox([*head, *(controls[m] for m in members)]))
    box = W.VBox([*groups, note, status, *view_widgets.values()])
    live = Live(panel, box, controls, view_widgets, status, note, state, worker)
    SHOWN[(panel.chapter, panel.name)] = live
    show_html("")   # the tables' style sheet, once, before the widgets
    display(box)
    return None


def is_chart(view: Any) -> bool:
    return isinstance(view, alt.TopLevelMixin)
