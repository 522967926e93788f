"""'Measure on this server': a button per measurement, one measurement at a time machine-wide.

A page load never measures: building these widgets only reads the cache (`measure.lookup`).
A click runs `gohandbook measure NAME` (quick preset) as a child process through
`gohandbook.proc` (own process group, killed with everything it started), from a thread of the page's kernel, so the page stays live and a progress bar follows
the measurement's own progress lines. Bounds, so that one visitor cannot exhaust the server:

- only registered measurement names and the quick preset (no --full); a result that is already
  current on this machine is measured again only on an explicit "Re-measure" click (`--force`);
- one measurement at a time across every kernel and process on the machine: a file lock
  (`flock`) in the cache's lock folder is the queue; a click while another runs waits for it, at
  most `queue_wait` seconds, and says what it is waiting for;
- one pending click per button (the button is disabled while it waits or runs);
- a timeout (default 600 s, at most 1800 s) after which the whole process group is killed.

`gohandbook measure` itself also takes the cache's machine-wide measurement lock, so a
measurement started from a shell waits for (or is waited for by) the site's.
The status and the button are computed when the panel is built and again on every change of the
cache's results folder (a light poll while the page is open), so a page never offers a stale
state: a removed result can be measured again at once, a result measured from another page shows.
Never an `ipywidgets.Output`: progress and messages are widget properties.
"""

from __future__ import annotations

import datetime as _dt
import fcntl
import html
import json
import os
import re
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator, Sequence

import ipywidgets as W

from gohandbook import measure, proc
from gohandbook.cache import Cache, flock_within
from gohandbook.i18n import N_, _

from .render import status_name

DEFAULT_TIMEOUT = 600.0
MAX_TIMEOUT = 1800.0
DEFAULT_QUEUE_WAIT = 1800.0
ALLOWED_PRESETS = ("quick",)
_PROGRESS_RE = re.compile(r"^\[(?P<name>[^\]]+)\]\s+(?P<pct>\d+)%\s*(?P<msg>.*)$")

Progress = Callable[[float, str], None]


class BusyError(RuntimeError):
    """The queue did not free up within the allowed wait."""

    def __init__(self, wait: float):
        super().__init__(BUSY.format(wait=f"{wait:g}"))
        self.why = (BUSY, {"wait": f"{wait:g}"})


# What a reader sees of a measurement's run, in one place (English in Outcome.message; shown in the page's language).
ANOTHER = N_("another measurement")
BUSY = N_("the server was busy measuring for {wait} s: try again later")
TIMED_OUT = N_("stopped after the {timeout} s timeout (every process it started was killed)")
FAILED = N_("failed (exit {code}): {last}")
MEASURED = N_("measured in {seconds} s")
ERROR = N_("error: {error}")
STARTING = N_("starting")


class MeasureQueue:
    """A machine-wide queue of one: an exclusive `flock` on a file in the cache's lock folder,
    plus a small status file saying what holds it (for the message of those who wait)."""

    def __init__(self, root: Path | None = None):
        folder = (Path(root) if root else Cache().root) / "locks"
        folder.mkdir(parents=True, exist_ok=True)
        self.lock_path = folder / "site-measure-queue.lock"
        self.status_path = folder / "site-measure-queue.json"

    def holder(self) -> dict | None:
        """What the running measurement is (None when the queue is free)."""
        with open(self.lock_path, "a+") as handle:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                try:
                    return json.loads(self.status_path.read_text())
                except (OSError, json.JSONDecodeError):
                    return {"name": ANOTHER}
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
            return None

    @contextmanager
    def slot(self, what: dict, *, wait: float, on_wait: Callable[[dict], None] | None = None,
             poll: float = 0.5) -> Iterator[None]:
        """Hold the queue for the block; wait up to `wait` seconds for it, calling `on_wait(holder)`."""
        told = []

        def busy() -> None:  # tell the waiting reader what runs, once per change of holder
            try:
                holder = json.loads(self.status_path.read_text())
            except (OSError, json.JSONDecodeError):
                holder = {"name": ANOTHER}
            if on_wait and holder not in told[-1:]:
                on_wait(holder)
                told.append(holder)

        with open(self.lock_path, "a+") as handle:
            if not flock_within(handle, wait, busy, poll):
                raise BusyError(wait)
            try:
                tmp = self.status_path.with_suffix(f".tmp{os.getpid()}")
                tmp.write_text(json.dumps({**what, "pid": os.getpid(),
                                           "started": _dt.datetime.now().isoformat(timespec="seconds")}))
                os.replace(tmp, self.status_path)
                yield
            finally:
                self.status_path.unlink(missing_ok=True)
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


