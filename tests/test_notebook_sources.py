"""The committed notebooks are exactly what scripts/make_notebook_0N.py generates, and every parameters cell
states the chapter's declared parameters with their declared defaults: a changed default or an edited notebook
cannot make the site, papermill's reports and the profiles disagree. Regenerate with
`.venv/bin/python scripts/make_notebook_0N.py` after changing a script, a chapter's PARAMS or scripts/_nb.py."""
import ast
import importlib
import runpy
import sys

import nbformat
import pytest

from gohandbook import paths
from gohandbook.chapters import all_params, chapters

from .conftest import REPO

SCRIPTS = sorted((REPO / "scripts").glob("make_notebook_*.py"))


@pytest.fixture(scope="module")
def generated():
    """{notebook path: text} from every generator script, built in memory (nothing is written)."""
    sys.path.insert(0, str(REPO / "scripts"))
    try:
        nb_helpers = importlib.import_module("_nb")
        out = {}
        real_write = nb_helpers.write
        nb_helpers.write = lambda path, cells: out.update(nb_helpers.notebooks(path, cells))
        try:
            for script in SCRIPTS:
                runpy.run_path(str(script), run_name="__main__")
        finally:
            nb_helpers.write = real_write
    finally:
        sys.path.remove(str(REPO / "scripts"))
    return {path: _text(nb) for path, nb in out.items()}


def _text(nb) -> str:
    text = nbformat.writes(nb)
    return text if text.endswith("\n") else text + "\n"   # as nbformat.write puts it on disk


def _committed():
    folder = paths.notebooks_dir()
    return sorted([*folder.glob("*.ipynb"), *folder.glob("*/*.ipynb")])


def test_every_notebook_has_a_generator_and_every_generator_its_notebook(generated):
    assert SCRIPTS, "no scripts/make_notebook_0N.py found"
    assert {p.resolve() for p in generated} == {p.resolve() for p in _committed()}


@pytest.mark.parametrize("path", _committed(), ids=lambda p: str(p.relative_to(paths.notebooks_dir())))
def test_committed_notebook_equals_its_regenerated_source(path, generated):
    text = {p.resolve(): t for p, t in generated.items()}.get(path.resolve())
    assert text is not None, f"{path.name}: no script writes it"
    assert path.read_text(encoding="utf8") == text, (
        f"{path} differs from what its scripts/make_notebook_*.py generates: edit the script and regenerate, "
        "never the notebook")


def _parameters(path) -> dict | None:
    """name → default as written in the notebook's `parameters` cell (literal assignments only); None without one."""
    nb = nbformat.read(path, as_version=4)
    cells = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(cells) <= 1, f"{path.name}: {len(cells)} parameters cells"
    if not cells:
        return None
    values = {}
    for node in ast.parse(cells[0].source).body:
        assert isinstance(node, ast.Assign) and len(node.targets) == 1, f"{path.name}: not a plain assignment"
        values[node.targets[0].id] = ast.literal_eval(node.value)
    return values


@pytest.mark.parametrize("path", _committed(), ids=lambda p: str(p.relative_to(paths.notebooks_dir())))
def test_parameters_cell_matches_the_declarations(path):
    """A chapter's notebook states exactly its chapter's parameters, in declared order, with declared defaults
    (`lang` is the notebook's language); any other notebook states only declared parameters, if any."""
    chapter = {c.notebook: c for c in chapters()}.get(path.name)
    lang = path.parent.name if path.parent != paths.notebooks_dir() else "en"
    written = _parameters(path)
    if chapter is not None:
        assert written is not None, f"{path.name}: no parameters cell"
        assert list(written) == list(chapter.params.by_name), \
            f"{path.name}: parameter names or their order differ from chapter {chapter.number}'s declarations"
    declared = {p.name: p.default for p in all_params()} | {"lang": lang}
    for name, value in (written or {}).items():
        assert name in declared, f"{path.name}: {name} is not a declared parameter"
        default = declared[name]
        assert value == default and type(value) is type(default), \
            f"{path.name}: {name} = {value!r} in the notebook, {default!r} declared"
