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
from typing import Any, Callable, Iterable, Mapping

from .i18n import LANGS, _, use


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
    # How a control shows it (widgets.controls): "log" offers rounded values spaced evenly on a log scale
    # (1, 1.5, 2, 3, 5, 7, 10, …, with 0 first when the minimum is 0); `fmt` is the format spec of the value a
    # control and a chart title show (e.g. ",.0f", ".3g"); empty: ":g".
    scale: str = "linear"          # "linear" | "log"
    fmt: str = ""
    # A "str" parameter with a grammar: `grammar(value)` parses it or raises ValueError (why);
    # `grammar_help` says what is allowed, in the error message.
    grammar: Callable[[str], Any] | None = field(default=None, compare=False, repr=False)
    grammar_help: str = ""

    def show(self, value: Any) -> str:
        """The value as a control and a chart title show it."""
        if self.kind in ("int", "float") and isinstance(value, (int, float)) and not isinstance(value, bool):
            return format(value, self.fmt or "g")
        return str(value)

    def allowed(self) -> str:
        if self.kind == "choice":
            text = _("one of {choices}").format(choices=", ".join(repr(c) for c in self.choices))
        elif self.kind in ("int", "float"):
            lo, hi = (None if x is None else f"{x:g}" for x in (self.min, self.max))
            integer = self.kind == "int"
            if lo is not None and hi is not None:
                text = (_("an integer from {lo} to {hi}") if integer else _("a number from {lo} to {hi}")).format(lo=lo, hi=hi)
            elif lo is not None:
                text = (_("an integer >= {lo}") if integer else _("a number >= {lo}")).format(lo=lo)
            elif hi is not None:
                text = (_("an integer <= {hi}") if integer else _("a number <= {hi}")).format(hi=hi)
            else:
                text = _("an integer") if integer else _("a number")
        elif self.kind == "bool":
            text = _("true or false")
        else:
            text = _(self.grammar_help) if self.grammar_help else _("a text")
        return text + (_(" (or null)") if self.nullable else "")

    def validate(self, value: Any) -> Any:
        if value is None:
            if self.nullable:
                return None
            raise ParameterError(_("{name} is missing (null): allowed is {allowed}").format(
                name=self.name, allowed=self.allowed()))
        bad = ParameterError(_("{name} = {value} is not allowed: allowed is {allowed}").format(
            name=self.name, value=repr(value), allowed=self.allowed()))
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
                raise ParameterError(_("{name} = {value} is out of range: allowed is {allowed}").format(
                    name=self.name, value=repr(value), allowed=self.allowed()))
            return value
        if self.kind == "choice":
            if not isinstance(value, str) or value not in self.choices:
                raise bad
            return value
        if not isinstance(value, str):
            raise bad
        if self.grammar is not None:
            try:
                self.grammar(value)
            except ValueError as exc:
                detail = str(exc).split(": ", 1)[-1] if str(exc).startswith(self.name) else str(exc)
                raise ParameterError(f"{bad}" + (f" ({detail})" if detail else "")) from None
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
        with use(_message_lang(values)):  # messages in the language the values ask for
            if unknown:
                raise ParameterError(_unknown_message(unknown, self))
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
            with use(_message_lang(values)):
                raise ParameterError(_unknown_message(unknown, self))
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
        raise ParameterError(_("{name} = {value} is not allowed: give a comma-separated list of {allowed}").format(
            name=name, value=repr(value), allowed=", ".join(allowed)))
    unknown = [item for item in items if item not in allowed]
    if unknown:
        raise ParameterError(_("{name}: unknown {items}; allowed are {allowed}").format(
            name=name, items=", ".join(unknown), allowed=", ".join(allowed)))
    return list(dict.fromkeys(items))


GOMEMLIMIT_RE = re.compile(r"\d+(?:B|KiB|MiB|GiB|TiB)?")


def size_or(*words: str) -> Callable[[str], str]:
    """A grammar: one of `words`, or a byte size as GOMEMLIMIT takes it (digits with an optional
    B, KiB, MiB, GiB or TiB suffix, e.g. 128MiB)."""
    def parse(value: str) -> str:
        value = value.strip()
        if value not in words and not GOMEMLIMIT_RE.fullmatch(value):
            raise ValueError("")
        return value
    return parse


def int_list(name: str, text: str, *, lo: int, hi: int, max_items: int | None = 12) -> list[int]:
    """'1000, 10000' -> [1000, 10000] (sorted, unique), or a ParameterError naming the parameter."""
    items = [t.strip().replace("_", "") for t in str(text).split(",") if t.strip()]
    if not items:
        raise ParameterError(_("{name} = {value} is not allowed: give a comma-separated list of integers").format(
            name=name, value=repr(text)))
    out = []
    for item in items:
        if not re.fullmatch(r"\d+", item):
            raise ParameterError(_("{name}: {item} is not an integer (allowed: integers from {lo} to {hi})").format(
                name=name, item=repr(item), lo=f"{lo:,}", hi=f"{hi:,}"))
        value = int(item)
        if not lo <= value <= hi:
            raise ParameterError(_("{name}: {value} is out of range (allowed: integers from {lo} to {hi})").format(
                name=name, value=f"{value:,}", lo=f"{lo:,}", hi=f"{hi:,}"))
        out.append(value)
    if max_items is not None and len(set(out)) > max_items:
        raise ParameterError(_("{name}: at most {n} values").format(name=name, n=max_items))
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
    return _("did you mean {name}? ").format(name=repr(close[0])) if close else ""


def _unknown_message(unknown: list[str], paramset: "ParamSet") -> str:
    return (_("unknown parameter {names} for {where}: ").format(names=", ".join(unknown), where=_(paramset.name))
            + _suggest(unknown[0], paramset.by_name)
            + _("allowed names are {names}").format(names=", ".join(sorted(paramset.by_name))))


def _message_lang(values: Mapping[str, Any]) -> str | None:
    """The language error messages use: the `lang` value being validated, if it is a valid one."""
    lang = values.get("lang") if isinstance(values, Mapping) else None
    return lang if lang in LANGS else None