@dataclass
class Outcome:
    ok: bool
    message: str           # English (logs, tests)
    seconds: float = 0.0
    output_tail: str = ""
    why: tuple = ()        # (msgid, fields) of the message, to show it in the page's language

    @classmethod
    def said(cls, ok: bool, msgid: str, fields: dict, seconds: float = 0.0, output_tail: str = "") -> "Outcome":
        return cls(ok, msgid.format(**fields), seconds, output_tail, (msgid, fields))

    def text(self, lang: str | None = None) -> str:
        return _(self.why[0], lang).format(**self.why[1]) if self.why else self.message


def validate_request(name: str, preset: str = "quick", timeout: float = DEFAULT_TIMEOUT) -> None:
    """Bounded inputs: a registered measurement, an allowed preset, a timeout within limits."""
    measure.get_measurement(name)  # KeyError naming the known ones
    if preset not in ALLOWED_PRESETS:
        raise ValueError(f"preset = {preset!r} is not allowed from the site: allowed is {', '.join(ALLOWED_PRESETS)}")
    if not (0 < timeout <= MAX_TIMEOUT):
        raise ValueError(f"timeout = {timeout:g} s is out of range: allowed is more than 0 up to {MAX_TIMEOUT:g} s")


def measure_command(name: str, preset: str = "quick", force: bool = False) -> list[str]:
    cmd = [sys.executable, "-m", "gohandbook.cli", "measure", name]
    if preset == "full":
        cmd.append("--full")
    if force:
        cmd.append("--force")
    return cmd


def run_command(cmd: Sequence[str], *, timeout: float, progress: Progress, env: dict | None = None) -> Outcome:
    """Run a measurement command through `proc.start` (own process group, dies with this process),
    following its progress lines on stderr; on timeout or error `proc.kill_group` ends it and
    everything it started."""
    t0 = time.monotonic()
    child = proc.start(cmd, env=env)
    lines: list[str] = []
    lines_lock = threading.Lock()
    timed_out = threading.Event()

    def keep(line: str) -> None:
        with lines_lock:
            lines.append(line)
            del lines[:-40]

    def drain_stdout() -> None:  # the CLI prints its summary on stdout: keep it for the message
        assert child.stdout is not None
        for raw in child.stdout:
            keep(raw.decode(errors="replace").rstrip("\n"))

    def watchdog() -> None:
        try:
            child.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            timed_out.set()
            proc.kill_group(child)

    threading.Thread(target=watchdog, daemon=True).start()
    reader = threading.Thread(target=drain_stdout, daemon=True)
    reader.start()
    try:
        assert child.stderr is not None
        for raw in child.stderr:
            line = raw.decode(errors="replace").rstrip("\n")
            keep(line)
            match = _PROGRESS_RE.match(line.strip())
            if match:
                progress(min(int(match["pct"]), 100) / 100, match["msg"])
        child.wait()
        reader.join(5)
    except BaseException:
        proc.kill_group(child)
        raise
    finally:
        proc.kill_group(child, grace=1.0)  # grandchildren, if any were left
    seconds = time.monotonic() - t0
    tail = "\n".join(lines[-15:])
    if timed_out.is_set():
        return Outcome.said(False, TIMED_OUT, {"timeout": f"{timeout:g}"}, seconds, tail)
    if child.returncode != 0:
        last = next((l for l in reversed(lines) if l.strip()), "")
        return Outcome.said(False, FAILED, {"code": child.returncode, "last": last}, seconds, tail)
    return Outcome.said(True, MEASURED, {"seconds": f"{seconds:.0f}"}, seconds, tail)


