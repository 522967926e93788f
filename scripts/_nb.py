"""Helpers to write chapter notebooks from Python (kept for regenerating them; not needed at run time)."""
import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook


def md(text=None, *, en=None, zh=None):
    """A Markdown cell: `md("...")` (English only, not yet translated) or `md(en="...", zh="...")`, one
    cell in both languages; `write` puts each language into its own notebook (see `write`)."""
    cell = new_markdown_cell((en if en is not None else text).strip("\n"))
    if zh is not None:
        cell.metadata[_ZH] = zh.strip("\n")
    return cell


_ZH = "_gohandbook_zh"  # a cell's Chinese text while the notebooks are being written (never saved)


def code(text, tags=()):
    cell = new_code_cell(text.strip("\n"))
    if tags:
        cell.metadata["tags"] = list(tags)
    return cell


def params_cell(paramset):
    lines = ["# Defaults. papermill injects overrides in a cell after this one; profiles and widgets use the same names."]
    for p in paramset:
        lines.append(f"{p.name} = {p.default!r}")
    return code("\n".join(lines), tags=("parameters",))


def write(path, cells):
    """Write the notebook at `path` (English) and, when its Markdown cells carry Chinese (`md(en=, zh=)`),
    the Chinese one at `<folder>/zh/<name>` from the same cells: identical code cells except the default of
    `lang` in the parameters cell, so cells, parameters and structure cannot drift between the languages."""
    for out, nb in notebooks(path, cells).items():
        out.parent.mkdir(exist_ok=True)
        nbformat.write(nb, out)


def notebooks(path, cells):
    """{path: notebook} that `write` writes, built in memory (tests/test_notebook_sources.py compares them
    with the committed files). Cell ids are c00, c01, … so a regenerated notebook is byte-for-byte the same."""
    from pathlib import Path

    path = Path(path)
    bilingual = [c for c in cells if c.cell_type == "markdown" and _ZH in c.metadata]
    if bilingual and len(bilingual) != sum(c.cell_type == "markdown" for c in cells):
        missing = [c.source.splitlines()[0][:60] for c in cells if c.cell_type == "markdown" and _ZH not in c.metadata]
        raise ValueError(f"{path.name}: Markdown cells without a Chinese version: {missing}")
    out = {path: _notebook([_in_language(c, "en") for c in cells], "en")}
    if bilingual:
        out[path.parent / "zh" / path.name] = _notebook([_in_language(c, "zh") for c in cells], "zh")
    return out


def _in_language(cell, lang):
    import copy

    cell = copy.deepcopy(cell)
    zh = cell.metadata.pop(_ZH, None)
    if lang == "zh" and zh is not None:
        cell.source = zh
    if lang == "zh" and "parameters" in cell.metadata.get("tags", []):
        cell.source = "\n".join("lang = 'zh'" if line.startswith("lang = ") else line for line in cell.source.splitlines())
    return cell


def _notebook(cells, lang):
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    nb.metadata["gohandbook"] = {"lang": lang}  # the site's template reads it (navigation, language switch)
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"c{i:02d}"
    nbformat.validate(nb)
    return nb
