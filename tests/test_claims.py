import pytest

from gohandbook import claims, measure
from gohandbook.claims import ClaimVerdict, judge, ledger, load_claims, schema_problems


@pytest.fixture(scope="module")
def ledger_claims():
    return load_claims()


def test_ledger_is_sound_and_covers_every_chapter(ledger_claims):
    assert schema_problems(ledger_claims) == []
    assert len(ledger_claims) >= 50
    assert {c["chapter"] for c in ledger_claims} == {1, 2, 3, 4, 5}
    ids = [c["id"] for c in ledger_claims]
    assert len(ids) == len(set(ids))
    assert all(c["id"].startswith(f"ch{c['chapter']}-") for c in ledger_claims)


def test_original_text_is_quoted_from_the_source(ledger_claims):
    from pathlib import Path
    seed_file = Path(__file__).resolve().parents[2] / "shared" / "seed" / "000_ebc8ee2e5682177e.txt"
    if not seed_file.exists():
        pytest.skip("the shared source document is not beside this checkout")
    seed = "".join(seed_file.read_text().split())
    missing = [c["id"] for c in ledger_claims if "".join(c["original"].split()) not in seed]
    assert missing == []


def test_chapter1_measured_claims_use_implemented_measurements(ledger_claims):
    known = {m.name for m in measure.all_measurements()}
    ch1 = [c for c in ledger_claims if c["chapter"] == 1 and c["kind"] == "measured"]
    implemented = [c for c in ch1 if c["measurement"] in known]
    assert len(implemented) >= 6


@pytest.mark.parametrize("broken, fragment", [
    ({"id": "ch1-x", "chapter": 1, "section": "1.1", "original": "x", "paraphrase": "x", "kind": "measured"},
     "measured claim without measurement"),
    ({"id": "ch1-x", "chapter": 7, "section": "1.1", "original": "x", "paraphrase": "x", "kind": "cited", "source": None,
      "note": "none found"}, "chapter must be 1-5"),
    ({"id": "ch1-x", "chapter": 1, "section": "1.1", "original": "x", "paraphrase": "x", "kind": "cited", "source": None},
     "must say so in note"),
    ({"id": "ch1-x", "chapter": 1, "section": "1.1", "original": "", "paraphrase": "x", "kind": "unverifiable", "why": "w"},
     "missing original"),
    ({"id": "ch1-x", "chapter": 1, "section": "1.1", "original": "x", "paraphrase": "x", "kind": "measured",
      "measurement": "m", "verdict": {"metric": "a", "holds": {"about": 3}}}, "verdict.holds must be one of"),
])
def test_schema_problems_are_found(broken, fragment):
    problems = schema_problems([broken])
    assert any(fragment in p for p in problems), problems


def test_duplicate_ids_are_found():
    c = {"id": "ch1-x", "chapter": 1, "section": "1.1", "original": "x", "paraphrase": "x", "kind": "unverifiable", "why": "w"}
    assert any("duplicate id" in p for p in schema_problems([c, dict(c)]))


@pytest.mark.parametrize("rule, value, verdict", [
    ({"holds": {"between": [4, 12]}, "partly": {"between": [2, 16]}}, 8.0, "holds"),
    ({"holds": {"between": [4, 12]}, "partly": {"between": [2, 16]}}, 14.0, "partly holds"),
    ({"holds": {"between": [4, 12]}, "partly": {"between": [2, 16]}}, 30.0, "does not hold"),
    ({"holds": {"eq": False}}, True, "does not hold"),
    ({"holds": {"eq": True}, "outdated": {"eq": False}}, False, "outdated"),
    ({"holds": {"ge": 3}}, None, "does not hold"),
    ({"holds": {"lt": 1}}, float("nan"), "does not hold"),
])
def test_judge(rule, value, verdict):
    assert judge(rule, value) == verdict


class _Found:
    def __init__(self, summary, status="current"):
        self.result = {"summary": summary, "provenance": {"go": {"version": "go1.x"}}} if summary is not None else None
        self.status, self.reason = status, ("stale: Go changed" if status == "stale" else "not measured")

    @property
    def ok(self):
        return self.result is not None


def _claim(**kw):
    base = {"id": "ch1-t", "chapter": 1, "section": "1.3", "original": "o", "paraphrase": "p", "kind": "measured",
            "measurement": "quick_validation",
            "verdict": {"ratio": ["a.x", "a.y"], "unit": "x", "holds": {"ge": 3}, "partly": {"ge": 1.5}}}
    base.update(kw)
    return base


def test_ledger_joins_results_and_keeps_provenance_and_staleness():
    rows = ledger(lambda name: _Found({"a": {"x": 60.0, "y": 10.0}}), claims=[_claim()])
    assert rows[0].verdict == "holds" and rows[0].value == 6.0 and rows[0].provenance["go"]["version"] == "go1.x"
    rows = ledger(lambda name: _Found({"a": {"x": 20.0, "y": 10.0}}, status="stale"), claims=[_claim()])
    assert rows[0].verdict == "partly holds" and rows[0].status.startswith("stale")
    rows = ledger(lambda name: _Found(None, status="missing"), claims=[_claim()])
    assert rows[0].verdict == "not measured yet"
    rows = ledger(lambda name: _Found({"a": {}}), claims=[_claim()])
    assert rows[0].verdict == "not measured yet" and "no value for" in rows[0].status
    rows = ledger(lambda name: _Found({}), claims=[_claim(measurement="not_built_yet")])
    assert rows[0].verdict == "not measured yet" and "planned" in rows[0].status


def test_format_value():
    v = ClaimVerdict("i", 1, "1", "measured", "o", "p", None, "holds", value=6.2391, unit="x")
    assert claims.format_value(v) == "6.24 x"
    v.value = True
    assert claims.format_value(v) == "yes"


def test_claims_are_parsed_once_per_file_version_and_callers_get_their_own_copy(tmp_path, monkeypatch):
    path = tmp_path / "claims.yaml"
    path.write_text(claims.claims_path().read_text())
    parses = []
    real_load = claims.yaml.load
    monkeypatch.setattr(claims.yaml, "load", lambda *a, **k: parses.append(1) or real_load(*a, **k))
    first = load_claims(path)
    first[0]["paraphrase"] = "changed by a caller"
    second = load_claims(path)
    assert len(parses) == 1 and second[0]["paraphrase"] != "changed by a caller"
    path.write_text(path.read_text().replace(second[0]["paraphrase"], "edited in the file", 1))
    assert load_claims(path)[0]["paraphrase"] == "edited in the file" and len(parses) == 2


def test_table_rows_show_scope_only_for_measured_claims_and_name_missing_sources():
    measured = ClaimVerdict(id="c1", chapter=1, section="1.1", original="x", paraphrase="p", kind="measured", claimed=None,
                            verdict="holds", status="stale", note="n")
    cited = ClaimVerdict(id="c2", chapter=1, section="1.1", original="y", paraphrase="q", kind="cited", claimed=None,
                         verdict="cited", status="cited", note="", source=None)
    rows = claims.table_rows([measured, cited])
    assert rows[0]["Why / scope"] == "n stale" and rows[0]["Source"] == ""
    assert rows[1]["Why / scope"] == "" and rows[1]["Source"] == "none found"
