"""Workshop mode: the `%%go` cell magic and its engine (gohandbook.snippets).

The loop-variable example runs both ways: with `go 1.21` in go.mod the closures share one loop
variable and print `3 3 3`; with `go 1.22` each iteration has its own and they print `0 1 2`.
"""
from __future__ import annotations

import nbformat
import pytest

from gohandbook import snippets

CLOSURES = """
var prints []func()
for i := 0; i < 3; i++ {
    prints = append(prints, func() { fmt.Print(i, " ") })
}
for _, p := range prints {
    p()
}
fmt.Println()
"""

GOROUTINES = """
import "sync"

var wg sync.WaitGroup
var mu sync.Mutex
seen := []int{}
for i := 0; i < 3; i++ {
    wg.Add(1)
    go func() {
        defer wg.Done()
        mu.Lock()
        seen = append(seen, i)
        mu.Unlock()
    }()
}
wg.Wait()
sort.Ints(seen)
fmt.Println(seen)
"""


# ------------------------------------------------------------------ wrapping (no Go needed)

def test_body_is_wrapped_with_the_imports_it_uses():
    program = snippets.wrap(CLOSURES)
    assert program.wrapped and program.imports == ["fmt"]
    assert program.source.startswith("// Generated") and "package main" in program.source
    assert "func main() {" in program.source and program.source.rstrip().endswith("}")
    # line numbers map back to the cell
    lines = program.source.split("\n")
    cell_lines = CLOSURES.split("\n")
    for n, text in enumerate(cell_lines, start=1):
        if text.strip():
            assert lines[n + program.line_offset - 1] == text


def test_explicit_imports_move_up_and_identifiers_in_strings_are_ignored():
    program = snippets.wrap('import "sync"\nimport (\n  "os"\n)\nvar wg sync.WaitGroup\n'
                            'fmt.Println("time.Now() is not called", os.Args[0])\n// strings.Repeat\nwg.Wait()')
    assert program.imports == ["sync", "os", "fmt"]
    assert 'import "sync"' not in program.source.split("func main")[1]


def test_local_names_are_not_taken_for_packages():
    program = snippets.wrap("time := 3\nfmt.Println(time)")
    assert program.imports == ["fmt"]


def test_a_whole_program_is_left_as_is():
    source = 'package main\n\nimport "fmt"\n\nfunc main() { fmt.Println("hi") }'
    program = snippets.wrap(source)
    assert not program.wrapped and program.line_offset == 0 and program.source == source + "\n"


HELPERS = """
func double(x int) int {
    return 2 * x
}

type point struct{ x, y int }

func (p point) String() string { return fmt.Sprintf("(%d,%d)", p.x, p.y) }

s := "func notADeclaration() {"
fmt.Println(double(21), point{1, 2}, s)
"""


def test_helper_functions_and_types_move_above_main_with_their_line_numbers():
    program = snippets.wrap(HELPERS)
    head, main = program.source.split("func main() {")
    assert "func double(x int) int {" in head and "type point struct" in head and "func (p point) String()" in head
    assert "func double" not in main and 'fmt.Println(double(21)' in main and "func notADeclaration" in main
    lines, cell = program.source.split("\n"), HELPERS.split("\n")
    for n in range(1, len(lines) + 1):  # every program line that came from the cell maps back to it
        line = program.cell_line(n)
        if line is not None and cell[line - 1].strip():
            assert lines[n - 1] == cell[line - 1], (n, line)
    assert program.cell_line(lines.index("func double(x int) int {") + 1) == 2


def test_only_the_documented_go_lines_are_accepted():
    assert snippets.check_go_line("1.21") == "1.21" and snippets.check_go_line("go1.22") == "1.22"
    for bad in ("1.23", "1.17", "1.9", "2.0", ""):
        with pytest.raises(snippets.SnippetError, match="use 1.21 or 1.22"):
            snippets.check_go_line(bad)


def test_bad_options_are_refused(go):
    with pytest.raises(snippets.SnippetError, match="go = '1.9' is not allowed"):
        snippets.run_snippet("fmt.Println(1)", go_line="1.9", go=go)
    with pytest.raises(snippets.SnippetError, match="timeout"):
        snippets.run_snippet("fmt.Println(1)", timeout=1000, go=go)


# ------------------------------------------------------------------ building and running (Go)

@pytest.mark.slow
def test_loop_variable_closures_both_ways(go):
    old = snippets.run_snippet(CLOSURES, go_line="1.21", go=go)
    new = snippets.run_snippet(CLOSURES, go_line="1.22", go=go)
    assert old.ok and new.ok, (old.compile_errors, new.compile_errors)
    assert old.stdout.split() == ["3", "3", "3"]
    assert new.stdout.split() == ["0", "1", "2"]


