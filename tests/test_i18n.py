"""Chinese and English: catalogs complete, both notebook languages from one source, reports that read as Chinese."""
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
    assert {p.name for p in TRANSLATED} >= {"00-index.ipynb", "05-summary-and-decision.ipynb"}


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
    """ch5's translatable copies of the decision model's texts must match the model (else Chinese lags behind)."""
    from gohandbook.models.decision import RECOMMENDATIONS

    assert ch5.RECOMMENDATION_TEXTS == RECOMMENDATIONS
    assert adr.WORKLOAD_NAMES and all(ch5.recommendation_named(k, "zh") != v for k, v in RECOMMENDATIONS.items())


def test_same_decision_and_figures_in_both_languages():
    en = ch5.PARAMS.validate({"workload_kind": "infrastructure"})
    zh = ch5.PARAMS.validate({"workload_kind": "infrastructure", "lang": "zh"})
    from gohandbook import ch1

    a, b = ch1.decide(en), ch1.decide(zh)
    assert (a.score, a.recommendation, a.contributions) == (b.score, b.recommendation, b.contributions)
    assert ch5.key_figures(en) == ch5.key_figures(zh)
    assert [v.verdict for v in ch5.CHAPTER.claims(en)] == [v.verdict for v in ch5.CHAPTER.claims(zh)]
    assert len(ch5.reason_lines(a, "zh")) == len(a.reasons)


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


def english_ui_strings(text: str) -> list[str]:
    """Runs of English words from the catalog's msgids (3 words or more) found in `text`."""
    found = set()
    for m in i18n.catalog_messages("zh"):
        for msgid in ([m.id] if isinstance(m.id, str) else m.id):
            for piece in re.split(r"\{[a-z_0-9]*\}|[“”():;.,·—←]", msgid.replace("\n", " ")):
                piece = re.sub(r"\s+", " ", piece).strip()
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
            _check_chinese_widgets_in_a_browser(f"http://127.0.0.1:{port}/voila/render/zh/05-summary-and-decision.ipynb")


def _check_chinese_widgets_in_a_browser(url):
    """The live widgets of a Chinese page (labels, dropdown options, buttons, chart titles) carry no English UI
    string, and the language switch goes to the same page in English."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync"])
        try:
            context = browser.new_context()
            outside = []
            context.route(re.compile(r"^(?!http://127\.0\.0\.1|ws://127\.0\.0\.1|data:|blob:).*"),
                          lambda r: (outside.append(r.request.url), r.abort()))
            page = context.new_page()
            errors = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(url, timeout=180_000)
            page.wait_for_selector(".widget-dropdown select", timeout=180_000)
            page.wait_for_selector(".vega-embed svg", timeout=60_000)
            widgets = page.evaluate("""() => Array.from(document.querySelectorAll(
                '.widget-label, .widget-dropdown option, button, .widget-text input, .vega-embed svg text'))
                .map(e => e.placeholder || e.textContent).join(' | ')""")
            assert CJK.search(widgets) and english_ui_strings(widgets) == [], widgets
            for word in ("Chapter", "Verdict", "Search", "Status", "Deciders", "Consulted", "Informed", "holds"):
                assert word not in widgets, word
            assert page.evaluate("document.documentElement.lang") == "zh-CN"
            page.click(".gh-lang-link")
            page.wait_for_url(re.compile(r".*/voila/render/05-summary-and-decision\.ipynb$"), timeout=60_000)
            assert not errors and not outside, (errors, outside)
        finally:
            browser.close()


@pytest.mark.notebook
def test_report_in_chinese_reads_as_chinese_and_english_is_unchanged(tmp_path, monkeypatch):
    """`gohandbook report --lang zh` for the index and chapter 5 (chapters 1-4 follow next session)."""
    monkeypatch.setattr(report, "chapters", lambda: tuple(c for c in chapters() if c.number == 5))
    monkeypatch.setattr(report, "measure_all", lambda *a, **k: {})   # the cache only: this test never measures
    zh = report.build_report(None, tmp_path / "zh", say=lambda m: None, workers=1, lang="zh")
    assert zh.ok, zh.chapters
    index = (zh.out / "index.html").read_text()
    page = (zh.out / "05-summary-and-decision.html").read_text()
    adr_md = (zh.out / "adr.md").read_text()
    assert '<html lang="zh-CN">' in index and '<html lang="zh">' in page
    for text in (visible_text(index), visible_text(page), adr_md):
        assert english_ui_strings(text) == []
        assert len(CJK.findall(text)) > 200
    assert "建议：" in visible_text(index) and "第五章 — 总结与决策" in visible_text(page)
    assert "## 背景与问题陈述" in adr_md
    # the same numbers and decision as in English
    en = report.build_report(None, tmp_path / "en", say=lambda m: None, workers=1)
    doc_en, doc_zh = (json.loads((o.out / "results.json").read_text()) for o in (en, zh))
    assert doc_en["decision"]["score"] == doc_zh["decision"]["score"]
    assert doc_en["key_figures"] == doc_zh["key_figures"]
    index_en = visible_text((en.out / "index.html").read_text())
    assert "Recommendation: " in index_en and not CJK.search(index_en.replace("第五章", ""))
    assert "## Context and Problem Statement" in (en.out / "adr.md").read_text()