def run_measurement(name: str, preset: str = "quick", *, timeout: float = DEFAULT_TIMEOUT,
                    queue_wait: float = DEFAULT_QUEUE_WAIT, progress: Progress | None = None,
                    on_wait: Callable[[dict], None] | None = None, queue: MeasureQueue | None = None,
                    command: Callable[..., list[str]] = measure_command, force: bool = False) -> Outcome:
    """Measure `name` on this machine through the queue (blocking: call it from a thread).
    `force`: measure again although a current result exists (the same queue, the same bounds)."""
    validate_request(name, preset, timeout)
    progress = progress or (lambda fraction, message: None)
    queue = queue or MeasureQueue()
    try:
        with queue.slot({"name": name, "preset": preset}, wait=queue_wait, on_wait=on_wait):
            progress(0.0, STARTING)
            cmd = command(name, preset, force=True) if force else command(name, preset)
            return run_command(cmd, timeout=timeout, progress=progress)
    except BusyError as exc:
        return Outcome(False, str(exc), why=exc.why)


# ---------------------------------------------------------------- widgets

def status_html(name: str, preset: str = "quick", lang: str = "en") -> str:
    """A measurement's status on this server, in the one wording (widgets.render.RESULT_STATUS_NAMES)."""
    found = measure.lookup(name, preset)
    label = status_name(found.status, lang)
    when = ""
    if found.ok:
        when = " · " + found.result.get("provenance", {}).get("finished", "")[:16].replace("T", " ") + " UTC"
    reason = found.reason_in(lang) if hasattr(found, "reason_in") else found.reason
    title = html.escape(reason or label, quote=True)
    css = "gh-status-" + found.status
    return f'<span class="{css}" title="{title}" data-status="{found.status}"><b>{label}</b>{html.escape(when)}</span>'


def results_fingerprint(root: Path | None = None) -> tuple:
    """A cheap token that changes when a result is written or removed (the cache's
    results/<measurement>/<key>.json; writes are atomic renames, which change the folder's mtime)."""
    folder = (Path(root) if root else Cache().root) / "results"
    try:
        return tuple(sorted((p.name, p.stat().st_mtime_ns) for p in [folder, *folder.iterdir()] if p.is_dir()))
    except OSError:
        return ()