@pytest.mark.slow
def test_loop_variable_goroutines_and_vet_both_ways(go):
    old = snippets.run_snippet(GOROUTINES, go_line="1.21", vet=True, go=go)
    new = snippets.run_snippet(GOROUTINES, go_line="1.22", vet=True, go=go)
    assert old.stdout.strip() == "[3 3 3]" and new.stdout.strip() == "[0 1 2]"
    # go vet's loopclosure check reports the go 1.21 capture, at the cell's own line
    capture_line = GOROUTINES.split("\n").index("        seen = append(seen, i)") + 1  # 1-based
    assert any("loop variable i captured" in d.message and d.line == capture_line for d in old.vet), old.vet
    assert new.vet == []


@pytest.mark.slow
def test_compile_errors_point_at_cell_lines(go):
    result = snippets.run_snippet("x := 1\nfmt.Println(\"hi\")\ny := undefinedThing", go=go)
    assert not result.compiled and result.exit_code is None
    found = {(d.line, d.message) for d in result.compile_errors}
    assert (1, "declared and not used: x") in found
    assert any(line == 3 and "undefined: undefinedThing" in msg for line, msg in found)


@pytest.mark.slow
def test_helpers_compile_and_run_and_a_nested_function_gets_a_hint(go):
    result = snippets.run_snippet(HELPERS, go=go)
    assert result.ok, (result.compile_errors, result.stderr)
    assert result.stdout.strip() == "42 (1,2) func notADeclaration() {"
    nested = snippets.run_snippet("    func helper() {}\nfmt.Println(1)", go=go)
    assert not nested.compiled and "left margin" in nested.hint
    shared = snippets.run_snippet("n := 3\nfunc f() int { return n }\nfmt.Println(f())", go=go)
    assert any(d.line == 2 and "undefined: n" in d.message for d in shared.compile_errors)
    assert "main's variables are not visible" in shared.hint


@pytest.mark.slow
def test_runaway_programs_are_stopped(go):
    looping = snippets.run_snippet("for {}", timeout=1, go=go)
    assert looping.timed_out and not looping.ok and looping.run_seconds < 10
    chatty = snippets.run_snippet('for { fmt.Println("spam spam spam spam spam") }', timeout=3, go=go,
                                  max_output=4096)
    assert chatty.output_truncated and len(chatty.stdout) <= 4096
    failing = snippets.run_snippet('panic("boom")', go=go)
    assert failing.exit_code == 2 and "panic: boom" in failing.stderr


# ------------------------------------------------------------------ the magic in a real kernel

@pytest.mark.slow
@pytest.mark.notebook
def test_magic_in_a_kernel_runs_the_loop_variable_example_both_ways(tmp_path):
    """The way a workshop uses it: `%load_ext widgets.gomagic`, then `%%go` cells, in a kernel."""
    from nbclient import NotebookClient

    cells = [
        "%load_ext widgets.gomagic",
        "%%go --go 1.21\n" + CLOSURES.strip(),
        "%%go --go 1.22\n" + CLOSURES.strip(),
        "%%go --go 1.21 --vet\n" + GOROUTINES.strip(),
        "%%go\nx := 1\nfmt.Println(\"never\")",
        "%%go --timeout 1\nfor {}",
        "%%go --go 1.9\nfmt.Println(1)",
        "print(_go.go_line, _go.ok)",
        "%%go\n" + HELPERS.strip(),
    ]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    NotebookClient(nb, timeout=240, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()

    def html(i):
        outs = nb.cells[i].outputs
        assert [o.output_type for o in outs] == ["display_data"], outs
        assert "text/plain" in outs[0].data
        return outs[0].data["text/html"]

    assert "3 3 3" in html(1) and "go.mod `go 1.21`" in html(1)
    assert "0 1 2" in html(2) and "go.mod `go 1.22`" in html(2)
    assert "[3 3 3]" in html(3) and "go vet" in html(3) and "loop variable i captured" in html(3)
    # the notebook counts the %%go line: `x := 1` is the cell's line 2
    assert "compile error" in html(4) and "line 2, column 1" in html(4) and "declared and not used: x" in html(4)
    assert "  2 | x := 1" in nb.cells[4].outputs[0].data["text/plain"]
    assert "Stopped after 1 s" in html(5)
    assert "not allowed" in nb.cells[6].outputs[0].text  # a bad option is one line, not a traceback
    assert nb.cells[7].outputs[0].text.strip() == "1.22 False"
    assert "42 (1,2)" in html(8)
    assert not any(o.output_type == "error" for c in nb.cells for o in c.outputs)
