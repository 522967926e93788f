"""Results people can take away: a report's figures as CSV, and the whole report as one PDF.

`write_csvs(doc, folder)` writes one CSV per table family of `results.json` (`gohandbook.report.results_document`),
every row carrying the report's provenance (profile, date, machine, Go) and, for measured figures, the
measurement's own (machine, Go, date, preset, parameters). `write_pdf(report_dir)` prints the report's pages,
in order, through Debian's Chromium into one PDF; without Chromium it raises `PdfUnavailable` saying so.
"""

from __future__ import annotations

import csv
import dataclasses
import json
import os
import re
import shutil
import tempfile
from pathlib import Path
from typing import Any, Iterable, Sequence

# User-facing sentences, in one place (translation, issue 13).
NO_CHROMIUM = ("no PDF: Chromium is not installed (looked for {tried}); install Debian's `chromium` "
               "(apt-get install chromium) or set GOHANDBOOK_CHROMIUM to a Chromium binary")
PDF_FAILED = "no PDF: Chromium exited with {code} while printing {page}: {detail}"

CSV_FILES = ("claims.csv", "measurements.csv", "key_figures.csv", "decision_criteria.csv", "decision_gates.csv")
CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome")


# ------------------------------------------------------------------ CSV

def _plain(obj: Any) -> Any:
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return dataclasses.asdict(obj)
    return str(obj)


def _report_columns(doc: dict[str, Any]) -> dict[str, Any]:
    """Columns every CSV row carries: which report, for which profile, made where and with which Go."""
    host, go = doc.get("host") or {}, doc.get("go") or {}
    return {"report_generated": doc.get("generated", ""), "profile": (doc.get("profile") or {}).get("profile_name", ""),
            "report_preset": doc.get("preset", ""), "report_machine": _machine(host),
            "report_go": go.get("version", ""), "gohandbook": doc.get("gohandbook", "")}


def _machine(host: dict[str, Any]) -> str:
    if not host:
        return ""
    return f"{host.get('cpu_model', '?')} ({host.get('cores', '?')} cores, {host.get('memory_gib', '?')} GiB, {host.get('os', '?')})"


def _provenance_columns(prov: dict[str, Any] | None) -> dict[str, Any]:
    """A measured result's own provenance (empty for quoted and computed figures)."""
    prov = prov or {}
    go = prov.get("go") or {}
    params = prov.get("params")
    return {"measured_on": _machine(prov.get("host") or {}), "measured_go": go.get("version", ""),
            "measured_at": prov.get("finished", ""), "measured_preset": prov.get("preset", ""),
            "measured_params": json.dumps(params, sort_keys=True, ensure_ascii=False) if params else "",
            "sample_hash": prov.get("sample_hash", "")}


def flatten(value: Any, prefix: str = "") -> Iterable[tuple[str, Any]]:
    """Scalar leaves of a summary as (dotted path, value); list items by index, as the claims' metric paths."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from flatten(item, f"{prefix}.{key}" if prefix else str(key))
    elif isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            yield from flatten(item, f"{prefix}.{i}" if prefix else str(i))
    else:
        yield prefix, value


def claims_rows(doc: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for c in doc.get("claims", []):
        claimed, source = c.get("claimed") or {}, c.get("source") or {}
        rows.append({"id": c["id"], "chapter": c["chapter"], "section": c.get("section", ""), "kind": c["kind"],
                     "verdict": c["verdict"], "value": c.get("value"), "unit": c.get("unit", ""),
                     "claimed_value": claimed.get("value"), "claimed_unit": claimed.get("unit", ""),
                     "measurement": c.get("measurement") or "", "status": c.get("status", ""),
                     "claim": c.get("paraphrase", ""), "original": c.get("original", ""), "note": c.get("note", ""),
                     "source_title": source.get("title", ""), "source_url": source.get("url", ""),
                     **_provenance_columns(c.get("provenance"))})
    return rows


def measurement_rows(doc: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per scalar in each measurement's summary (long form), with the measurement's provenance."""
    rows = []
    for name, m in (doc.get("measurements") or {}).items():
        prov = _provenance_columns(m.get("provenance"))
        if not m.get("summary"):
            rows.append({"measurement": name, "metric": "", "value": None, "status": m.get("status", ""),
                         "status_reason": m.get("reason", ""), **prov})
            continue
        for path, value in flatten(m["summary"]):
            rows.append({"measurement": name, "metric": path, "value": value, "status": m.get("status", ""),
                         "status_reason": m.get("reason", ""), **prov})
    return rows


def key_figure_rows(doc: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"chapter": f.get("chapter"), "figure": f.get("figure"), "value": f.get("value"), "unit": f.get("unit", ""),
             "kind": f.get("kind", ""), "status": f.get("status", ""), "provenance": f.get("provenance", "")}
            for f in doc.get("key_figures", [])]


def decision_rows(doc: dict[str, Any]) -> list[dict[str, Any]]:
    """The decision matrix: each criterion's answer, weight, points, and the weight that would flip the outcome."""
    decision = doc.get("decision") or {}
    flips = {f["key"]: f for f in decision.get("flips", [])}
    rows = []
    for c in decision.get("contributions", []):
        flip = flips.get(c["key"], {})
        rows.append({"criterion": c["label"], "key": c["key"], "side": "for Go" if c["sign"] > 0 else "against Go",
                     "answer": c["answer"], "weight": c["weight"], "points": c["points"],
                     "flip_weight": flip.get("flip_weight"), "flips_to": flip.get("to") or "",
                     "score": decision.get("score"), "recommendation": decision.get("recommendation", ""),
                     "source": "computed by the decision-matrix model from the profile's answers and weights"})
    return rows