class MeasureButton:
    """One measurement: its status, a 'Measure on this server' button (or 'Re-measure on this
    server' when this server has a current result), a progress bar."""

    def __init__(self, name: str, preset: str = "quick", *, timeout: float = DEFAULT_TIMEOUT,
                 queue_wait: float = DEFAULT_QUEUE_WAIT, queue: MeasureQueue | None = None,
                 command: Callable[[str, str], list[str]] = measure_command, lang: str = "en"):
        validate_request(name, preset, timeout)
        self.lang = lang
        self.name, self.preset, self.timeout, self.queue_wait = name, preset, timeout, queue_wait
        self.queue, self.command = queue, command
        m = measure.get_measurement(name)
        self.title = W.HTML(f"<b>{html.escape(_(m.title, lang))}</b> <code>{html.escape(name)}</code>",
                            layout=W.Layout(width="380px"))
        self.status = W.HTML(status_html(name, preset, lang), layout=W.Layout(width="300px"))
        self.button = W.Button(icon="play", layout=W.Layout(width="220px"))
        self.bar = W.IntProgress(value=0, min=0, max=100, layout=W.Layout(width="160px", visibility="hidden"))
        self.message = W.HTML("")
        self.outcome: Outcome | None = None
        self._thread: threading.Thread | None = None
        self._set_button()
        self.button.on_click(self._clicked)
        self.widget = W.VBox([W.HBox([self.title, self.status, self.button, self.bar]), self.message])

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    @property
    def current(self) -> bool:
        return 'data-status="current"' in self.status.value

    def _set_button(self) -> None:
        """'Measure' when this server has no current result, else 'Re-measure' (`--force`); enabled
        unless a click of this row is pending."""
        args = {"name": self.name, "timeout": f"{self.timeout:g}"}
        if self.current:
            self.button.description = _("Re-measure on this server", self.lang)
            self.button.tooltip = _("measure again here although a current result exists (`gohandbook measure --force "
                                    "{name}`, quick preset, at most {timeout} s)", self.lang).format(**args)
        else:
            self.button.description = _("Measure on this server", self.lang)
            self.button.tooltip = _("run `gohandbook measure {name}` here (quick preset, at most {timeout} s)",
                                    self.lang).format(**args)
        self.button.disabled = self.running

    def refresh(self) -> None:
        """Read the cache again: the status and the button follow what is measured now."""
        if self.running:
            return
        try:
            self.status.value = status_html(self.name, self.preset, self.lang)
        except Exception as exc:  # shown, never raised into a watcher thread
            self.status.value = f"<span>{html.escape(str(exc))}</span>"
        self._set_button()

    def _clicked(self, _button=None) -> None:
        if self.running:
            return
        self._force = self.current
        self.button.disabled = True
        self.bar.layout.visibility = "visible"
        self.bar.value = 0
        self.bar.bar_style = "info"
        self.message.value = "<i>" + _("queued…", self.lang) + "</i>"
        self._thread = threading.Thread(target=self._work, name=f"measure-{self.name}", daemon=True)
        self._thread.start()

    def _progress(self, fraction: float, message: str) -> None:
        self.bar.value = int(fraction * 100)
        step = measure.progress_in(message, self.lang)
        self.message.value = "<i>" + _("measuring: {step}", self.lang).format(step=html.escape(step)) + "</i>"

    def _waiting(self, holder: dict) -> None:
        name = html.escape(_(str(holder.get("name")), self.lang))
        self.message.value = "<i>" + (_("waiting: the server is measuring {name} since {time}; one measurement runs "
                                        "at a time", self.lang).format(name=name, time=holder["started"][11:16])
                                      if holder.get("started") else
                                      _("waiting: the server is measuring {name}; one measurement runs at a time",
                                        self.lang).format(name=name)) + "</i>"

    def _work(self) -> None:
        try:
            outcome = run_measurement(self.name, self.preset, timeout=self.timeout, queue_wait=self.queue_wait,
                                      progress=self._progress, on_wait=self._waiting, queue=self.queue,
                                      command=self.command, force=getattr(self, "_force", False))
        except Exception as exc:  # shown, never raised into the kernel's thread machinery
            outcome = Outcome.said(False, ERROR, {"error": exc})
        self.outcome = outcome
        self.bar.value = 100 if outcome.ok else self.bar.value
        self.bar.bar_style = "success" if outcome.ok else "danger"
        note = (" " + _("Charts on the chapter pages show it from the next page load.", self.lang)) \
            if outcome.ok else ""
        detail = f"<pre style='font-size:11px;max-height:12em;overflow:auto'>{html.escape(outcome.output_tail)}</pre>" \
            if (outcome.output_tail and not outcome.ok) else ""
        stop = _(".", self.lang)
        self.message.value = f"{'✔' if outcome.ok else '✘'} {html.escape(outcome.text(self.lang))}{stop}{note}{detail}"
        self._thread = None
        self.refresh()


def watch_cache(rows: Sequence[MeasureButton], *, interval: float = 2.0, root: Path | None = None,
                stop: threading.Event | None = None) -> threading.Thread:
    """While the page is open, refresh the rows whenever a result is written or removed (by this page,
    another page or a shell), so a page never offers a stale state however long ago it was computed
    (the site preheats pages ahead of their visitors). A daemon thread: it ends with the kernel."""
    stop = stop or threading.Event()

    def loop() -> None:
        seen = results_fingerprint(root)
        while not stop.wait(interval):
            now = results_fingerprint(root)
            if now != seen:
                seen = now
                for row in rows:
                    row.refresh()

    thread = threading.Thread(target=loop, name="measure-cache-watch", daemon=True)
    thread.stop = stop  # type: ignore[attr-defined]
    thread.start()
    return thread


def measure_panel(names: Sequence[str] | None = None, *, chapter: int | None = None, **kwargs) -> W.VBox:
    """A row per measurement (all, or one chapter's). Building it reads the cache only."""
    chosen = list(names) if names is not None else [
        m.name for m in measure.all_measurements() if chapter is None or m.chapter == chapter]
    rows = [MeasureButton(name, **kwargs) for name in chosen]
    panel = W.VBox([r.widget for r in rows])
    panel.rows = rows  # for tests and callers
    return panel


def show(names: Sequence[str] | None = None, *, chapter: int | None = None, **kwargs) -> W.VBox:
    """Display the panel (e.g. `measure_button.show(chapter=2)` at the end of a chapter)."""
    from IPython.display import display

    panel = measure_panel(names, chapter=chapter, **kwargs)
    panel.watcher = watch_cache(panel.rows)
    display(panel)
    return panel
