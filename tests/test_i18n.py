"""Chinese and English: catalogs complete, both notebook languages from one source, reports that read as Chinese."""
import html
import html.parser
import json
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from gohandbook import adr, batch, ch5, i18n, report, site
from gohandbook.chapters import COMMON, chapters
from gohandbook.params import ParameterError

REPO = Path(__file__).resolve().parents[1]
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2), "Chapter": (3,), "Criterion": (3,)}
CJK = re.compile(r"[\u4e00-\u9fff]")


def extracted_messages() -> set:
    """Every marked string in the code, extracted the way `make i18n` does (babel.cfg, same keywords)."""
    from babel.messages.extract import extract_from_dir

    found = set()
    method_map = [("gohandbook/**.py", "python"), ("widgets/**.py", "python")]
    for _file, _line, message, _comments, _context in extract_from_dir(str(REPO), method_map, keywords=KEYWORDS):
        found.add(message if isinstance(message, str) else tuple(message))
    return found


def test_every_marked_string_has_a_chinese_translation():
    """CI fails when code marks a string that the Chinese catalog lacks (run `make i18n`, then translate)."""
    catalog = {m.id if isinstance(m.id, str) else tuple(m.id): m for m in i18n.catalog_messages("zh")}
    code = extracted_messages()
    missing = sorted(str(m) for m in code if m not in catalog)
    assert not missing, f"not in gohandbook/locale/zh/LC_MESSAGES/gohandbook.po (run `make i18n`): {missing}"
    untranslated = sorted(str(k) for k, m in catalog.items() if k in code and (
        "fuzzy" in m.flags or not (m.string if isinstance(m.string, str) else all(m.string))))
    assert not untranslated, f"no Chinese translation (or fuzzy): {untranslated}"
    assert len(code) > 150


def test_translations_keep_every_placeholder():
    for m in i18n.catalog_messages("zh"):
        ids = [m.id] if isinstance(m.id, str) else list(m.id)
        strings = [m.string] if isinstance(m.string, str) else list(m.string)
        want = set(re.findall(r"\{[a-z_0-9]*\}", ids[-1]))
        for s in strings:
            assert set(re.findall(r"\{[a-z_0-9]*\}", s)) == want, m.id


def test_catalogs_load_from_the_po_file_without_a_compile_step():
    assert not list((REPO / "gohandbook" / "locale").rglob("*.mo")), "catalogs compile in memory: commit no .mo"
    i18n.translations.cache_clear()
    assert i18n._("holds", "zh") == "成立" and i18n._("holds", "en") == "holds" and i18n._("holds") == "holds"
    assert [i18n._(v, "zh") for v in ("partly holds", "does not hold", "outdated")] == ["部分成立", "不成立", "已过时"]
    assert i18n.ngettext("{shown} of {total} claim", "{shown} of {total} claims", 3, "zh").format(
        shown=1, total=3) == "共 3 条论断，显示 1 条"
    with i18n.use("zh"):
        assert i18n._("holds") == "成立"
    assert i18n.get_lang() == "en"
    assert i18n.normalize("zh_CN") == "zh"


def test_package_data_ships_the_catalogs():
    text = (REPO / "pyproject.toml").read_text()
    assert '"locale/**/*"' in text and "babel" in text and "jupyterlab-language-pack-zh-CN" in text


def test_glossary_follows_the_source_documents_terms():
    import yaml

    glossary = yaml.safe_load((REPO / "data" / "glossary.yaml").read_text())
    source = (REPO.parent / "shared" / "seed" / "000_ebc8ee2e5682177e.txt")
    terms = glossary["terms"]
    assert {"goroutine", "control plane", "canary release", "service mesh"} <= {t["en"] for t in terms}
    if source.exists():  # the seed's own words: every glossary term marked `source: true` occurs in it
        text = source.read_text()
        for t in terms:
            if t.get("source"):
                assert t["zh"] in text, t
    catalog = {m.id: m.string for m in i18n.catalog_messages("zh") if isinstance(m.id, str)}
    for t in terms:  # a catalog entry that is exactly a glossary term uses the glossary's Chinese
        if t["en"] in catalog:
            assert catalog[t["en"]] == t["zh"], t


# --- one source, two languages --------------------------------------------------------------------------

def _code_cells(nb):
    return [re.sub(r"^lang = '(en|zh)'$", "lang = <lang>", c.source, flags=re.M) for c in nb.cells
            if c.cell_type == "code"]


TRANSLATED = sorted((REPO / "notebooks" / "zh").glob("*.ipynb"))


def test_index_and_chapter_5_exist_in_chinese():
    assert {p.name for p in TRANSLATED} >= {"00-index.ipynb", "01-should-we-choose-go.ipynb",
                                            "05-summary-and-decision.ipynb"}


@pytest.mark.parametrize("zh_path", TRANSLATED, ids=lambda p: p.name)
def test_both_languages_have_the_same_code_cells(zh_path):
    en = nbformat.read(REPO / "notebooks" / zh_path.name, as_version=4)
    zh = nbformat.read(zh_path, as_version=4)
    assert _code_cells(en) == _code_cells(zh)
    assert [c.cell_type for c in en.cells] == [c.cell_type for c in zh.cells]
    assert [c.get("metadata", {}).get("tags") for c in en.cells] == [c.get("metadata", {}).get("tags") for c in zh.cells]
    assert en.metadata["gohandbook"]["lang"] == "en" and zh.metadata["gohandbook"]["lang"] == "zh"
    params = [c for c in zh.cells if "parameters" in c.metadata.get("tags", [])]
    assert params and "lang = 'zh'" in params[0].source
    for cell in zh.cells:
        if cell.cell_type == "markdown":
            assert CJK.search(cell.source), cell.source[:80]


