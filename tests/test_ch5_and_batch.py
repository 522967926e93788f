"""Chapter 5 (scorecard, claims, ADR) and batch reports."""
import json
import re

import pytest

from gohandbook import batch, ch1, ch5, report
from gohandbook.chapters import chapters

MADR_SECTIONS = ["## Context and Problem Statement", "## Decision Drivers", "## Considered Options",
                 "## Decision Outcome", "### Consequences", "### Confirmation", "## Pros and Cons of the Options",
                 "## More Information"]


def test_adr_follows_madr4_and_matches_the_decision():
    params = ch5.PARAMS.validate({"workload_kind": "infrastructure", "adr_status": "accepted", "decision_makers": "CTO"})
    text = ch5.decision_record(params)
    front = text.split("---")[1]
    for key in ("status: accepted", "date: ", "decision-makers: CTO", "consulted:", "informed:"):
        assert key in front
    positions = [text.index(s) for s in MADR_SECTIONS]
    assert positions == sorted(positions)
    decision = ch1.decide(params)
    assert f"scores {decision.score:+.2f}" in text
    assert "Chosen option: “Adopt Go for this workload" in text
    # every measured figure cites a numbered provenance line
    refs = set(re.findall(r"\[(\d+)\]$", text, re.M))
    for ref in refs:
        assert re.search(rf"^\[{ref}\] (Measured on|.*model|reference result)", text, re.M | re.I)


def test_hold_profile_chooses_to_stay():
    params = ch5.PARAMS.validate({"workload_kind": "data_science"})
    assert "Chosen option: “Stay on the current stack" in ch5.decision_record(params)


def test_claims_filter_and_reported_results():
    rows = ch5.CHAPTER.claims(ch5.PARAMS.defaults())
    assert len(rows) >= 50
    only2 = ch5.filter_claims(rows, chapter=2)
    assert only2 and all(v.chapter == 2 for v in only2)
    cited = ch5.filter_claims(rows, verdict="cited")
    assert cited and all(v.verdict == "cited" for v in cited)
    assert ch5.filter_claims(rows, text="76.4") and all("76.4" in (v.original + v.paraphrase + v.note)
                                                         for v in ch5.filter_claims(rows, text="76.4"))
    reported = ch5.reported_results(rows)
    assert reported and all(r["Status"].startswith("cited") for r in reported)
    assert sum(ch5.verdict_counts(rows).values()) == len(rows)


def test_key_figures_survive_a_broken_chapter(monkeypatch):
    class Broken:
        CHAPTER = type("C", (), {"number": 9})()

        @staticmethod
        def key_figures(params):
            raise RuntimeError("no data")

    monkeypatch.setattr(ch5, "_other_chapter_modules", lambda: [ch1, Broken])
    figures = ch5.key_figures(ch5.PARAMS.defaults())
    assert any(f["chapter"] == 1 and f["kind"] == "measured" for f in figures)
    assert figures[-1]["kind"] == "error" and "no data" in figures[-1]["provenance"]


@pytest.mark.notebook
def test_batch_bad_profile_fails_alone_and_measures_once(tmp_path, monkeypatch):
    profiles = tmp_path / "profiles"
    profiles.mkdir()
    (profiles / "a.yaml").write_text("profile_name: alpha\nworkload_kind: infrastructure\n")
    (profiles / "b.yaml").write_text("profile_name: beta\nworkload_kind: data_science\n")
    (profiles / "c.yaml").write_text("profile_name: gamma\nteam_sise: 4\n")
    calls = []
    real = report.measure_all
    monkeypatch.setattr(batch, "measure_all", lambda *a, **k: (calls.append(1), real(*a, **k))[1])
    monkeypatch.setattr(batch, "chapters", lambda: tuple(c for c in chapters() if c.number == 1))
    results = batch.build_batch([profiles], tmp_path / "out", workers=1, say=lambda m: None)
    by = {r.name: r for r in results}
    assert calls == [1]
    assert by["alpha"].ok and by["beta"].ok and not by["c"].ok
    assert "unknown parameter team_sise" in by["c"].error
    assert by["alpha"].recommendation.startswith("Choose Go") and by["beta"].recommendation.startswith("Do not")
    for name in ("alpha", "beta"):
        out = tmp_path / "out" / name
        assert (out / "index.html").exists() and (out / "adr.md").exists()
        assert (out / "01-should-we-choose-go.html").exists()
        doc = json.loads((out / "results.json").read_text())
        assert doc["profile"]["profile_name"] == name
    page = (tmp_path / "out" / "index.html").read_text()
    assert "alpha" in page and "beta" in page and "unknown parameter team_sise" in page
    # the team-dependent (model) figures side by side; measured ones are the machine's and not repeated
    assert "What the models say for each team" in page and "Cost of the productivity dip" in page
    assert "How each figure is computed" in page and "migration_cost model, " in page
    listed = {r["name"]: r for r in json.loads((tmp_path / "out" / "batch.json").read_text())}
    assert listed["alpha"]["model_figures"] and all(f["kind"] == "model" for f in listed["alpha"]["model_figures"])
    assert listed["c"]["model_figures"] == []
