"""Workshop mode: a `%%go` cell magic that compiles and runs the cell with the handbook's Go.

    %load_ext widgets.gomagic

    %%go --go 1.21
    var prints []func()
    for i := 0; i < 3; i++ {
        prints = append(prints, func() { fmt.Print(i, " ") })
    }
    for _, p := range prints { p() }

A cell is a whole program (with `package main`) or the body of `main` (wrapped, standard-library
imports added for the packages it refers to; helper functions and types written at the left margin
are moved above `main`). Options: `--go 1.21|1.22` (the go.mod `go` line, which decides the
loop-variable semantics), `--timeout S` (run time limit, default 10 s), `--memory MIB` (the
program's address-space limit, default 2048), `--vet` (also run `go vet`), `--show-program` (show
the generated program). Everything the program starts ends with the cell. The output, or the
compile errors with the cell's own line numbers (the `%%go` line is line 1, as the notebook
counts), is shown as HTML (with a plain-text fallback); the result is also left in the variable
`_go` for further use. Never an `ipywidgets.Output`. Words are in the notebook's language (its `lang`
parameter, or `--lang zh|en`); code, compiler messages and the program's output stay as they are.
"""

from __future__ import annotations

import html

from IPython.core.magic import Magics, cell_magic, magics_class
from IPython.core.magic_arguments import argument, magic_arguments, parse_argstring
from IPython.display import display

from gohandbook import snippets
from gohandbook.i18n import LANGS, N_, _, get_lang, use

_STYLE = """<style>
.gh-go {font-size: 13px; margin: 4px 0}
.gh-go-head {color: #555; font-size: 12px; margin-bottom: 4px}
.gh-go pre {margin: 2px 0 6px 0; padding: 6px 8px; background: #f7f7f7; border: 1px solid #e3e3e3; white-space: pre-wrap}
.gh-go pre.gh-go-stderr {background: #fff6f6; border-color: #f0caca}
.gh-go .gh-go-err {color: #a4161a; font-weight: 600}
.gh-go .gh-go-vet {color: #8a5a00; font-weight: 600}
.gh-go .gh-go-src {color: #333; background: #fff8dc}
</style>"""


MAGIC_LINES = 1  # the `%%go` line: the notebook counts it, the program never sees it
MEMORY_LIMIT_TEXT = N_("Stopped at the {mib} MiB memory limit (the program's address space, of which the Go runtime "
                        "reserves about 700 MiB): raise --memory if it should use more.")
COMPILE_ERROR = N_("compile error")


def _diag_text(d: snippets.Diagnostic, lang: str | None = None) -> str:
    if not d.line:
        where = _("in the generated wrapper", lang)
    elif d.column:
        where = _("line {line}, column {column}", lang).format(line=d.line + MAGIC_LINES, column=d.column)
    else:
        where = _("line {line}", lang).format(line=d.line + MAGIC_LINES)
    return where + _(": ", lang) + d.message


def render_text(result: snippets.SnippetResult, cell: str, lang: str | None = None) -> str:
    out = [snippets.describe(result, lang)]
    cell_lines = cell.split("\n")
    for title, diags in ((_(COMPILE_ERROR, lang), result.compile_errors), ("go vet", result.vet)):
        for d in diags:
            out.append(title + _(": ", lang) + _diag_text(d, lang))
            if d.line and d.line <= len(cell_lines):
                out.append(f"    {d.line + MAGIC_LINES:>3} | {cell_lines[d.line - 1]}")
                if d.column:
                    out.append("        | " + " " * (d.column - 1) + "^")
    if result.hint:
        out.append(_("hint: {hint}", lang).format(hint=_(result.hint, lang)))
    if result.stdout:
        out.append(result.stdout.rstrip("\n"))
    if result.stderr:
        out.append("stderr:\n" + result.stderr.rstrip("\n"))
    if result.timed_out:
        out.append(_("(stopped after {timeout} s: raise --timeout if it should run longer)", lang).format(
            timeout=f"{result.timeout:g}"))
    if result.memory_limited:
        out.append(_(MEMORY_LIMIT_TEXT, lang).format(mib=result.memory_mib))
    return "\n".join(out)