def gate_rows(doc: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"gate": g["name"], "passed": {True: "passed", False: "not passed", None: "undecided"}[g.get("passed")],
             "detail": g.get("detail", "")} for g in (doc.get("decision") or {}).get("gates", [])]


FAMILIES = {
    "claims.csv": claims_rows,
    "measurements.csv": measurement_rows,
    "key_figures.csv": key_figure_rows,
    "decision_criteria.csv": decision_rows,
    "decision_gates.csv": gate_rows,
}


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        return repr(value)  # every digit measured, no rounding
    return value


def write_csv(path: Path, rows: Sequence[dict[str, Any]], extra: dict[str, Any]) -> Path:
    """UTF-8 with a BOM (spreadsheets then read the Chinese originals right); header from the first row."""
    columns = list(rows[0].keys()) if rows else []
    columns += [k for k in extra if k not in columns]
    tmp = path.with_suffix(".csv.tmp")
    with tmp.open("w", newline="", encoding="utf-8-sig") as fh:
        writer = csv.DictWriter(fh, fieldnames=columns or list(extra))
        writer.writeheader()
        for row in rows:
            writer.writerow({k: _cell(v) for k, v in {**row, **extra}.items()})
    os.replace(tmp, path)
    return path


def write_csvs(doc: dict[str, Any], folder: Path | str) -> list[Path]:
    """One CSV per table family of the report's results, beside its results.json."""
    doc = json.loads(json.dumps(doc, default=_plain))
    folder = Path(folder)
    extra = _report_columns(doc)
    return [write_csv(folder / name, rows_of(doc), extra) for name, rows_of in FAMILIES.items()]


# ------------------------------------------------------------------ PDF

class PdfUnavailable(RuntimeError):
    """No PDF could be printed; the message says why and what to install."""


def _chromium_candidates() -> tuple[str, ...]:
    override = os.environ.get("GOHANDBOOK_CHROMIUM")
    return (override,) if override else CHROMIUM_CANDIDATES


def find_chromium() -> str | None:
    for candidate in _chromium_candidates():
        found = shutil.which(candidate)
        if found:
            return found
    return None


_BODY = re.compile(r"<body[^>]*>(.*)</body>", re.S | re.I)
_HEAD = re.compile(r"<head[^>]*>(.*)</head>", re.S | re.I)
_STYLE = re.compile(r"<style[^>]*>.*?</style>", re.S | re.I)


def print_document(report_dir: Path) -> str:
    """The report as one HTML document: the index, then every chapter page, each starting a new sheet.
    The chapters share one nbconvert template, so the first chapter's head styles them all."""
    index = (report_dir / "index.html").read_text(encoding="utf-8")
    chapters = sorted(p for p in report_dir.glob("[0-9][0-9]-*.html"))
    head = _HEAD.search(chapters[0].read_text(encoding="utf-8")).group(1) if chapters else ""
    index_styles = "".join(_STYLE.findall(_HEAD.search(index).group(1))) if _HEAD.search(index) else ""
    # The index's own body rules (max-width, margins) must not apply to the chapters' lab template.
    index_styles = re.sub(r"(?<![\w.#-])body\s*\{[^}]*\}", "", index_styles)
    parts = [f'<section class="gh-print-page gh-print-index">{_body(index)}</section>']
    for page in chapters:
        body = re.sub(r'<div class="gh-nav">.*?</div>', "", _body(page.read_text(encoding="utf-8")), flags=re.S)
        parts.append(f'<section class="gh-print-page">{body}</section>')
    return ("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">" + head + index_styles
            + "<style>.gh-print-page + .gh-print-page {break-before: page} .gh-print-index h2 {break-before: auto !important}"
            "</style></head><body class=\"jp-Notebook\">"
            + "".join(parts) + "</body></html>")


def _body(page: str) -> str:
    match = _BODY.search(page)
    return match.group(1) if match else page


def write_pdf(report_dir: Path | str, pdf_path: Path | str | None = None, *, chromium: str | None = None,
              timeout: float = 180) -> Path:
    """Print the report (index and chapters, in order) to `report.pdf` in it with headless Chromium.
    Nothing is fetched: the pages are self-contained, and Chromium's own network features are off."""
    from .proc import ProcessError, run

    report_dir = Path(report_dir).resolve()
    pdf_path = Path(pdf_path or report_dir / "report.pdf").resolve()
    chromium = chromium or find_chromium()
    if chromium is None:
        raise PdfUnavailable(NO_CHROMIUM.format(tried=", ".join(_chromium_candidates())))
    with tempfile.TemporaryDirectory(prefix="gohandbook-pdf-") as tmp:
        page = Path(tmp) / "print.html"
        page.write_text(print_document(report_dir), encoding="utf-8")
        partial = Path(tmp) / "report.pdf"
        cmd = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--no-default-browser-check",
               "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-extensions",
               "--disable-quic", f"--user-data-dir={tmp}/profile", "--no-pdf-header-footer",
               "--run-all-compositor-stages-before-draw", f"--print-to-pdf={partial}", page.as_uri()]
        try:
            done = run(cmd, timeout=timeout, check=False)
        except ProcessError as exc:
            raise PdfUnavailable(PDF_FAILED.format(code="an error", page=report_dir, detail=exc)) from exc
        if done.returncode != 0 or not partial.exists() or partial.stat().st_size == 0:
            detail = (done.stderr or done.stdout or "no output").strip().splitlines()[-1:] or ["no output"]
            raise PdfUnavailable(PDF_FAILED.format(code=done.returncode, page=report_dir, detail=detail[0][:300]))
        shutil.move(str(partial), pdf_path)
    return pdf_path
