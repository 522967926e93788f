"""Chapter 2's parsers and parameter checks, on fixed inputs."""
import struct

import pytest

from gohandbook.measure import _binfmt, _runs, gc_tuning, goroutine_memory, mod_tools, pool_bench
from gohandbook.params import ParameterError, comma_list, int_list

BENCH = """goos: linux
goarch: amd64
pkg: gohandbook.example/samples/bufpool
cpu: AMD EPYC
BenchmarkRequestAlloc-2   	   40497	      3256 ns/op	    1984 B/op	       5 allocs/op
BenchmarkRequestAlloc-2   	   36388	      3162 ns/op	    1984 B/op	       5 allocs/op
BenchmarkRequestPool-2    	   68367	      1786 ns/op	       0 B/op	       0 allocs/op
BenchmarkRequestPool      	   68367	      1700.5 ns/op	       0 B/op	       0 allocs/op
PASS
ok  	gohandbook.example/samples/bufpool	1.586s
"""


def test_parse_bench():
    rows = pool_bench.parse_bench(BENCH)
    assert set(rows) == {"RequestAlloc", "RequestPool"}
    assert rows["RequestAlloc"][0] == {"iterations": 40497, "procs": 2, "ns/op": 3256, "B/op": 1984, "allocs/op": 5}
    assert rows["RequestPool"][1]["procs"] == 1 and rows["RequestPool"][1]["ns/op"] == 1700.5
    s = pool_bench.summarise(rows["RequestAlloc"])
    assert s["ns_op"]["median"] == pytest.approx(3209) and s["bytes_op"]["min"] == 1984 and s["ns_op"]["ci95"] is None


def test_median_ci_order_statistics():
    assert _runs.median_ci([1, 2, 3, 4, 5]) is None            # n=5 cannot reach 95 %
    assert _runs.median_ci(list(range(1, 7))) == (1, 6)          # n=6: 1 - 2/64 = 96.9 %
    assert _runs.median_ci(list(range(1, 11))) == (2, 9)         # n=10: benchstat's interval
    lo, hi = _runs.median_ci(list(range(100)))
    assert lo < 49.5 < hi and hi - lo < 30


def test_int_and_choice_lists():
    assert int_list("x", "1_000, 10,10", lo=1, hi=10**6) == [10, 1000]
    with pytest.raises(ParameterError, match="x: 2,000,000 is out of range"):
        int_list("x", "2000000", lo=1, hi=10**6)
    with pytest.raises(ParameterError, match="is not an integer"):
        int_list("x", "ten", lo=1, hi=10)
    with pytest.raises(ParameterError, match="comma-separated"):
        int_list("x", " , ", lo=1, hi=10)
    assert comma_list("m", "b,a,b", ("a", "b")) == ["b", "a"]
    with pytest.raises(ParameterError, match="unknown c; allowed are a, b"):
        comma_list("m", "a,c", ("a", "b"))
    with pytest.raises(ParameterError, match="m = ' , ' is not allowed: give a comma-separated list of a, b"):
        comma_list("m", " , ", ("a", "b"))


def test_gc_parameter_parsing():
    assert gc_tuning.parse_size("total", "1.5GiB") == 3 << 29
    assert gc_tuning.parse_gogc("50, off,100,50") == ["50", "off", "100"]
    assert gc_tuning.parse_memlimits("off,128MiB") == ["off", "128MiB"]
    for bad, call in (("5", gc_tuning.parse_gogc), ("fast", gc_tuning.parse_gogc), ("1TB", gc_tuning.parse_memlimits),
                      ("4MiB", gc_tuning.parse_memlimits)):
        with pytest.raises(ParameterError):
            call(bad)


VERSION_M = """/tmp/staticcheck: go1.26.8
\tpath\thonnef.co/go/tools/cmd/staticcheck
\tmod\thonnef.co/go/tools\tv0.8.2\th1:+jPbCzuYxYrcoOvCecYUFDj+XJQRmzIhJmlbpps21Zk=
\tdep\tgolang.org/x/mod\tv0.41.0\th1:qJmnOUb4YB+FsEuM3HcWucdZASCPGhsX6uljO6pog0c=
\tdep\texample.com/local\tv0.0.0
\t=>\t../local\t(devel)
\tbuild\t-buildmode=exe
\tbuild\tCGO_ENABLED=1
\tbuild\tGOOS=linux
"""


