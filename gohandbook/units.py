"""How the handbook writes a quantity with its unit, one way for every chapter.

Units (ms, s, min, h) are the same in Chinese and English (data/glossary.yaml: units stay as they are); only the
word for an unbounded duration is translated.
"""

from __future__ import annotations

import math

from .i18n import N_, _

UNBOUNDED = N_("unbounded")


def duration(seconds: float, lang: str | None = None) -> str:
    """A duration in the unit that reads best: '200 ms', '12.5 s', '3.0 min', '4.0 h'; 'unbounded' for infinity.

    Below 1 s in whole milliseconds, below 2 minutes in seconds with one decimal, below 2 hours in minutes,
    beyond in hours (one decimal each)."""
    if math.isinf(seconds):
        return _(UNBOUNDED, lang)
    if seconds == 0:
        return "0 s"
    if abs(seconds) < 1:
        return f"{seconds * 1000:.0f} ms"
    if abs(seconds) < 120:
        return f"{seconds:.1f} s"
    if abs(seconds) < 7200:
        return f"{seconds / 60:.1f} min"
    return f"{seconds / 3600:.1f} h"
