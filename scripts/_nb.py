"""Helpers to write chapter notebooks from Python (kept for regenerating them; not needed at run time)."""
import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook


def md(text):
    return new_markdown_cell(text.strip("\n"))


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
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"c{i:02d}"
    nbformat.validate(nb)
    nbformat.write(nb, path)