def render_html(result: snippets.SnippetResult, cell: str, show_program: bool = False, lang: str | None = None) -> str:
    cell_lines = cell.split("\n")
    parts = [_STYLE, '<div class="gh-go">',
             f'<div class="gh-go-head">{html.escape(snippets.describe(result, lang))}</div>']
    for css, title, diags in (("gh-go-err", _(COMPILE_ERROR, lang), result.compile_errors),
                              ("gh-go-vet", "go vet", result.vet)):
        for d in diags:
            src = ""
            if d.line and d.line <= len(cell_lines):
                src = (f'\n<span class="gh-go-src">{d.line + MAGIC_LINES:>3} | '
                       f'{html.escape(cell_lines[d.line - 1])}</span>')
                if d.column:
                    src += "\n      " + " " * (d.column - 1) + "^"
            colon = _(": ", lang)
            parts.append(f'<pre><span class="{css}">{title}</span>{colon}{html.escape(_diag_text(d, lang))}{src}</pre>')
    if result.hint:
        parts.append("<p><b>" + _("Hint:", lang) + f"</b> {html.escape(_(result.hint, lang))}</p>")
    if result.compiled:
        if result.stdout or not result.stderr:
            empty = "<i>" + _("(no output)", lang) + "</i>"
            parts.append(f'<pre class="gh-go-stdout">{html.escape(result.stdout) or empty}</pre>')
        if result.stderr:
            parts.append(f'<pre class="gh-go-stderr">{html.escape(result.stderr)}</pre>')
        if result.timed_out:
            parts.append("<p class='gh-go-err'>" + _(
                "Stopped after {timeout} s (the program and everything it started were killed): raise "
                "<code>--timeout</code> if it should run longer.", lang).format(timeout=f"{result.timeout:g}") + "</p>")
        elif result.memory_limited:
            parts.append(f"<p class='gh-go-err'>{html.escape(_(MEMORY_LIMIT_TEXT, lang).format(mib=result.memory_mib))}</p>")
        elif result.exit_code not in (0, None):
            parts.append("<p class='gh-go-err'>" + _("exit status {code}", lang).format(code=result.exit_code) + "</p>")
    if show_program:
        parts.append("<details open><summary>" + _("The program that was compiled", lang) + "</summary>"
                     f"<pre>{html.escape(result.program.source)}</pre></details>")
    parts.append("</div>")
    return "".join(parts)


@magics_class
class GoMagics(Magics):
    @magic_arguments()
    @argument("--go", dest="go_line", default=snippets.DEFAULT_GO_LINE, metavar="1.21|1.22",
              help="the go.mod `go` line (1.21: one loop variable per loop; 1.22: one per iteration)")
    @argument("--timeout", type=float, default=snippets.DEFAULT_TIMEOUT, metavar="S",
              help=f"run time limit in seconds (default {snippets.DEFAULT_TIMEOUT:g}, at most {snippets.MAX_TIMEOUT:g})")
    @argument("--memory", type=int, default=snippets.DEFAULT_MEMORY_MIB, metavar="MIB",
              help=f"the program's address-space limit in MiB (default {snippets.DEFAULT_MEMORY_MIB}, "
                   f"{snippets.MIN_MEMORY_MIB} to {snippets.MAX_MEMORY_MIB})")
    @argument("--vet", action="store_true", help="also run go vet")
    @argument("--show-program", action="store_true", help="show the program generated from the cell")
    @argument("--lang", choices=LANGS, default=None, help="words of the output (default: the notebook's `lang`)")
    @cell_magic
    def go(self, line: str, cell: str):
        """Compile and run the cell as Go (a program, or the body of main)."""
        try:
            args = parse_argstring(self.go, line)
        except Exception as exc:  # UsageError from argparse: show it, do not raise a traceback
            print(f"%%go: {exc}")
            return None
        lang = args.lang or notebook_lang(self.shell.user_ns)
        try:
            with use(lang):  # a bad option is said in the notebook's language
                result = snippets.run_snippet(cell, go_line=args.go_line, timeout=args.timeout, vet=args.vet,
                                              memory_mib=args.memory)
        except (snippets.SnippetError, snippets.ToolchainError) as exc:
            print(f"%%go: {exc}")
            return None
        self.shell.user_ns["_go"] = result
        display({"text/html": render_html(result, cell, args.show_program, lang),
                 "text/plain": render_text(result, cell, lang)}, raw=True)
        return None


def notebook_lang(namespace) -> str:
    """The notebook's language: its `lang` parameter when it has a valid one, else the current language."""
    value = namespace.get("lang") if hasattr(namespace, "get") else None
    return value if value in LANGS else get_lang()


def load_ipython_extension(ipython) -> None:
    ipython.register_magics(GoMagics)


def unload_ipython_extension(ipython) -> None:  # magics stay registered; nothing to release
    pass