def test_parse_version_m_and_go_sum():
    info = mod_tools.parse_version_m(VERSION_M)
    assert info["go"] == "go1.26.8" and info["path"] == "honnef.co/go/tools/cmd/staticcheck"
    assert info["main"] == {"path": "honnef.co/go/tools", "version": "v0.8.2",
                            "sum": "h1:+jPbCzuYxYrcoOvCecYUFDj+XJQRmzIhJmlbpps21Zk="}
    assert [d["path"] for d in info["deps"]] == ["golang.org/x/mod", "example.com/local"]
    assert info["deps"][1]["replaced_by"].startswith("../local") and info["build"]["CGO_ENABLED"] == "1"
    sums = mod_tools.parse_go_sum("golang.org/x/mod v0.41.0 h1:abc=\ngolang.org/x/mod v0.41.0/go.mod h1:def=\n")
    assert sums == {("golang.org/x/mod", "v0.41.0"): "h1:abc="}
    assert mod_tools.parse_graph("a b@v1\nb@v1 go@1.22\n\n") == [("a", "b@v1"), ("b@v1", "go@1.22")]
    rows = mod_tools.parse_list_json('{"Path":"m","Main":true,"Dir":"/x"}\n{"Path":"d","Version":"v1",'
                                     '"Error":{"Err":"module lookup disabled by GOPROXY=off"}}')
    assert rows[0]["main"] and rows[0]["cached"] and rows[1]["error"].endswith("GOPROXY=off")


def test_binfmt_pe_macho_wasm_on_synthetic_headers(tmp_path):
    # Minimal wasm: magic, version, one import section importing wasi_snapshot_preview1.fd_write (func type 0).
    mod, field = b"wasi_snapshot_preview1", b"fd_write"
    entry = bytes([len(mod)]) + mod + bytes([len(field)]) + field + b"\x00\x00"
    section = b"\x01" + entry
    wasm = b"\0asm\x01\0\0\0" + b"\x02" + bytes([len(section)]) + section
    (tmp_path / "m.wasm").write_bytes(wasm)
    d = _binfmt.describe(tmp_path / "m.wasm")
    assert d["format"] == "WebAssembly" and d["needed"] == ["wasi_snapshot_preview1"] and d["dynamic"] is False
    # Mach-O 64 arm64 with one LC_LOAD_DYLINKER and one LC_LOAD_DYLIB.
    def lc(cmd, name):
        body = name.encode() + b"\0"
        size = (12 + len(body) + 7) // 8 * 8 if cmd == 0xE else (24 + len(body) + 7) // 8 * 8
        off = 12 if cmd == 0xE else 24
        head = struct.pack("<III", cmd, size, off) + (b"" if cmd == 0xE else b"\0" * 12)
        return (head + body).ljust(size, b"\0")
    cmds = lc(0xE, "/usr/lib/dyld") + lc(0xC, "/usr/lib/libSystem.B.dylib")
    macho = struct.pack("<IiiIIIII", 0xFEEDFACF, 0x0100000C, 0, 2, 2, len(cmds), 0, 0) + cmds
    (tmp_path / "m.macho").write_bytes(macho)
    d = _binfmt.describe(tmp_path / "m.macho")
    assert d == {"format": "Mach-O 64", "arch": "arm64", "interpreter": "/usr/lib/dyld",
                 "needed": ["/usr/lib/libSystem.B.dylib"], "dynamic": True}
    (tmp_path / "x.bin").write_bytes(b"#!/bin/sh\n")
    assert _binfmt.describe(tmp_path / "x.bin")["format"] == "unknown"


def test_thread_cap_keeps_process_ids_free():
    limits = {"pid_max": 32768, "threads_max": 190000, "tasks_in_use": 500, "rlimit_nproc": None, "is_root": True}
    cap, why = goroutine_memory.safe_thread_cap(40000, limits)
    assert cap == 32768 - 500 - goroutine_memory.PID_RESERVE and "pid_max" in why
    assert goroutine_memory.safe_thread_cap(1000, limits) == (1000, "thread_cap parameter")
    user = dict(limits, rlimit_nproc=2000, is_root=False)
    assert goroutine_memory.safe_thread_cap(40000, user)[0] == 1500


def test_thread_limit_prediction_uses_marginal_maps():
    points = [{"n": 1000, "maps_after": 3200}, {"n": 2000, "maps_after": 6200}]
    pred = goroutine_memory.predict_thread_limit(points, {"max_map_count": 65530, "pid_max": 32768,
                                                          "threads_max": 190000, "tasks_in_use": 100})
    assert pred["maps_per_thread"] == 3.0 and pred["basis"] == "vm.max_map_count"
    assert pred["value"] == 2000 + int((65530 - 6200) / 3)
    assert goroutine_memory.predict_thread_limit(points[:1], {})["value"] is None


def test_binfmt_elf_interpreter_and_libraries_agree_with_ldd():
    """One read of a real dynamic ELF gives what `ldd` and the program header say (a system binary, no build)."""
    import shutil
    import subprocess
    import sys

    exe = sys.executable if shutil.which("ldd") else pytest.skip("no ldd")
    d = _binfmt.describe(exe)
    assert d["format"] == "ELF" and d["arch"] in _binfmt.ELF_MACHINES.values()
    out = subprocess.run(["ldd", exe], capture_output=True, text=True).stdout
    if "=>" not in out:
        assert not d["dynamic"] and d["needed"] == []
        return
    assert d["dynamic"] and d["interpreter"] and d["interpreter"].rsplit("/", 1)[-1] in out
    assert d["needed"] and all(lib in out for lib in d["needed"])
