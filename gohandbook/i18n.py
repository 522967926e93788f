"""Words in Chinese or English, one switch: gettext catalogs (Babel) for strings in code.

- Mark a string: `from .i18n import _` and write `_("Team size")`; with placeholders,
  `_("{n} of {total} claims").format(n=..., total=...)` (whole sentences, never pieces glued together).
  Plurals: `ngettext("{n} claim", "{n} claims", n).format(n=n)`.
- Module-level constants are translated when shown, not when imported: mark them with `N_("...")`
  (extraction sees them; the value stays English) and call `_(CONSTANT)` where they are displayed.
- The current language is a context variable: `use(lang)` (a context manager) or `set_lang(lang)`;
  functions that get a `lang` argument or a validated `params` dict can pass it straight to `_(…, lang=…)`.
  English is the default: an English msgid is its own translation.
- Catalogs: `gohandbook/locale/<lang>/LC_MESSAGES/gohandbook.po`, shipped as package data and compiled
  in memory on first use (a few milliseconds), so a fresh `pip install -e .` needs no compile step.
  `make i18n` extracts and updates them (see docs/DEVELOPING.md).

Narrative (notebook Markdown) is not in these catalogs: each `scripts/make_notebook_0N.py` writes both
languages from one cell list (`md(en=..., zh=...)`), see `scripts/_nb.py`.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import gettext
import io
from pathlib import Path
from typing import Iterator

LANGS = ("en", "zh")
DEFAULT = "en"
DOMAIN = "gohandbook"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
# How each language names itself (the language switch shows the other one's).
NATIVE_NAMES = {"en": "English", "zh": "中文"}
HTML_LANG = {"en": "en", "zh": "zh-CN"}

_current: contextvars.ContextVar[str] = contextvars.ContextVar("gohandbook_lang", default=DEFAULT)


def N_(message: str) -> str:
    """Mark a constant for extraction; translate it where it is shown, with `_()`."""
    return message


def normalize(lang: str | None) -> str:
    """'zh', 'zh_CN', 'zh-Hans' -> 'zh'; None/'' -> the current language; unknown -> English."""
    if not lang:
        return _current.get()
    code = str(lang).strip().lower().replace("_", "-").split("-")[0]
    return code if code in LANGS else DEFAULT


def get_lang() -> str:
    return _current.get()


def set_lang(lang: str | None) -> str:
    """Set the current language (for this thread / task) and return it."""
    code = normalize(lang) if lang else DEFAULT
    _current.set(code)
    return code


@contextlib.contextmanager
def use(lang: str | None) -> Iterator[str]:
    """`with use("zh"): ...` — the current language inside the block (None keeps the current one)."""
    token = _current.set(normalize(lang))
    try:
        yield _current.get()
    finally:
        _current.reset(token)


def po_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


@functools.lru_cache(maxsize=None)
def translations(lang: str) -> gettext.NullTranslations:
    """The compiled catalog of `lang` (English: none, msgids are English)."""
    if lang == DEFAULT:
        return gettext.NullTranslations()
    mo = po_path(lang).with_suffix(".mo")
    po = po_path(lang)
    if mo.exists() and (not po.exists() or mo.stat().st_mtime >= po.stat().st_mtime):
        with open(mo, "rb") as fp:
            return gettext.GNUTranslations(fp)
    if not po.exists():
        return gettext.NullTranslations()
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with open(po, "rb") as fp:
        catalog = read_po(fp, locale=lang)
    buf = io.BytesIO()
    write_mo(buf, catalog, use_fuzzy=False)
    buf.seek(0)
    return gettext.GNUTranslations(buf)


def _(message: str, lang: str | None = None) -> str:
    """`message` (an English msgid) in `lang`, or the current language."""
    code = normalize(lang)
    if code == DEFAULT or not message:
        return message
    return translations(code).gettext(message)


def ngettext(singular: str, plural: str, n: int, lang: str | None = None) -> str:
    code = normalize(lang)
    if code == DEFAULT:
        return singular if n == 1 else plural
    return translations(code).ngettext(singular, plural, n)


def catalog_messages(lang: str = "zh"):
    """(msgid, msgstr) for every message of a catalog (tests: completeness)."""
    from babel.messages.pofile import read_po

    with open(po_path(lang), "rb") as fp:
        catalog = read_po(fp, locale=lang)
    return [m for m in catalog if m.id]
