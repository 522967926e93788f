"""One summary of repeated runs (`measure._runs.stats`) for every measurement, and results written before it
(chapter 1's peers summarised with ints where Go printed a whole float) still read and show the same figures."""
import copy
import json
import statistics

from gohandbook import ch1, measure
from gohandbook.measure import _runs, quick_validation, runtimes, team_services

from .conftest import REPO


def test_stats_drops_missing_runs_and_gives_floats():
    s = _runs.stats(iter([23456, None, 23000.5, 24000]))   # a generator, as the measurements pass it
    assert s == {"median": 23456.0, "min": 23000.5, "max": 24000.0, "n": 3, "values": [23456.0, 23000.5, 24000.0]}
    assert all(type(v) is float for v in (s["median"], s["min"], s["max"], *s["values"]))
    assert _runs.stats([None]) == {"median": None, "min": None, "max": None, "n": 0, "values": []}
    assert _runs.stats([1, 2])["median"] == 1.5


def test_one_stats_function():
    assert not hasattr(runtimes, "stats")
    assert quick_validation.stats is _runs.stats and team_services.stats is _runs.stats


def _former_harness_stats(values) -> dict:
    """gohandbook/measure/runtimes.py's `stats` before it was merged into _runs.stats: values kept as read."""
    values = [v for v in values if v is not None]
    return {"median": statistics.median(values), "min": min(values), "max": max(values), "n": len(values),
            "values": values}


def _as_go_prints_it(value: float):
    return int(value) if float(value).is_integer() else value   # Go's encoding/json: 23456.0 -> 23456


def test_a_result_summarised_before_still_reads_and_shows_the_same_figures():
    """Chapter 1's peers were summarised by the harness's own `stats`, which kept Go's whole figures (a QPS of
    23456.0 printed as 23456) as ints: such a result (the shipped reference result, re-summarised the old way
    with whole figures as ints) shows the same rows as the same runs summarised now."""
    ref = json.loads((REPO / "data" / "reference-results" / "quick_validation-quick.json").read_text())
    old, new = copy.deepcopy(ref), copy.deepcopy(ref)
    measured = [k for k, rt in ref["summary"]["runtimes"].items() if rt.get("available") and "qps" in rt]
    assert measured
    for key in measured:
        for metric, _heading, _digits in ch1.RUNTIME_METRICS:
            values = [_as_go_prints_it(v) for v in ref["summary"]["runtimes"][key][metric]["values"]]
            values[0] = int(values[0])            # at least one whole figure per metric, as Go would print it
            old["summary"]["runtimes"][key][metric] = _former_harness_stats(values)
            new["summary"]["runtimes"][key][metric] = _runs.stats(values)
    assert any(type(v) is int for rt in old["summary"]["runtimes"].values() if "qps" in rt for v in rt["qps"]["values"])
    rows_old, rows_new = (ch1.runtime_rows(measure.Lookup(r, "reference")) for r in (old, new))
    assert rows_old and rows_old == rows_new                    # the table's text, to the character
    charted_old, charted_new = (ch1.long_form(measure.Lookup(r, "reference")) for r in (old, new))
    assert charted_old and charted_old == charted_new          # the charts' numbers (22 == 22.0)
    assert ch1.runtime_rows(measure.Lookup(ref, "reference"))   # the shipped file reads as it is
