import pytest

from gohandbook.ch1 import PARAMS as CH1
from gohandbook.chapters import all_params, load_profile
from gohandbook.params import Param, ParameterError, ParamSet, injected_names

PS = ParamSet("demo", (
    Param("team_size", "int", 8, "engineers", min=1, max=5000),
    Param("ratio", "float", 0.5, "a ratio", min=0, max=1),
    Param("stack", "choice", "go", "stack", choices=("go", "java")),
    Param("live", "bool", True, "live"),
    Param("answer", "int", None, "answer", min=0, max=4, nullable=True),
))


def test_defaults_fill_missing_values():
    assert PS.validate({}) == {"team_size": 8, "ratio": 0.5, "stack": "go", "live": True, "answer": None}


@pytest.mark.parametrize("values, fragment", [
    ({"team_size": 0}, "team_size = 0 is out of range: allowed is an integer from 1 to 5000"),
    ({"team_size": 2.5}, "team_size = 2.5 is not allowed: allowed is an integer"),
    ({"team_size": "many"}, "team_size = 'many' is not allowed"),
    ({"team_size": True}, "team_size = True is not allowed"),
    ({"ratio": 1.5}, "ratio = 1.5 is out of range: allowed is a number from 0 to 1"),
    ({"ratio": float("nan")}, "ratio = nan is not allowed"),
    ({"stack": "rust"}, "stack = 'rust' is not allowed: allowed is one of 'go', 'java'"),
    ({"live": "maybe"}, "live = 'maybe' is not allowed: allowed is true or false"),
    ({"answer": 7}, "answer = 7 is out of range: allowed is an integer from 0 to 4 (or null)"),
    ({"stack": None}, "stack is missing (null)"),
])
def test_bad_values_name_the_parameter_and_what_is_allowed(values, fragment):
    with pytest.raises(ParameterError) as err:
        PS.validate(values)
    assert fragment in str(err.value)


def test_unknown_name_is_an_error_with_a_suggestion():
    with pytest.raises(ParameterError, match=r"unknown parameter team_sise for demo: did you mean 'team_size'\?"):
        PS.validate({"team_sise": 3})


def test_coercions_that_are_safe():
    out = PS.validate({"team_size": 5.0, "ratio": "0.25", "live": "false", "answer": None})
    assert out["team_size"] == 5 and isinstance(out["team_size"], int)
    assert out["ratio"] == 0.25 and out["live"] is False and out["answer"] is None


def test_traceback_is_one_line_in_ipython():
    err = ParameterError("x = 1 is out of range")
    assert err._render_traceback_() == ["ParameterError: x = 1 is out of range"]


def test_injected_cell_names_are_found():
    cells = ["team_size = 8\n", "# Parameters\nteam_size = 3\nteam_sise = 4\n", "print(1)"]
    assert injected_names(cells) == {"team_size", "team_sise"}
    assert injected_names(["team_size = 8"]) == set()


def test_from_namespace_rejects_injected_typos_but_not_other_globals():
    ns = {"In": ["", "team_size = 8", "# Parameters\nteam_size = 3\n"], "team_size": 3, "chart": object()}
    assert PS.from_namespace(ns)["team_size"] == 3
    ns["In"].append("# Parameters\nteam_sise = 3\n")
    with pytest.raises(ParameterError, match="unknown parameter team_sise"):
        PS.from_namespace(ns)


def test_chapter1_declares_what_the_issue_asks():
    for name in ("team_size", "current_stack", "workload_kind", "weight_high_concurrency", "adopt_threshold"):
        assert name in CH1
    assert CH1.defaults()["team_size"] >= 1


def test_profiles_are_validated_against_every_chapter(tmp_path):
    good = tmp_path / "shop.yaml"
    good.write_text("team_size: 12\ncurrent_stack: node\nworkload_kind: infrastructure\n")
    profile = load_profile(good)
    assert profile["team_size"] == 12 and profile["profile_name"] == "shop"
    assert set(profile) == set(all_params().by_name)
    bad = tmp_path / "typo.yaml"
    bad.write_text("team_size: 12\nworkload: infrastructure\n")
    with pytest.raises(ParameterError, match="unknown parameter workload"):
        load_profile(bad)
    broken = tmp_path / "broken.yaml"
    broken.write_text("team_size: [1,\n")
    with pytest.raises(ParameterError, match="not valid YAML"):
        load_profile(broken)
    with pytest.raises(ParameterError, match="does not exist"):
        load_profile(tmp_path / "missing.yaml")
    listy = tmp_path / "list.yaml"
    listy.write_text("- 1\n- 2\n")
    with pytest.raises(ParameterError, match="must be a mapping"):
        load_profile(listy)
