"""The Go samples: go vet, go test and gofmt are clean; the planted module still builds."""
import pytest

from gohandbook import paths, proc

pytestmark = pytest.mark.slow


def test_main_module_vet_and_tests_pass(go):
    root = paths.samples_dir()
    go.run(["vet", "./..."], cwd=root, timeout=600)
    done = go.run(["test", "-count=1", "./..."], cwd=root, timeout=900)
    assert "FAIL" not in done.stdout


def test_gofmt_clean(go):
    goroot = go.run(["env", "GOROOT"], cwd=paths.samples_dir()).stdout.strip()
    done = proc.run([f"{goroot}/bin/gofmt", "-l", str(paths.samples_dir())], timeout=120, check=True)
    assert done.stdout.strip() == ""


def test_planted_module_builds(go):
    go.run(["build", "./..."], cwd=paths.samples_dir() / "vetcheck", timeout=300)


def test_every_measurement_is_keyed_by_the_go_packages_it_builds(go):
    """A measurement's cache key hashes its declared sources; a local package a declared program imports
    but the list misses would let a change to it go unnoticed (the result would not turn stale)."""
    from gohandbook import measure

    root = paths.samples_dir()
    module = "gohandbook.example/samples/"
    missing = {}
    for m in measure.all_measurements():
        declared = {s.rstrip("/") for s in m.sources}
        for source in sorted(declared):
            folder = root / source
            # only packages of the main module (loopvar, vetcheck and tools are modules of their own)
            if not folder.is_dir() or not any(folder.glob("*.go")) or (folder / "go.mod").exists():
                continue
            deps = go.run(["list", "-deps", "-f", "{{.ImportPath}}", "./" + source], cwd=root).stdout.split()
            for dep in deps:
                if dep.startswith(module):
                    rel = dep[len(module):]
                    if not any(rel == d or rel.startswith(d + "/") for d in declared):
                        missing.setdefault(m.name, set()).add(rel)
    assert not missing, f"measurements build local packages their sources do not list: {missing}"
