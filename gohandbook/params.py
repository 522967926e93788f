"""Parameters declared once (type, range, default, help) and validated with clear errors.

The notebooks' `parameters` cells, the CLI's profile files (YAML) and the widgets all go
through the same declarations, so a bad value is rejected the same way everywhere: one
message that names the parameter and says what is allowed.
"""

from __future__ import annotations

import ast
import math
import re
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping


class ParameterError(ValueError):
    """A parameter value is wrong. The message names the parameter and what is allowed."""

    def _render_traceback_(self) -> list[str]:
        # IPython (and so papermill and nbval) show this instead of a deep traceback.
        return [f"ParameterError: {self}"]


@dataclass(frozen=True)
class Param:
    name: str
    kind: str                      # "int" | "float" | "bool" | "choice" | "str"
    default: Any
    help: str
    label: str = ""
    min: float | None = None
    max: float | None = None
    step: float | None = None
    choices: tuple[str, ...] = ()
    nullable: bool = False         # None allowed (means "derive from another parameter")

    def allowed(self) -> str:
        if self.kind == "choice":
            text = "one of " + ", ".join(repr(c) for c in self.choices)
        elif self.kind in ("int", "float"):
            noun = "an integer" if self.kind == "int" else "a number"
            if self.min is not None and self.max is not None:
                text = f"{noun} from {self.min:g} to {self.max:g}"
            elif self.min is not None:
                text = f"{noun} >= {self.min:g}"
            elif self.max is not None:
                text = f"{noun} <= {self.max:g}"
            else:
                text = noun
        elif self.kind == "bool":
            text = "true or false"
        else:
            text = "a text"
        return text + (" (or null)" if self.nullable else "")

    def validate(self, value: Any) -> Any:
        if value is None:
            if self.nullable:
                return None
            raise ParameterError(f"{self.name} is missing (null): allowed is {self.allowed()}")
        bad = ParameterError(f"{self.name} = {value!r} is not allowed: allowed is {self.allowed()}")
        if self.kind == "bool":
            if isinstance(value, bool):
                return value
            if isinstance(value, str) and value.strip().lower() in ("true", "false", "yes", "no"):
                return value.strip().lower() in ("true", "yes")
            raise bad
        if self.kind in ("int", "float"):
            if isinstance(value, bool):
                raise bad
            if isinstance(value, str):
                try:
                    value = float(value.strip())
                except ValueError:
                    raise bad from None
            if not isinstance(value, (int, float)) or not math.isfinite(value):
                raise bad
            if self.kind == "int":
                if float(value) != int(value):
                    raise bad
                value = int(value)
            else:
                value = float(value)
            if (self.min is not None and value < self.min) or (self.max is not None and value > self.max):
                raise ParameterError(f"{self.name} = {value!r} is out of range: allowed is {self.allowed()}")
            return value
        if self.kind == "choice":
            if not isinstance(value, str) or value not in self.choices:
                raise bad
            return value
        if not isinstance(value, str):
            raise bad
        return value


@dataclass(frozen=True)
class ParamSet:
    name: str
    params: tuple[Param, ...]
    by_name: dict[str, Param] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_name", {p.name: p for p in self.params})
        if len(self.by_name) != len(self.params):
            raise ValueError(f"duplicate parameter names in {self.name}")

    def __iter__(self):
        return iter(self.params)

    def __getitem__(self, name: str) -> Param:
        return self.by_name[name]

    def __contains__(self, name: str) -> bool:
        return name in self.by_name

    def defaults(self) -> dict[str, Any]:
        return {p.name: p.default for p in self.params}

    def validate(self, values: Mapping[str, Any], *, ignore: Iterable[str] = ()) -> dict[str, Any]:
        """Complete `values` with defaults and validate every entry; unknown names are errors."""
        ignore = set(ignore)
        unknown = sorted(set(values) - set(self.by_name) - ignore)
        if unknown:
            raise ParameterError(
                f"unknown parameter {', '.join(unknown)} for {self.name}: "
                + _suggest(unknown[0], self.by_name) + "allowed names are " + ", ".join(sorted(self.by_name))
            )
        out = self.defaults()
        for name, value in values.items():
            if name in self.by_name:
                out[name] = self.by_name[name].validate(value)
        return out

    def from_namespace(self, namespace: Mapping[str, Any]) -> dict[str, Any]:
        """Validate a notebook's parameters from its global namespace.

        Papermill injects a cell starting with "# Parameters" after the `parameters` cell;
        IPython keeps every executed cell's source in `In`. Names assigned in that injected
        cell which this chapter does not declare are typos or wrong chapters: an error.
        """
        injected = injected_names(namespace.get("In") or [])
        values = {name: namespace[name] for name in self.by_name if name in namespace}
        unknown = sorted(injected - set(self.by_name))
        if unknown:
            raise ParameterError(
                f"unknown parameter {', '.join(unknown)} for {self.name}: "
                + _suggest(unknown[0], self.by_name) + "allowed names are " + ", ".join(sorted(self.by_name))
            )
        return self.validate(values)

    def merged(self, other: "ParamSet", name: str | None = None) -> "ParamSet":
        seen = {p.name for p in self.params}
        return ParamSet(name or self.name, self.params + tuple(p for p in other.params if p.name not in seen))


def comma_list(name: str, value: str, allowed: Iterable[str]) -> list[str]:
    """A comma-separated choice of several ("go,node"): the items in the given order, each once,
    or a ParameterError that names the parameter and what is allowed."""
    allowed = list(allowed)
    items = [item.strip() for item in str(value).split(",") if item.strip()]
    if not items:
        raise ParameterError(f"{name} = {value!r} is not allowed: give a comma-separated list of {', '.join(allowed)}")
    unknown = [item for item in items if item not in allowed]
    if unknown:
        raise ParameterError(f"{name}: unknown {', '.join(unknown)}; allowed are {', '.join(allowed)}")
    return list(dict.fromkeys(items))


def int_list(name: str, text: str, *, lo: int, hi: int, max_items: int | None = 12) -> list[int]:
    """'1000, 10000' -> [1000, 10000] (sorted, unique), or a ParameterError naming the parameter."""
    items = [t.strip().replace("_", "") for t in str(text).split(",") if t.strip()]
    if not items:
        raise ParameterError(f"{name} = {text!r} is not allowed: give a comma-separated list of integers")
    out = []
    for item in items:
        if not re.fullmatch(r"\d+", item):
            raise ParameterError(f"{name}: {item!r} is not an integer (allowed: integers from {lo:,} to {hi:,})")
        value = int(item)
        if not lo <= value <= hi:
            raise ParameterError(f"{name}: {value:,} is out of range (allowed: integers from {lo:,} to {hi:,})")
        out.append(value)
    if max_items is not None and len(set(out)) > max_items:
        raise ParameterError(f"{name}: at most {max_items} values")
    return sorted(set(out))


def injected_names(cell_sources: Iterable[str]) -> set[str]:
    """Names assigned by the most recent papermill-injected parameters cell, if any."""
    for source in reversed(list(cell_sources)):
        if isinstance(source, str) and source.lstrip().startswith("# Parameters"):
            try:
                tree = ast.parse(source)
            except SyntaxError:
                return set()
            names: set[str] = set()
            for node in tree.body:
                if isinstance(node, ast.Assign):
                    for target in node.targets:
                        if isinstance(target, ast.Name):
                            names.add(target.id)
            return names
    return set()


def _suggest(name: str, known: Mapping[str, Any]) -> str:
    import difflib

    close = difflib.get_close_matches(name, known, n=1)
    return f"did you mean {close[0]!r}? " if close else ""
