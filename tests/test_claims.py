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


# --- Chinese twins (issue 13): every English text a reader sees has a faithful Chinese translation beside it ---

import copy  # noqa: E402
import re  # noqa: E402

_CJK = re.compile(r"[\u4e00-\u9fff]")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_ENGLISH_WORDS = re.compile(r"\b[A-Za-z]{3,}(?:\s+[A-Za-z]{3,}){2,}\b")  # three English words in a row
_ENGLISH_FUNCTION_WORDS = re.compile(r"\b(the|and|is|are|of|with|which|that|this|not|from|but|was|were|its|than)\b", re.I)
_QUOTED = re.compile(r"`[^`]*`|'[^']*'|“[^”]*”")   # code and quoted English stay as they are


def _twins(ledger_claims):
    for c in ledger_claims:
        for name in claims.TEXT_FIELDS:
            if c.get(name):
                yield c, name


def test_every_english_text_has_a_chinese_twin(ledger_claims):
    missing = [f"{c['id']}.{name}_zh" for c, name in _twins(ledger_claims)
               if not isinstance(c.get(name + "_zh"), str) or not _CJK.search(c[name + "_zh"])]
    assert missing == []
    assert sum(1 for _ in _twins(ledger_claims)) >= 300   # paraphrase + note of all 143, and more


def test_chinese_twins_keep_every_number_of_the_english(ledger_claims):
    """A dropped or changed figure is the likeliest translation error; figures are identical in both languages."""
    dropped = {f"{c['id']}.{name}": missing for c, name in _twins(ledger_claims)
               if (missing := sorted(set(_NUMBER.findall(str(c[name]))) - set(_NUMBER.findall(c[name + "_zh"]))))}
    assert dropped == {}


def test_chinese_twins_are_translations_not_copies(ledger_claims):
    """No English sentence left in a twin: English function words appear only inside code or quotes."""
    untranslated = {f"{c['id']}.{name}": words for c, name in _twins(ledger_claims)
                    if (words := _ENGLISH_FUNCTION_WORDS.findall(_QUOTED.sub("", c[name + "_zh"])))}
    assert untranslated == {}


def test_a_claim_without_a_chinese_twin_is_rejected_with_its_id_and_field(ledger_claims):
    broken = copy.deepcopy(next(c for c in ledger_claims if c["kind"] == "measured"))
    del broken["why_metric_zh"]
    problems = schema_problems([broken])
    assert problems == [f"claim #1 ({broken['id']}): why_metric has no Chinese twin: add why_metric_zh beside it "
                        "(a faithful translation)"]
    broken["why_metric_zh"] = ""
    assert any("why_metric_zh" in p for p in schema_problems([broken]))


def test_text_picks_the_language_and_falls_back_to_english_only_without_a_twin():
    c = {"paraphrase": "Go is fast.", "paraphrase_zh": "Go 很快。", "note": "only English"}
    assert claims.text(c, "paraphrase", "zh") == "Go 很快。"
    assert claims.text(c, "paraphrase", "en") == "Go is fast."
    assert claims.text(c, "note", "zh") == "only English"
    assert claims.text(c, "reading", "zh") == ""
    v = ledger(lambda name: _Found({"a": {"x": 60.0, "y": 10.0}}),
               claims=[_claim(paraphrase_zh="释义", note="n", note_zh="说明",
                              verdict={"ratio": ["a.x", "a.y"], "unit": "x", "range": [0, 100], "holds": {"ge": 3},
                                       "partly": {"ge": 1.5}})])[0]
    assert (claims.text(v, "paraphrase", "zh"), claims.text(v, "note", "zh")) == ("释义", "说明")
    assert claims.text(v, "rule", "en") == "holds if ≥ 3 x; partly holds if ≥ 1.5 x; otherwise does not hold"
    assert claims.text(v, "rule", "zh") == "成立：≥ 3 x；部分成立：≥ 1.5 x；否则不成立"
    assert claims.text(v, "flip", "zh") == "低于 3 x 时“部分成立”"


def _ledger_sample(ledger_claims):
    """Real claims of every kind, one measured with a value, one not measured, judged without the cache."""
    chosen = {}
    for c in ledger_claims:
        chosen.setdefault(c["kind"], c)
    measured = [c for c in ledger_claims if c["kind"] == "measured" and c["verdict"].get("metric")
                and not isinstance(c["verdict"]["range"][0], bool) and c["verdict"].get("unit") == "connections"][0]

    def lookup(name):
        if name != measured["measurement"]:
            return _Found(None, status="missing")
        summary: dict = {}
        node = summary
        *parents, leaf = measured["verdict"]["metric"].split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = 12345
        return _Found(summary, status="stale")
    return ledger(lookup, claims=list(chosen.values()) + [measured])


def test_table_rows_in_chinese_have_chinese_headers_and_texts(ledger_claims):
    verdicts = _ledger_sample(ledger_claims)
    assert {v.kind for v in verdicts} == set(claims.KINDS)
    english, chinese = claims.table_rows(verdicts, "en"), claims.table_rows(verdicts, lang="zh")
    assert list(english[0]) == ["Claim", "§", "Source text", "Paraphrase", "Kind", "Verdict", "Reading", "Rule",
                                "Measured here", "Spread", "Why / scope", "Source"]
    assert all(_CJK.search(h) for h in chinese[0] if h != "§")
    for en_row, zh_row in zip(english, chinese):
        by_key = dict(zip(en_row, zh_row.values()))          # English header -> Chinese cell
        assert by_key["Claim"] == en_row["Claim"] and by_key["Source text"] == en_row["Source text"]
        for key in ("Paraphrase", "Kind", "Verdict", "Why / scope", "Reading", "Rule", "Spread"):
            if en_row[key]:
                assert _CJK.search(by_key[key]), (key, by_key[key])
                assert not _ENGLISH_WORDS.search(by_key[key].replace("one run", "")), (key, by_key[key])
        assert _NUMBER.findall(by_key["Measured here"]) == _NUMBER.findall(en_row["Measured here"])
    measured = next(r for r, v in zip(chinese, verdicts) if v.value is not None)
    assert measured["本机实测"] == "12345 个连接" and "否则不成立" in measured["规则"]
    assert any(r["出处"] == "未找到" for r, v in zip(chinese, verdicts) if v.kind == "cited" and not v.source) or \
        all(v.source for v in verdicts if v.kind == "cited")


def test_statuses_are_shown_in_chinese(ledger_claims):
    verdicts = {v.kind: v for v in _ledger_sample(ledger_claims)}
    assert claims.text(verdicts["model"], "status", "zh").startswith("由第 ")
    assert claims.text(verdicts["unverifiable"], "status", "zh") == \
        next(c["why_zh"] for c in ledger_claims if c["id"] == verdicts["unverifiable"].id)
    assert claims.text(verdicts["cited"], "status", "zh").startswith("出处：")
    planned = ledger(lambda name: _Found({}), claims=[_claim(measurement="not_built_yet")])[0]
    assert claims.text(planned, "status", "zh") == "测量 not_built_yet 计划在第 1 章实现"
    assert planned.status == "measurement not_built_yet is planned for chapter 1"


def test_the_caches_reason_is_shown_in_chinese_where_the_lookup_can_say_it():
    missing = measure.Lookup.explained(None, "missing", (measure.MISSING_REASON, {"name": "quick_validation"}))
    v = ledger(lambda name: missing, claims=[_claim(note="n", note_zh="说明")])[0]
    assert v.verdict == "not measured yet" and v.status.startswith("quick_validation has not been measured")
    assert claims.text(v, "status", "zh") == measure.say_all(missing.why, "zh") != v.status
