"""The measurements added for the claims ledger (conn_hold, seed_checks, static_analysis's source examples):
their pure parts, without running anything."""
import struct

from gohandbook.measure import conn_hold, seed_checks, static_analysis


def test_conn_hold_runs_only_levels_the_open_file_limit_allows():
    run, skipped = conn_hold.reachable([1000, 10000, 19000, 30000], 20000)
    assert run == [1000, 10000, 19000] and skipped == [30000]


def test_conn_hold_point_counts_gc_and_pauses_inside_the_traffic_window():
    before = {"now_ns": 1_000, "num_gc": 4, "pauses": [], "connections": 0, "goroutines": 5, "next_gc": 0,
              "heap_alloc": 0, "proc": {"rss_kib": 1024, "fds": 10}}
    after = dict(before, now_ns=2_000_001_000, num_gc=6, connections=100, goroutines=105,
                 pauses=[[1_500, 3_000_000], [500, 9_000_000]])   # one pause in the window, one before it
    point = {"level": 100, "established": 100, "answered": 100, "dial_errors": 0, "first_error": "", "qps": 10.0,
             "p50_ms": 1, "p99_ms": 2, "max_ms": 3, "echo_errors": 0, "seconds": 2.0,
             "server_before": before, "server_after": after}
    s = conn_hold.point_summary(point)
    assert s["gc_cycles_during_traffic"] == 2 and s["gc_per_s_during_traffic"] == 1.0
    assert s["gc_pause_max_ms_during_traffic"] == 3.0 and s["gc_pause_max_ms_whole_run"] == 9.0


def _elf(tmp_path, with_interp: bool):
    """A minimal 64-bit ELF header with one program header (PT_INTERP = 3 or PT_LOAD = 1)."""
    header = bytearray(64)
    header[:5] = b"\x7fELF\x02"
    struct.pack_into("<Q", header, 0x20, 64)          # e_phoff
    struct.pack_into("<HH", header, 0x36, 56, 1)      # e_phentsize, e_phnum
    ph = bytearray(56)
    struct.pack_into("<I", ph, 0, 3 if with_interp else 1)
    path = tmp_path / ("dyn" if with_interp else "static")
    path.write_bytes(bytes(header + ph))
    return str(path)


def test_elf_dynamic_reads_the_interpreter_header(tmp_path):
    assert seed_checks.elf_dynamic(_elf(tmp_path, True)) is True
    assert seed_checks.elf_dynamic(_elf(tmp_path, False)) is False


def test_static_analysis_separates_the_source_examples_and_names_the_checks():
    findings = [{"tool": "vet", "check": "printf", "file": "printf_verb.go", "line": 7, "message": ""},
                {"tool": "staticcheck", "check": "ST1005", "file": "error_string.go", "line": 6, "message": ""}]
    example = static_analysis.seed_example(findings)
    assert example["vet_flags_unclosed_body"] is False and len(example["findings"]) == 1
    findings.append({"tool": "vet", "check": "httpresponse", "file": "unclosed_body.go", "line": 12, "message": ""})
    assert static_analysis.seed_example(findings)["vet_flags_unclosed_body"] is True
    checks = static_analysis.checks_reported([{"check": "SA1019"}, {"check": "SA4006"}])
    assert checks["sa1019_reported"] is True and checks["st1005_reported"] is False
    assert static_analysis.checks_reported(None)["sa1019_reported"] is None