def test_the_notebook_writer_refuses_a_half_translated_notebook(tmp_path):
    sys.path.insert(0, str(REPO / "scripts"))
    try:
        from _nb import code, md, write
    finally:
        sys.path.pop(0)
    with pytest.raises(ValueError, match="without a Chinese version"):
        write(tmp_path / "x.ipynb", [md(en="# A", zh="# 甲"), code("lang = 'en'"), md("# only English")])
    write(tmp_path / "y.ipynb", [md(en="# A", zh="# 甲"), code("lang = 'en'", tags=("parameters",))])
    assert (tmp_path / "zh" / "y.ipynb").exists()


# --- the parameter --------------------------------------------------------------------------------------

def test_every_chapter_takes_lang_and_english_is_the_default():
    assert COMMON["lang"].choices == ("en", "zh") and COMMON["lang"].default == "en"
    for chapter in chapters():
        assert "lang" in chapter.params, chapter.number
    with pytest.raises(ParameterError, match="lang = 'fr' is not allowed: allowed is one of 'en', 'zh'"):
        ch5.PARAMS.validate({"lang": "fr"})
    from gohandbook.chapters import load_profile

    assert load_profile({"lang": "zh"})["lang"] == "zh" and load_profile(None)["lang"] == "en"   # profiles may set it
    assert report.prepare_profile({"lang": "en"}, full=False, overrides={"lang": "zh"})["lang"] == "zh"


def test_parameter_errors_in_the_profiles_language():
    with pytest.raises(ParameterError) as err:
        ch5.PARAMS.validate({"team_size": 0, "lang": "zh"})
    assert str(err.value) == "team_size = 0 超出范围：允许的值为 1 到 5000 之间的整数"
    with pytest.raises(ParameterError) as err:
        ch5.PARAMS.validate({"team_sise": 3, "lang": "zh"})
    assert str(err.value).startswith("第五章没有参数 team_sise：你是不是要写 'team_size'？")
    with pytest.raises(ParameterError, match="team_size = 0 is out of range: allowed is an integer from 1 to 5000"):
        ch5.PARAMS.validate({"team_size": 0})


def test_cli_and_make_pass_the_language():
    from gohandbook.cli import build_parser

    assert build_parser().parse_args(["report", "--lang", "zh"]).lang == "zh"
    assert build_parser().parse_args(["batch", "data/profiles", "--lang", "en"]).lang == "en"
    assert build_parser().parse_args(["report"]).lang is None
    with pytest.raises(SystemExit):
        build_parser().parse_args(["report", "--lang", "fr"])

    def dry(*args, env=None):
        import os

        done = subprocess.run(["make", "-n", "-o", "setup", "report", *args], cwd=REPO, capture_output=True,
                              text=True, env={**os.environ, **(env or {})})
        return done.stdout

    assert "--lang zh" in dry("LANG=zh")
    assert "--lang en" in dry("LANG=en")
    assert "--lang" not in dry(env={"LANG": "zh"})          # the locale variable, not a request
    assert "--lang" not in dry("LANG=C.UTF-8")


def test_recommendations_are_worded_as_the_model_words_them():
    """One wording of the decision (the model's, translated where shown): English is the model's own text."""
    from gohandbook import ch1
    from gohandbook.models.decision import RECOMMENDATIONS

    assert not hasattr(ch5, "RECOMMENDATION_TEXTS") and not hasattr(ch5, "reason_items")
    assert all(ch5.recommendation_named(k) == v for k, v in RECOMMENDATIONS.items())
    assert adr.WORKLOAD_NAMES and all(ch5.recommendation_named(k, "zh") != v for k, v in RECOMMENDATIONS.items())
    result = ch1.decide(ch1.PARAMS.validate({}))
    assert ch1.recommendation_text(result) == result.text != ch1.recommendation_text(result, "zh")


def test_same_decision_and_figures_in_both_languages():
    en = ch5.PARAMS.validate({"workload_kind": "infrastructure"})
    zh = ch5.PARAMS.validate({"workload_kind": "infrastructure", "lang": "zh"})
    from gohandbook import ch1

    a, b = ch1.decide(en), ch1.decide(zh)
    assert (a.score, a.recommendation, a.contributions) == (b.score, b.recommendation, b.contributions)
    assert ch5.key_figures(en) == ch5.key_figures(zh)
    assert [v.verdict for v in ch5.CHAPTER.claims(en)] == [v.verdict for v in ch5.CHAPTER.claims(zh)]
    assert len(ch1.reason_lines(a, "zh")) == len(a.reasons)


# --- what a reader sees ---------------------------------------------------------------------------------

