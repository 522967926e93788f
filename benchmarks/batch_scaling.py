"""How much does a batch of 20 team profiles cost compared with one profile?

Measurements depend on the machine, not on the team, so a batch measures once and every profile
reuses the cache; notebooks run on warm kernels in parallel workers. This script times, in one run,
`gohandbook batch` with 1 profile and with 20 profiles, each from an empty measurement cache
(as on a fresh machine; Go's own build cache stays warm for both), and prints the ratio
(goal <= 1.5). With --warm both runs reuse one filled cache instead, which isolates the
per-profile notebook cost. A benchmark, not a test: it never fails the build.

    .venv/bin/python benchmarks/batch_scaling.py [--profiles 20] [--workers 2] [--warm]
"""
from __future__ import annotations

import argparse
import shutil
import tempfile
from pathlib import Path

import yaml

from _common import GOHANDBOOK, REPO, fresh_cache, timed

SHIPPED = sorted((REPO / "data" / "profiles").glob("*.yaml"))


def make_profiles(folder: Path, count: int) -> None:
    """`count` distinct profiles: the shipped ones, varied in team size and weights."""
    folder.mkdir(parents=True)
    for i in range(count):
        base = yaml.safe_load(SHIPPED[i % len(SHIPPED)].read_text())
        base.pop("services", None)  # the team's own services are measured per definition, not per profile count
        base["profile_name"] = f"{base['profile_name']}-{i:02d}"
        base["team_size"] = 3 + 4 * i
        base["weight_high_concurrency"] = float(i % 11)
        (folder / f"p{i:02d}.yaml").write_text(yaml.safe_dump(base))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--profiles", type=int, default=20)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--warm", action="store_true",
                    help="both runs reuse the repository's measurement cache (filled first, untimed)")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="gohandbook-bench-"))
    try:
        make_profiles(tmp / "one", 1)
        make_profiles(tmp / "many", args.profiles)
        shared = "" if args.warm else None  # "": the repository's own cache
        if shared is not None:
            print("filling the repository's cache where needed (not timed) …", flush=True)
            timed([GOHANDBOOK, "measure"], shared)
        runs = {}
        for label, folder in (("1 profile", tmp / "one"), (f"{args.profiles} profiles", tmp / "many")):
            cache = shared if shared is not None else fresh_cache()
            cmd = [GOHANDBOOK, "batch", str(folder), "--out", str(tmp / f"out-{folder.name}"),
                   "--workers", str(args.workers)]
            runs[label] = timed(cmd, cache)
            print(f"{label:>12}: {runs[label]:7.1f} s  "
                  f"({'warm cache' if shared is not None else 'empty cache: measures, then renders'})", flush=True)
            if shared is None:
                shutil.rmtree(cache, ignore_errors=True)
        one, many = runs["1 profile"], runs[f"{args.profiles} profiles"]
        print(f"\nwall time, {args.profiles}-profile batch / 1-profile batch: {many / one:.2f}  (goal <= 1.5: "
              f"{'met' if many / one <= 1.5 else 'NOT met'}); {args.workers} workers, "
              f"{'warm' if shared is not None else 'cold'} measurement cache")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
