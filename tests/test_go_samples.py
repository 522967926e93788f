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
