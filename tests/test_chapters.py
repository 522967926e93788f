"""The per-chapter plumbing: one way to read a chapter's preset, cached results and claims, and one banner
for a result that is not current on this machine."""
import importlib
import inspect

import pytest

from gohandbook import ch2, ch3, ch4, ch5, measure
from gohandbook.chapters import chapters


def test_preset_follows_the_quick_parameter():
    assert ch2.CHAPTER.preset({"quick": True}) == "quick"
    assert ch2.CHAPTER.preset({}) == "quick"
    assert ch3.CHAPTER.preset({"quick": False}) == "full"


def test_lookup_and_results_read_the_cache_in_the_chapter_preset(monkeypatch):
    asked = []
    monkeypatch.setattr(measure, "lookup", lambda name, preset: asked.append((name, preset)) or
                        measure.Lookup(None, "missing", name))
    found = ch4.CHAPTER.lookup({"quick": False}, "loopvar")
    assert (found.status, found.reason) == ("missing", "loopvar") and asked == [("loopvar", "full")]
    asked.clear()
    assert list(ch2.CHAPTER.results({"quick": True})) == list(ch2.MEASUREMENTS)
    assert asked == [(name, "quick") for name in ch2.MEASUREMENTS]


def test_claims_are_the_chapters_own_and_a_section_filters_them():
    params = ch3.PARAMS.defaults()
    own = ch3.CHAPTER.claims(params)
    assert own and {v.chapter for v in own} == {3}
    section = ch3.CHAPTER.claims(params, section="3.1")
    assert section and {v.section for v in section} == {"3.1"} and len(section) < len(own)
    every = ch5.CHAPTER.claims(ch5.PARAMS.defaults())
    assert {v.chapter for v in every} == {c.number for c in chapters()}


def _sections(module):
    """The module's public functions that take just the validated params (its notebook's sections)."""
    for name, fn in inspect.getmembers(module, inspect.isfunction):
        if fn.__module__ == module.__name__ and not name.startswith("_") \
                and list(inspect.signature(fn).parameters) == ["params"]:
            yield name, fn


@pytest.mark.parametrize("number", [1, 2, 3, 4, 5])
def test_every_section_shows_a_reference_result_with_its_banner(number, monkeypatch):
    """A site that has measured nothing shows the shipped reference results (summary only, no raw samples):
    every section must render from them, and each measured one says it is a reference result."""
    from widgets import render

    def reference(name, preset="quick", *args, **kwargs):
        ref = measure.reference_result(name, preset)
        return measure.Lookup(ref, "reference", "REFERENCE-REASON") if ref else measure.Lookup(None, "missing", "none")

    monkeypatch.setattr(measure, "lookup", reference)
    core, ui = (importlib.import_module(f"{pkg}.ch{number}") for pkg in ("gohandbook", "widgets"))
    params = core.PARAMS.validate({"live_widgets": False})
    banner = render.RESULT_STATUS_LABELS["reference"]
    for name, section in _sections(ui):
        shown = []
        monkeypatch.setattr(render, "display", shown.append)
        section(params)
        texts = [getattr(o, "data", "") or "" for o in shown]
        source = inspect.getsource(section)
        reads = [m for m in core.CHAPTER.measurements if f'"{m}"' in source and measure.reference_result(m, "quick")]
        if len(reads) == 1:
            assert any(banner in t and "REFERENCE-REASON" in t for t in texts), (number, name)
        elif reads:  # a summary over several results names those that are not current (not_current_note)
            assert any("not from a current measurement" in t and all(m in t for m in reads) for t in texts), \
                (number, name)


@pytest.mark.parametrize("number, reference, other", [(2, ("build_matrix", "gc_tuning"), "pool_bench"),
                                                      (4, ("loopvar", "chaos_faults"), "fuzz_parser")])
def test_a_summary_over_several_results_names_those_not_measured_here(number, reference, other, monkeypatch):
    from widgets import render

    core, ui = (importlib.import_module(f"{pkg}.ch{number}") for pkg in ("gohandbook", "widgets"))
    shown = []
    monkeypatch.setattr(measure, "lookup", lambda name, preset="quick", *a, **k: measure.Lookup(
        measure.reference_result(name, preset), "reference", "r") if name in reference
        else measure.Lookup(None, "missing", "m"))
    monkeypatch.setattr(render, "display", shown.append)
    if not all(measure.reference_result(n, "quick") for n in reference):
        pytest.skip("no reference results shipped")
    ui.findings_section(core.PARAMS.validate({"live_widgets": False}))
    note = [o.data for o in shown if "not from a current measurement" in (getattr(o, "data", "") or "")]
    assert len(note) == 1 and all(n in note[0] for n in reference) and other not in note[0]