class _Text(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.parts, self._skip = [], 0

    def handle_starttag(self, tag, attrs):
        self._skip += tag in ("script", "style")

    def handle_endtag(self, tag):
        self._skip -= tag in ("script", "style") and self._skip > 0

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def visible_text(markup: str) -> str:
    parser = _Text()
    parser.feed(markup)
    return re.sub(r"\s+", " ", " ".join(parser.parts))


# Catalog pieces that stay as they are in Chinese (a statistical test's name, a Kubernetes library's component)
PROPER_NAMES = {"Mann–Whitney U", "client-go workqueue"}


def english_ui_strings(text: str) -> list[str]:
    """Runs of English words from the catalog's msgids (3 words or more) found in `text`."""
    found = set()
    for m in i18n.catalog_messages("zh"):
        for msgid in ([m.id] if isinstance(m.id, str) else m.id):
            for piece in re.split(r"\{[a-z_0-9]*\}|[“”():;.,·—←]", msgid.replace("\n", " ")):
                piece = re.sub(r"\s+", " ", piece).strip()
                if re.search(r"(^|\s)--?[a-z]", piece):  # a command line with its flags is code, not English
                    continue
                if re.search(r"[/_]", piece) or piece in PROPER_NAMES:   # paths, identifiers, names: not English
                    continue
                if len(re.findall(r"[A-Za-z]+", piece)) >= 3 and piece in text:
                    found.add(piece)
    return sorted(found)


def test_adr_in_chinese_uses_madr_sections_in_chinese():
    params = ch5.PARAMS.validate({"workload_kind": "infrastructure", "lang": "zh", "decision_makers": "CTO"})
    text = ch5.decision_record(params)
    sections = ["## 背景与问题陈述", "## 决策驱动因素", "## 考虑的选项", "## 决策结果", "### 影响", "### 确认",
                "## 各选项的优缺点", "## 更多信息"]
    positions = [text.index(s) for s in sections]
    assert positions == sorted(positions)
    assert "status: proposed" in text and "decision-makers: CTO" in text   # MADR's own keys stay
    assert "选定方案：“在该工作负载中采用 Go，从一个试点服务开始”" in text
    assert english_ui_strings(text) == []
    english = ch5.decision_record(dict(params, lang="en"))
    assert "## Context and Problem Statement" in english and "背景" not in english


def test_landing_page_sections_in_chinese(monkeypatch):
    from widgets import index_page

    shown = []
    monkeypatch.setattr(index_page, "show_links", shown.append)
    monkeypatch.setattr(index_page, "show_html", shown.append)
    index_page.recommendation_section("zh")
    index_page.chapters_section("zh")
    index_page.measurements_table("zh")
    page = "\n".join(shown)
    text = visible_text(page)
    assert "对“default”的建议" in text and "主要理由" in text and "第 5 章：总结与决策" in text
    assert english_ui_strings(text) == []
    assert 'href="05-summary-and-decision.ipynb"' in page          # translated: the Chinese page beside it
    for chapter in chapters():
        if chapter.number < 5 and not (REPO / "notebooks" / "zh" / chapter.notebook).exists():
            assert f'href="../{chapter.notebook}"' in page      # not yet: the English page


def test_batch_comparison_page_in_chinese(tmp_path):
    results = [batch.ProfileResult("alpha", "a.yaml", True, recommendation="Choose Go for this workload: start the pilot",
                                   recommendation_shown="在该工作负载中选择 Go：启动试点", score=0.3),
               batch.ProfileResult("beta", "b.yaml", False, error="team_sise: unknown")]
    page = batch.write_comparison(tmp_path, results, "quick", "zh").read_text()
    text = visible_text(page)
    assert "团队画像对比" in text and "在该工作负载中选择 Go" in text and '<html lang="zh-CN">' in page
    assert english_ui_strings(text) == []
    english = visible_text(batch.write_comparison(tmp_path, results, "quick", "en").read_text())
    assert "Go Decision Handbook — profiles compared" in english and "Choose Go for this workload" in english


def test_site_switches_language_on_every_page_and_keeps_the_place():
    res = site.language_resources()
    nav = site.navigation()
    for notebook, _title in nav:
        stem = Path(notebook).stem
        target = res["switch"]["en"][stem]
        assert target.startswith("zh/")
        if (REPO / "notebooks" / "zh" / notebook).exists():
            assert target == f"zh/{notebook}" and res["switch"]["zh"][stem] == f"../{notebook}"
    assert res["nav_zh"][0] == ["00-index.ipynb", "首页"]
    assert ["05-summary-and-decision.ipynb", "5. 总结与决策"] in res["nav_zh"]
    assert res["text"]["zh"]["other"] == "English" and res["text"]["en"]["other"] == "中文"
    cmd = site.voila_command(site.SiteOptions(port=8999))
    resources = json.loads(next(a for a in cmd if a.startswith("--VoilaConfiguration.resources=")).split("=", 1)[1])
    assert resources["gohandbook"]["switch"] == res["switch"]
    denied = next((a for a in cmd if a.startswith("--VoilaKernelManager.preheat_denylist=")), "")
    assert "zh/" not in denied   # Chinese pages are preheated like the English ones


@pytest.mark.slow
def test_site_serves_both_languages_with_a_switch_on_each_page():
    """One `gohandbook serve` (Voila) serves the English and the Chinese pages; each links to the other."""
    import urllib.request

    from gohandbook import proc

    port = proc.free_port()
    with site.start(site.SiteOptions(port=port, preheat=False, cull_idle=0)):
        def get(path):
            import html as html_mod

            with urllib.request.urlopen(f"http://127.0.0.1:{port}/voila/render/{path}", timeout=120) as r:
                return html_mod.unescape(r.read().decode())   # headings come as character references

        zh = get("zh/05-summary-and-decision.ipynb")
        assert 'class="gh-lang-link" href="../05-summary-and-decision.ipynb"' in zh and ">English</a>" in zh
        assert "5. 总结与决策" in zh and "首页" in zh and "第五章 — 总结与决策" in zh
        assert "源文档的全部论断" in zh and "Every claim of the source document" not in zh
        en = get("05-summary-and-decision.ipynb")
        assert 'class="gh-lang-link" href="zh/05-summary-and-decision.ipynb"' in en and ">中文</a>" in en
        assert "Every claim of the source document" in en and "源文档的全部论断" not in en
        if Path("/usr/bin/chromium").exists():
            for page in ("05-summary-and-decision.ipynb", "01-should-we-choose-go.ipynb"):
                _check_chinese_widgets_in_a_browser(f"http://127.0.0.1:{port}/voila/render/zh/{page}", page)


def _check_chinese_widgets_in_a_browser(url, page_name):
    """The live widgets of a Chinese page (labels, dropdown options, buttons, chart titles) carry no English UI
    string, and the language switch goes to the same page in English."""
    from playwright.sync_api import sync_playwright

    from benchmarks import pagestate

    with sync_playwright() as p:
        browser = pagestate.launch(p.chromium)
        try:
            context = browser.new_context()
            outside = []
            context.route(pagestate.OUTSIDE, lambda r: (outside.append(r.request.url), r.abort()))
            page = context.new_page()
            errors = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            ready = pagestate.time_to_ready(page, url, limit=180)   # every chart drawn, the controls there
            assert ready.ready_s is not None and ready.charts and ready.controls, ready
            widgets = page.evaluate("""() => Array.from(document.querySelectorAll(
                '.widget-label, .widget-dropdown option, button, .widget-text input, .vega-embed svg text'))
                .map(e => e.placeholder || e.textContent).join(' | ')""")
            assert CJK.search(widgets) and english_ui_strings(widgets) == [], widgets
            for word in ("Chapter", "Verdict", "Search", "Status", "Deciders", "Consulted", "Informed", "holds"):
                assert word not in widgets, word
            assert page.evaluate("document.documentElement.lang") == "zh-CN"
            page.click(".gh-lang-link")
            page.wait_for_url(re.compile(r".*/voila/render/" + re.escape(page_name) + "$"), timeout=60_000)
            assert not errors and not outside, (errors, outside)
        finally:
            browser.close()


@pytest.mark.notebook
def test_report_in_chinese_reads_as_chinese_and_english_is_unchanged(tmp_path, monkeypatch):
    """`gohandbook report --lang zh`: every chapter page, the index and the ADR read as Chinese, with the same figures
    as in English; in Chromium every chart and table fits its page (vl-convert sizes the SVGs, the browser draws
    the Chinese text)."""
    monkeypatch.setattr(report, "measure_all", lambda *a, **k: {})   # the cache only: this test never measures
    zh = report.build_report(None, tmp_path / "zh", say=lambda m: None, workers=2, lang="zh")
    assert zh.ok, zh.chapters
    index = (zh.out / "index.html").read_text()
    pages = sorted(zh.out.glob("0[1-5]-*.html"))
    adr_md = (zh.out / "adr.md").read_text()
    assert len(pages) == 5 and '<html lang="zh-CN">' in index
    for text in [visible_text(index), adr_md] + [visible_text(p.read_text()) for p in pages]:
        assert english_ui_strings(text) == []
        assert len(CJK.findall(text)) > 200
    assert "建议：" in visible_text(index) and "第五章 — 总结与决策" in visible_text(pages[-1].read_text())
    assert "## 背景与问题陈述" in adr_md and '<html lang="zh">' in pages[-1].read_text()
    if Path("/usr/bin/chromium").exists():
        from playwright.sync_api import sync_playwright

        from benchmarks import pagestate
        from tests.test_render import layout_problems

        with sync_playwright() as p:
            browser = pagestate.launch(p.chromium)
            try:
                page = browser.new_page(viewport={"width": 1280, "height": 900})
                for path in [zh.out / "index.html", zh.out / "verdicts.html"] + pages:
                    page.goto(path.as_uri())
                    assert layout_problems(page) == [], path.name
            finally:
                browser.close()
    # the same numbers and decision as in English (chapter 5 and the index are enough for that)
    monkeypatch.setattr(report, "chapters", lambda: tuple(c for c in chapters() if c.number == 5))
    en = report.build_report(None, tmp_path / "en", say=lambda m: None, workers=1)
    doc_en, doc_zh = (json.loads((o.out / "results.json").read_text()) for o in (en, zh))
    assert doc_en["decision"]["score"] == doc_zh["decision"]["score"]
    assert doc_en["key_figures"] == doc_zh["key_figures"]
    index_en = visible_text((en.out / "index.html").read_text())
    assert "Recommendation: " in index_en and not CJK.search(index_en.replace("第五章", ""))
    assert "## Context and Problem Statement" in (en.out / "adr.md").read_text()


# --- the shared chrome: result banners, provenance, measure buttons, %%go -------------------------------

def _lookups_of_every_status():
    """A Lookup of each non-current status, with the reasons `measure.lookup` gives (no cache needed)."""
    from gohandbook import goversion, measure

    result = {"name": "loopvar", "key": "0123456789abcdef", "summary": {}, "provenance": {
        "host": {"cpu_model": "Reference CPU", "cores": 4, "memory_gib": 16, "os": "Linux"},
        "go": {"version": "go1.26.8"}, "finished": "2026-01-02T03:04:05+00:00", "preset": "quick", "params": {}}}
    reference = measure.Lookup.explained(result, "reference", (measure.REFERENCE_REASON_GO, {
        "cpu": "Reference CPU", "cores": 4, "go": "go1.26.8", "date": "2026-01-02", "name": "loopvar",
        "note": [goversion.mismatch_part("go1.27.1", "go1.26.8")]}))
    stale = measure.Lookup.explained(result, "stale", (measure.STALE_REASON, {"reasons": [
        (measure.STALE_GO, {"old": "go1.26.8", "new": "go1.27.1"}), (measure.STALE_SAMPLES, {}),
        (measure.STALE_CODE, {}), (measure.STALE_HOST, {"cpu": "Reference CPU"}), (measure.STALE_PARAMS, {})]}))
    missing = measure.Lookup.explained(None, "missing", (measure.MISSING_REASON, {"name": "loopvar"}))
    return {"reference": reference, "stale": stale, "missing": missing}, result


def _reads_as_chinese(markup: str) -> str:
    text = visible_text(markup)
    assert CJK.search(text), text
    assert english_ui_strings(text) == [], text
    return text


def test_result_banners_and_provenance_in_chinese_and_english_unchanged(monkeypatch):
    from gohandbook import measure
    from widgets import render

    found, result = _lookups_of_every_status()
    for status, lookup in found.items():
        text = _reads_as_chinese(render.result_banner(lookup, "zh"))
        assert "Showing" not in text and "stale" not in text and "not measured" not in text.lower()
        english = render.result_banner(lookup, "en")   # as before translation
        assert english == f'<div class="gh-warn"><b>{render.RESULT_STATUS_LABELS[status]}</b>: {html.escape(lookup.reason)}</div>'
        lookup.lang = "zh"   # read through a Chapter (CHAPTER.lookup(params, …)): the page's language
        shown = []
        monkeypatch.setattr(render, "display", shown.append)
        render.shown_summary(lookup)
        assert len(shown) == 1 and visible_text(shown[0].data.split("</style>")[-1]) == text
    assert found["stale"].reason == ("stale: Go changed from go1.26.8 to go1.27.1; the sample source changed; the "
                                     "measurement code changed; measured on another machine (Reference CPU); "
                                     "measured with other parameters")
    note = _reads_as_chinese(render.not_current_note(found.values()))   # the Lookups carry "zh"
    assert "loopvar" in note
    line = measure.provenance_line(result, "zh")
    assert "Reference CPU" in line and "go1.26.8" in line and "2026-01-02 03:04" in line and "0123456789abcdef"[:8] in line
    for word in ("Measured", "cores", "preset", "result"):
        assert word not in line, line
    english = measure.provenance_line(result)
    assert english.startswith("Measured on Reference CPU (4 cores, 16 GiB, Linux), go1.26.8, 2026-01-02 03:04 UTC")
    assert measure.provenance_in(f"[1] {english}", "zh") == f"[1] {line}"
    assert render.status_name("reference", "zh") != render.status_name("reference", "en")


def test_measure_buttons_and_their_messages_in_chinese(tmp_path, monkeypatch):
    from gohandbook import measure
    from widgets import measure_button as mb

    found, _result = _lookups_of_every_status()
    found["current"] = measure.Lookup(_result, "current")
    for status, lookup in found.items():
        monkeypatch.setattr(measure, "lookup", lambda name, preset="quick", *a, _l=lookup, **k: _l)
        _reads_as_chinese(mb.status_html("loopvar", lang="zh"))
        row = mb.MeasureButton("loopvar", lang="zh", queue=mb.MeasureQueue(tmp_path))
        assert CJK.search(row.button.description) and english_ui_strings(row.button.tooltip) == []
        assert CJK.search(row.title.value)
        row._waiting({"name": mb.ANOTHER, "started": "2026-01-02T03:04:05"})
        _reads_as_chinese(row.message.value)
    # progress lines as `gohandbook measure` prints them (English) are shown in the page's language
    measure.all_measurements()
    for line in (mb.STARTING, "quick_validation: run 2/5", "go run + go vet with no go directive (the go command "
                 "assumes go 1.16)", "pod-kill: during the fault", "pooled: 64 connections (pass 2/3)", "done"):
        row._progress(0.5, line)
        text = _reads_as_chinese(row.message.value)
        assert not re.search(r"(?<!go )\b(run|during|connections|pass|done|starting)\b", text), text  # `go run`: code
    for outcome in (mb.Outcome.said(False, mb.TIMED_OUT, {"timeout": "600"}),
                    mb.Outcome.said(False, mb.FAILED, {"code": 3, "last": "x"}),
                    mb.Outcome.said(True, mb.MEASURED, {"seconds": "12"}),
                    mb.Outcome(False, str(mb.BusyError(5)), why=mb.BusyError(5).why)):
        text = outcome.text("zh")
        assert CJK.search(text) and english_ui_strings(text) == [], text
        assert outcome.text("en") == outcome.message


def test_go_magic_output_and_version_notes_in_chinese():
    from gohandbook import goversion, snippets
    from widgets import gomagic

    program = snippets.Program("package main\n", True, 0, 3)
    error = snippets.Diagnostic(2, 5, "undefined: x", "compile", "")
    results = [snippets.SnippetResult(program, "1.22", "go1.26.8", stdout="", exit_code=0, build_seconds=1.0),
               snippets.SnippetResult(program, "1.22", "go1.26.8", compile_errors=[error], hint=snippets.HINT_MOVED),
               snippets.SnippetResult(program, "1.22", "go1.26.8", timed_out=True, timeout=2),
               snippets.SnippetResult(program, "1.22", "go1.26.8", memory_limited=True, memory_mib=512, exit_code=2)]
    for result in results:
        _reads_as_chinese(gomagic.render_html(result, "a\nb\nc", show_program=True, lang="zh"))
        text = gomagic.render_text(result, "a\nb\nc", lang="zh")
        assert CJK.search(text) and english_ui_strings(text) == [], text
        assert gomagic.render_text(result, "a\nb\nc") == gomagic.render_text(result, "a\nb\nc", lang="en")
    assert gomagic.notebook_lang({"lang": "zh"}) == "zh" and gomagic.notebook_lang({}) == "en"
    from gohandbook.i18n import use

    for bad in ({"go_line": "1.30"}, {"memory_mib": 10}, {"timeout": 0}):   # checked before anything runs
        with use("zh"), pytest.raises(snippets.SnippetError) as err:
            snippets.run_snippet("fmt.Println(1)", **bad)
        assert CJK.search(str(err.value)) and english_ui_strings(str(err.value)) == [], err.value
    for note in (goversion.mismatch_note("go1.27.1", "go1.26.8", "zh"), goversion.mismatch_note("go1.26.9", "go1.26.8", "zh")):
        assert CJK.search(note) and english_ui_strings(note) == [] and "go1.26.8" in note


# --- chapter 4 ------------------------------------------------------------------------------------------

def panel_words(panel) -> list[str]:
    """What a live panel shows in words: each control's description, tooltip and option labels, and its headings."""
    words = []
    for control in panel.controls.values():
        words += [control.description, control.tooltip or ""]
        words += [o[0] if isinstance(o, tuple) else str(o) for o in getattr(control, "options", ()) or ()
                  if not isinstance(o, (int, float))]
    return words + [visible_text(w.value) for box in panel.box.children for w in getattr(box, "children", ())
                    if isinstance(getattr(w, "value", None), str)]


def _chart_words(spec, out: list) -> list:
    """Every word a chart shows: titles, subtitles, axis and legend titles, tooltip titles, text marks and the
    category values of its inline data."""
    if isinstance(spec, dict):
        for key, value in spec.items():
            if key in ("title", "subtitle", "text") and isinstance(value, (str, list)):
                out += [v for v in ([value] if isinstance(value, str) else value) if isinstance(v, str)]
            elif key == "values" and isinstance(value, (list, tuple)):
                out += [v for row in value if isinstance(row, dict) for k, v in row.items()
                        if isinstance(v, str) and k not in ("key", "metric", "fault", "phase", "scenario_key")]
            else:
                _chart_words(value, out)
    elif isinstance(spec, list):
        for value in spec:
            _chart_words(value, out)
    return out


def _english_phrases(text: str) -> list[str]:
    """english_ui_strings without code-like single tokens (static_typing=3@python+node is code in both languages)."""
    return [piece for piece in english_ui_strings(text) if " " in piece]


def test_chapter_4_in_chinese_charts_widgets_and_tables(monkeypatch):
    """Every chapter-4 chart, control (label, tooltip, options, group headings), note and table in Chinese: no run of
    English UI words remains; the live migration model says in Chinese how many runs it used."""
    from gohandbook import ch4
    from widgets import ch4 as ui, controls, render

    params = ch4.PARAMS.validate({"lang": "zh", "live_widgets": False})
    texts, charts = [], []
    for name in ("migration", "canary_model"):
        for view in controls.REGISTRY[(4, name)].evaluate(params).values():
            (texts.append(visible_text(view)) if isinstance(view, str) else charts.append(view.to_dict()))
    shown = []
    monkeypatch.setattr(render, "display", shown.append)
    for section in (ui.friction_section, ui.loopvar_section, ui.canary_measured_section, ui.security_section,
                    ui.fuzz_section, ui.sbom_section, ui.chaos_section, ui.findings_section):
        section(params)
    texts += [visible_text(re.sub(r"<svg.*?</svg>|<pre>.*?</pre>", "", getattr(o, "data", "") or "", flags=re.S))
              for o in shown]
    texts += [" ".join(re.findall(r"<text[^>]*>([^<]*)</text>", getattr(o, "data", "") or "")) for o in shown]
    words = [w for spec in charts for w in _chart_words(spec, [])]
    assert len(charts) == 4 and any("团队速度" in w for w in words)
    monkeypatch.setattr("IPython.display.display", lambda *a, **k: None)
    big = dict(params, live_widgets=True, team_size=60, mig_horizon_months=60, mig_runs=5000)
    ui.migration_panel(big)
    ui.canary_model_panel(dict(params, live_widgets=True))
    runs = ch4.live_runs(big)
    live = controls.SHOWN[(4, "migration")]
    live.settle()
    assert f"在线页面：只模拟 5,000 次中的前 {runs:,} 次" in live.views["summary"].value
    for panel in (live, controls.SHOWN[(4, "canary_model")]):
        words += panel_words(panel)
        texts.append(visible_text(panel.note.value))
    assert controls.SHOWN[(4, "canary_model")].controls["canary_plan"].options[0][0] == "源文档：5 → 50 → 100 %"
    text = " | ".join(texts + words)
    assert len(CJK.findall(text)) > 2000 and _english_phrases(text) == [], _english_phrases(text)
    for word in ("before", "during", "after", "today's velocity", "model (expected)", "Months after"):
        assert word not in " | ".join(words), word


def test_chapter_4_figures_and_errors_in_both_languages():
    """Language changes words only: the same key figures (their names catalog msgids, shown translated), the same
    model numbers in both languages' charts; parameter errors in the page's language."""
    from gohandbook import ch4
    from widgets import controls

    en, zh = ch4.PARAMS.validate({}), ch4.PARAMS.validate({"lang": "zh"})
    assert ch4.key_figures(en) == ch4.key_figures(zh)
    catalog = {m.id: m.string for m in i18n.catalog_messages("zh") if isinstance(m.id, str)}
    assert all(catalog.get(f["figure"]) for f in ch4.key_figures(en))
    views = {lang: controls.REGISTRY[(4, "migration")].evaluate(dict(p, live_widgets=False)) for lang, p in
             (("en", en), ("zh", zh))}

    def bands(view):   # the fan's numbers (the rows with quantiles), whatever the words around them
        return [rows for rows in view.to_dict()["datasets"].values() if rows and "p50" in rows[0]]

    assert bands(views["en"]["fan"]) == bands(views["zh"]["fan"]) and bands(views["en"]["fan"])
    with pytest.raises(ParameterError, match="至少一个比例必须 > 0"):
        ch4.check(ch4.PARAMS.validate({"lang": "zh", "mig_share_java": 0, "mig_share_python": 0, "mig_share_node": 0}))
    with pytest.raises(ParameterError, match="每个权重必须大于前一个"):
        ch4.plan_steps(ch4.PARAMS.validate({"lang": "zh", "canary_plan": "custom", "canary_custom_steps": "9,3"}))
    with pytest.raises(ParameterError, match="above the previous one"):
        ch4.plan_steps(ch4.PARAMS.validate({"canary_plan": "custom", "canary_custom_steps": "9,3"}))


def test_one_duration_formatter_for_every_chapter():
    from gohandbook.units import duration

    assert [duration(s) for s in (0, 0.2, 12.34, 180, 14400)] == ["0 s", "200 ms", "12.3 s", "3.0 min", "4.0 h"]
    assert duration(float("inf")) == "unbounded" and duration(float("inf"), "zh") == "无上限"
    assert duration(0.2, "zh") == "200 ms"        # units stay as they are (data/glossary.yaml)
    import inspect

    from gohandbook import ch4
    from widgets import ch2, ch4 as ui

    assert not hasattr(ch4, "fmt_seconds") and "duration_text" not in inspect.getsource(ch2)
    assert "duration(" in inspect.getsource(ui) and "duration(" in inspect.getsource(ch4)


def test_a_bad_service_in_a_chinese_profile_is_said_in_chinese():
    """Profile mistakes can reach a page (a batch's comparison page names a failed profile's error)."""
    from gohandbook.chapters import load_profile

    bad = {"a": {"url": "http://10.0.0.1:80"}}
    with pytest.raises(ParameterError) as err:
        load_profile({"lang": "zh", "services": bad})
    assert str(err.value).startswith("services.a.url: 10.0.0.1 ") and CJK.search(str(err.value))
    assert english_ui_strings(str(err.value)) == []
    with pytest.raises(ParameterError, match=r"^services.a.url: 10.0.0.1 is not a loopback address: the handbook only"):
        load_profile({"services": bad})


# --- chapter 1 ------------------------------------------------------------------------------------------

def test_chapter_1_in_chinese_charts_widgets_and_tables(monkeypatch):
    """Every chapter-1 view in Chinese: the decision panel and the peers panel (charts, recommendation, tables),
    their controls (labels, tooltips, options, group headings) and every section in report mode. No run of English
    UI words remains (proper nouns such as Mann–Whitney U and the sources' titles stay)."""
    from gohandbook import ch1
    from widgets import ch1 as ui, controls, render

    params = ch1.PARAMS.validate({"lang": "zh", "live_widgets": False})
    texts, charts = [], []
    for name in ("decision", "peers"):
        for view in controls.REGISTRY[(1, name)].evaluate({**params, **ch1.effective_answers(params)}).values():
            (texts.append(visible_text(view)) if isinstance(view, str) else charts.append(view.to_dict()))
    shown = []
    monkeypatch.setattr(render, "display", shown.append)
    for section in (ui.validation_section, ui.services_section, ui.gates_section, ui.seed_table_section,
                    ui.binary_section, ui.static_section):
        section(params)
    texts += [visible_text(re.sub(r"<svg.*?</svg>", "", getattr(o, "data", "") or "", flags=re.S)) for o in shown]
    texts += [" ".join(re.findall(r"<text[^>]*>([^<]*)</text>", getattr(o, "data", "") or "")) for o in shown]
    words = [w for spec in charts for w in _chart_words(spec, [])]
    words += [v for spec in charts for rows in spec.get("datasets", {}).values() for row in rows   # inline data
              for k, v in row.items() if isinstance(v, str) and k not in ("key", "metric")]
    assert len(charts) == 3 and "支持 Go" in words and "反对 Go" in words and "当前权重" in words
    monkeypatch.setattr("IPython.display.display", lambda *a, **k: None)
    ui.decision_panel(dict(params, live_widgets=True))
    ui.validation_section(dict(params, live_widgets=True))
    for key in ((1, "decision"), (1, "peers")):
        panel = controls.SHOWN[key]
        words += panel_words(panel)
    assert controls.SHOWN[(1, "decision")].controls["workload_kind"].options[2] == ("Web 服务", "web_services")
    text = " | ".join(texts + words)
    proper = {"Mann–Whitney U", "Go Developer Survey 2020"}
    assert len(CJK.findall(text)) > 1500 and set(_english_phrases(text)) <= proper, _english_phrases(text)
    for word in ("for Go", "against Go", "current weight", "Workload", "Decision threshold", "Score ", "Runtime"):
        assert word not in text, word


def test_chapter_1_figures_and_decision_in_both_languages():
    """Language changes words only: the same key figures (their names catalog msgids), decision, gates outcome."""
    from gohandbook import ch1
    from gohandbook.params import ParameterError

    en, zh = ch1.PARAMS.validate({}), ch1.PARAMS.validate({"lang": "zh"})
    assert ch1.key_figures(en) == ch1.key_figures(zh)
    catalog = {m.id: m.string for m in i18n.catalog_messages("zh") if isinstance(m.id, str)}
    assert all(catalog.get(f["figure"]) for f in ch1.key_figures(en))
    found = ch1.CHAPTER.results(en)
    gates_en, gates_zh = ch1.gates(en, found), ch1.gates(zh, found)
    assert [(g.name, g.passed) for g in gates_en] == [(g.name, g.passed) for g in gates_zh]
    assert all(CJK.search(g.detail) for g in gates_zh) and not any(CJK.search(g.detail) for g in gates_en)
    with pytest.raises(ParameterError, match="超出范围"):
        ch1.decide(dict(zh, weight_compute_ai=11))


# --- chapter 2 ------------------------------------------------------------------------------------------

def test_chapter_2_in_chinese_charts_widgets_and_tables(monkeypatch):
    """Every chapter-2 chart (titles, axes, legends and their category labels), control (label, tooltip, options),
    callout and table in Chinese, from the cached or reference results: no run of English UI words remains; the
    series keys stay English (data), the legend shows them translated; the same numbers in both languages."""
    from gohandbook import ch2
    from widgets import ch2 as ui, controls, render

    params = ch2.PARAMS.validate({"lang": "zh", "live_widgets": False})
    charts, shown = [], []
    monkeypatch.setattr(render, "display", shown.append)
    monkeypatch.setattr(ui, "show_chart", lambda chart, live: charts.append(chart.to_dict()))
    monkeypatch.setattr(controls, "show_chart", lambda chart, live: charts.append(chart.to_dict()))
    for section in (ui.concurrency_memory_section, ui.fanout_section, ui.concurrency_table_section, ui.build_section,
                    ui.hybrid_table_section, ui.gc_section, ui.pool_section, ui.g1_section, ui.toolchain_section,
                    ui.reconcile_panel, ui.wasm_section, ui.findings_section):
        section(params)
    texts = [visible_text(re.sub(r"<pre>.*?</pre>", "", getattr(o, "data", "") or "", flags=re.S)) for o in shown]
    words = [w for spec in charts for w in _chart_words(spec, [])]
    legend = [r.get("label") for spec in charts for rows in spec.get("datasets", {}).values() for r in rows]
    assert len(charts) >= 10 and "Python 线程：RSS" in legend and "Python thread: RSS" not in legend
    monkeypatch.setattr("IPython.display.display", lambda *a, **k: None)
    live = dict(params, live_widgets=True)
    for section in (ui.concurrency_memory_section, ui.build_section, ui.gc_section, ui.reconcile_panel):
        section(live)
    for name in ("units", "build", "gc", "reconcile"):
        panel = controls.SHOWN[(2, name)]
        for control in panel.controls.values():
            words += [control.description, control.tooltip or ""]
            words += [o[0] if isinstance(o, tuple) else str(o) for o in getattr(control, "options", ()) or ()
                      if not isinstance(o, (int, float))]
        for view in panel.views.values():
            if hasattr(view, "chart"):
                words += _chart_words(view.chart.to_dict(), [])
    assert controls.SHOWN[(2, "gc")].controls["ch2_gc_metric"].options[0] == ("GC CPU 时间（秒）", "gc_cpu_seconds")
    text = " | ".join(texts + words)
    code = {"client-go workqueue", "runtime/metrics /sched/pauses/total/gc"}   # names in code, any language
    assert len(CJK.findall(text)) > 2000 and set(_english_phrases(text)) <= code, _english_phrases(text)
    for word in ("Bytes per unit", "Units alive", "delay before", "Wall time", "Peak RSS", "Seed: ", "build failed"):
        assert word not in text, word
    # words only: the reconcile model's rows and the findings' numbers are the same in English
    en = ch2.PARAMS.validate({"live_widgets": False})
    strip = lambda rows: [{k: v for k, v in r.items() if k != "strategy"} for r in rows]  # noqa: E731
    assert strip(ch2.reconcile_rows(en)) == strip(ch2.reconcile_rows(params, "zh"))
    assert ch2.key_figures(en) == ch2.key_figures(params)


def test_chapter_2_findings_are_computed_from_results(monkeypatch):
    """Issue 15: the chapter's findings and chart titles state what the cached results say (no hard-coded comparison):
    a result that says the opposite changes the words."""
    from gohandbook import ch2, measure
    from widgets import ch2 as ui, render

    params = ch2.PARAMS.validate({"live_widgets": False})
    found = ch2.CHAPTER.lookup(params, "wasm_run")
    if not found.ok:
        pytest.skip("no wasm_run result (cached or reference)")
    flipped = json.loads(json.dumps(found.result))
    flipped["summary"]["go_wasip1"]["same_digest_as_native"] = False
    real_lookup = measure.lookup
    monkeypatch.setattr(measure, "lookup", lambda name, preset: measure.Lookup(flipped, "current")
                        if name == "wasm_run" else real_lookup(name, preset))
    shown, charts = [], []
    monkeypatch.setattr(render, "display", shown.append)
    monkeypatch.setattr(ui, "show_chart", lambda chart, live: charts.append(chart.to_dict()))
    ui.wasm_section(params)
    ui.findings_section(params)
    text = " ".join(getattr(o, "data", "") or "" for o in shown)
    assert "differed from the native" in text and "matched the native" not in text
    assert "output differs from the native build" in charts[0]["title"]["text"]


def test_key_figure_provenance_is_kept_english_and_worded_where_shown():
    """results.json keeps each key figure's provenance English; chapter 5 and the ADR word it in the page's language
    (measure.provenance_in: measured lines, the cache's reasons, each chapter's registered model provenance)."""
    from gohandbook import measure

    zh = ch5.PARAMS.validate({"lang": "zh"})
    figures = ch5.key_figures(zh)
    assert figures == ch5.key_figures(ch5.PARAMS.validate({}))
    for figure in figures:
        shown = measure.provenance_in(figure["provenance"], "zh")
        assert english_ui_strings(shown) == [], (figure["figure"], shown)
        assert measure.provenance_in(figure["provenance"], "en") == figure["provenance"]
    reason = measure.MISSING_REASON.format(name="pool_bench")
    assert measure.provenance_in(reason, "zh") == _zh(measure.MISSING_REASON).format(name="pool_bench")
    assert measure.provenance_in("a sentence no template wrote", "zh") == "a sentence no template wrote"


def _zh(message):
    return i18n._(message, "zh")


def test_a_lookup_words_its_provenance_in_the_pages_language():
    from gohandbook import measure

    assert measure.Lookup(None, "missing").provenance("zh") == ""
    found = measure.lookup("go_binary_size", "quick")
    if not found.ok:
        pytest.skip("no go_binary_size result in this cache")
    assert found.provenance("en") == measure.provenance_line(found.result, "en") != found.provenance("zh")
    assert "测量于" in found.provenance("zh") and english_ui_strings(found.provenance("zh")) == []
    found.lang = "zh"      # read through a Chinese page's CHAPTER.lookup
    assert found.provenance() == found.provenance("zh")
