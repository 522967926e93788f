"""A profile's `services:` — the team's own service and its Go rewrite, measured like chapter 1's peers.

The profile describes each service once (name → mapping); `parse_services` checks every key before
anything starts and resolves relative paths against the profile's folder. A mistake fails with one
line that names the service and the key. The measurement itself is `gohandbook.measure.team_services`.

Modes (exactly one per service):
  run: a command (a list, or a string split like a shell would, but never run by a shell)
  go_build: a folder with a Go main package, built with the handbook's Go toolchain
  url: a service already running on loopback (start-up and memory are then not measured)
"""

from __future__ import annotations

import ipaddress
import json
import shlex
from pathlib import Path
from typing import Any, Mapping
from urllib.parse import urlsplit

from .i18n import LANGS, N_, _, use
from .params import ParameterError

ROLES = ("current", "go")
RUNTIME_SHIPS = ("none", "python", "node", "java")
HTTP_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")
SERVICE_KEYS = {
    "run": "a command: a list of arguments or one string, containing {port}",
    "go_build": "a folder with a Go main package (its module's go.mod above or in it)",
    "url": "http://127.0.0.1:PORT of a service already running on loopback",
    "args": "arguments after the built Go binary (or appended to run), may contain {port}",
    "cwd": "the folder the command runs in",
    "env": "a mapping of environment variables (values may contain {port})",
    "role": "current (the service as it runs today) or go (its Go rewrite)",
    "label": "a name to show",
    "ready": "a path answering 2xx once the service has started, e.g. /healthz",
    "requests": "a list of paths or of {method, path, headers, body, json, expect_status, expect_body}",
    "headers": "headers sent with every request",
    "expect_status": "the status every response must have (default any 2xx)",
    "expect_body": "text(s) every response body must contain",
    "ship": "files and folders a deployment carries (sizes summed)",
    "ship_runtime": "also count an installed runtime: " + ", ".join(RUNTIME_SHIPS),
    "connections": "load generator connections (1-512)",
    "load_seconds": "load duration per repeat (0.5-120)",
    "warmup_seconds": "load warm-up not counted (0-30)",
    "repeats": "fresh starts (1-20)",
    "start_timeout": "seconds to wait for ready (1-600)",
}
REQUEST_KEYS = ("method", "path", "headers", "body", "json", "expect_status", "expect_body")
NUMBERS = {"connections": (int, 1, 512), "load_seconds": (float, 0.5, 120), "warmup_seconds": (float, 0, 30),
           "repeats": (int, 1, 20), "start_timeout": (float, 1, 600)}
MODES = ("run", "go_build", "url")


# Sentences used in several places (each said in the current language, the profile's while it is read)
ONE_OF = N_("{value} is not allowed: allowed is one of {allowed}")
UNKNOWN_KEY = N_("unknown key: {suggestion}allowed keys are {keys}")


def _err(name: str, key: str, text: str) -> ParameterError:
    return ParameterError(f"services.{name}.{key}: {text}")


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _strings(name: str, key: str, value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, (str, int, float)) and not isinstance(v, bool) for v in value):
        return [str(v) for v in value]
    raise _err(name, key, _("{value} is not allowed: allowed is a text or a list of texts").format(value=repr(value)))


def _mapping(name: str, key: str, value: Any) -> dict[str, str]:
    if not isinstance(value, Mapping) or not all(isinstance(k, str) and k for k in value):
        raise _err(name, key, _("{value} is not allowed: allowed is a mapping of names to values").format(value=repr(value)))
    if any(isinstance(v, (dict, list)) or v is None for v in value.values()):
        raise _err(name, key, _("values must be texts or numbers"))
    return {k: str(v).lower() if isinstance(v, bool) else str(v) for k, v in value.items()}


def _status(name: str, key: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 100 <= value <= 599:
        raise _err(name, key, _("{value} is not allowed: allowed is an HTTP status from 100 to 599").format(value=repr(value)))
    return value


def _path(name: str, key: str, value: Any, base: Path, *, want_dir: bool | None = None) -> str:
    if not isinstance(value, str) or not value:
        raise _err(name, key, _("{value} is not allowed: allowed is a path").format(value=repr(value)))
    path = Path(value).expanduser()
    path = (path if path.is_absolute() else base / path).resolve()
    if not path.exists():
        raise _err(name, key, _("{value} does not exist (resolved to {path}; relative paths start at the profile's "
                                "folder)").format(value=value, path=path))
    if want_dir is True and not path.is_dir():
        raise _err(name, key, _("{path} is not a folder").format(path=path))
    return str(path)


def _request(name: str, i: int, item: Any, defaults: dict) -> dict:
    key = f"requests[{i}]"
    if isinstance(item, str):
        item = {"path": item}
    if not isinstance(item, Mapping):
        raise _err(name, key, _("{value} is not allowed: allowed is a path or a mapping with {keys}").format(
            value=repr(item), keys=", ".join(REQUEST_KEYS)))
    unknown = sorted(set(item) - set(REQUEST_KEYS))
    if unknown:
        from .params import _suggest

        raise _err(name, f"{key}.{unknown[0]}", _(UNKNOWN_KEY).format(
            suggestion=_suggest(unknown[0], dict.fromkeys(REQUEST_KEYS)), keys=", ".join(REQUEST_KEYS)))
    path = item.get("path")
    if not isinstance(path, str) or not path.startswith("/") or any(c in path for c in " \r\n"):
        raise _err(name, f"{key}.path", _("{value} is not allowed: allowed is a path starting with / (no spaces)").format(
            value=repr(path)))
    method = str(item.get("method", "GET")).upper()
    if method not in HTTP_METHODS:
        raise _err(name, f"{key}.method", _(ONE_OF).format(value=repr(item.get("method")), allowed=", ".join(HTTP_METHODS)))
    headers = dict(defaults["headers"])
    headers.update(_mapping(name, f"{key}.headers", item["headers"]) if "headers" in item else {})
    if "json" in item and "body" in item:
        raise _err(name, key, _("give body or json, not both"))
    body = ""
    if "json" in item:
        body = json.dumps(item["json"], separators=(",", ":"))
        headers.setdefault("Content-Type", "application/json")
    elif "body" in item:
        if not isinstance(item["body"], str):
            raise _err(name, f"{key}.body", _("must be a text (use json: for a JSON value)"))
        body = item["body"]
    expect_status = (_status(name, f"{key}.expect_status", item["expect_status"]) if "expect_status" in item
                     else defaults["expect_status"])
    expect_body = (_strings(name, f"{key}.expect_body", item["expect_body"]) if "expect_body" in item
                   else defaults["expect_body"])
    return {"method": method, "path": path, "headers": headers, "body": body,
            "expect_status": expect_status or 0, "expect_body": expect_body}


def parse_service(name: str, raw: Any, base: Path) -> dict[str, Any]:
    """One service's definition, checked and normalised (absolute paths, requests expanded)."""
    if not isinstance(raw, Mapping):
        raise ParameterError(_("services.{name}: must be a mapping of keys ({keys})").format(
            name=name, keys=", ".join(SERVICE_KEYS)))
    unknown = sorted(set(raw) - set(SERVICE_KEYS))
    if unknown:
        from .params import _suggest

        raise _err(name, unknown[0], _(UNKNOWN_KEY).format(suggestion=_suggest(unknown[0], SERVICE_KEYS),
                                                          keys=", ".join(SERVICE_KEYS)))
    modes = [m for m in MODES if m in raw]
    if len(modes) != 1:
        raise ParameterError(_("services.{name}: needs exactly one of run, go_build or url (has {modes})").format(
            name=name, modes=", ".join(modes)) if modes else
            _("services.{name}: needs exactly one of run, go_build or url").format(name=name))
    mode = modes[0]
    svc: dict[str, Any] = {"name": name, "mode": mode, "label": str(raw.get("label", name))}
    role = raw.get("role", "go" if mode == "go_build" else "current")
    if role not in ROLES:
        raise _err(name, "role", _(ONE_OF).format(value=repr(role), allowed=", ".join(ROLES)))
    svc["role"] = role
    svc["cwd"] = _path(name, "cwd", raw["cwd"], base, want_dir=True) if "cwd" in raw else None
    cwd = Path(svc["cwd"]) if svc["cwd"] else base
    env = _mapping(name, "env", raw["env"]) if "env" in raw else {}
    args = _strings(name, "args", raw["args"]) if "args" in raw else []
    if mode == "run":
        run = raw["run"]
        if isinstance(run, str):
            try:
                run = shlex.split(run)
            except ValueError as exc:
                raise _err(name, "run", _("cannot split {value}: {error}").format(value=repr(run), error=exc)) from None
        argv = _strings(name, "run", run)
        if not argv or not argv[0]:
            raise _err(name, "run", _("is empty: allowed is a command, e.g. [python3, app.py, --port, '{port}']"))
        svc["run"] = argv + args
        if not any("{port}" in a for a in svc["run"]) and not any("{port}" in v for v in env.values()):
            raise _err(name, "run", _("needs {port} in the command (or in an env value such as PORT: '{port}'): "
                                      "the handbook picks a free loopback port for every start"))
    elif mode == "go_build":
        svc["go_build"] = _path(name, "go_build", raw["go_build"], base, want_dir=True)
        svc["run"] = args
        if not list(Path(svc["go_build"]).glob("*.go")):
            raise _err(name, "go_build", _("{path} has no .go files: allowed is a Go main package").format(
                path=svc["go_build"]))
        if module_root(Path(svc["go_build"])) is None:
            raise _err(name, "go_build", _("no go.mod in {path} or above: a Go rewrite is its own module").format(
                path=svc["go_build"]))
        if not any("{port}" in a for a in args) and not any("{port}" in v for v in env.values()):
            raise _err(name, "args", _("needs {port} (e.g. args: [-addr, '127.0.0.1:{port}'], or an env value "
                                       "such as PORT: '{port}'): the handbook picks a free loopback port for every start"))
    else:
        url = raw["url"]
        parts = urlsplit(url) if isinstance(url, str) else None
        if not parts or parts.scheme != "http" or not parts.hostname or parts.port is None:
            raise _err(name, "url", _("{value} is not allowed: allowed is http://127.0.0.1:PORT (loopback, with a "
                                      "port)").format(value=repr(url)))
        if not is_loopback(parts.hostname):
            raise _err(name, "url", _("{host} is not a loopback address: the handbook only sends load to "
                                      "127.0.0.0/8, ::1 or localhost").format(host=parts.hostname))
        for key in ("args", "env", "cwd", "ship_runtime"):
            if key in raw:
                raise _err(name, key, _("does not apply to a url: service (the handbook does not start it)"))
        svc["url"] = f"http://{parts.netloc}"
        svc["run"] = []
    if svc["cwd"] is None and mode != "url":  # a command runs in the profile's folder, a Go build in its own
        svc["cwd"] = svc.get("go_build") or str(base)
    svc["env"] = env
    ready = raw.get("ready", "/healthz")
    if not isinstance(ready, str) or not ready.startswith("/"):
        raise _err(name, "ready", _("{value} is not allowed: allowed is a path starting with /").format(value=repr(ready)))
    svc["ready"] = ready
    defaults = {
        "headers": _mapping(name, "headers", raw["headers"]) if "headers" in raw else {},
        "expect_status": _status(name, "expect_status", raw["expect_status"]) if "expect_status" in raw else 0,
        "expect_body": _strings(name, "expect_body", raw["expect_body"]) if "expect_body" in raw else [],
    }
    requests = raw.get("requests", [ready])
    if isinstance(requests, str):
        requests = [requests]
    if not isinstance(requests, list) or not requests:
        raise _err(name, "requests", _("must be a non-empty list of paths or request mappings"))
    svc["requests"] = [_request(name, i, item, defaults) for i, item in enumerate(requests)]
    ship = _strings(name, "ship", raw["ship"]) if "ship" in raw else []
    svc["ship"] = [_path(name, "ship", s, cwd) for s in ship]
    ship_runtime = raw.get("ship_runtime", "none")
    if ship_runtime not in RUNTIME_SHIPS:
        raise _err(name, "ship_runtime", _(ONE_OF).format(value=repr(ship_runtime), allowed=", ".join(RUNTIME_SHIPS)))
    svc["ship_runtime"] = ship_runtime
    for key, (kind, lo, hi) in NUMBERS.items():
        if key in raw:
            value = raw[key]
            if isinstance(value, bool) or not isinstance(value, (int, float)) or (kind is int and value != int(value)) \
                    or not lo <= value <= hi:
                text = (_("{value} is not allowed: allowed is an integer from {lo} to {hi}") if kind is int
                        else _("{value} is not allowed: allowed is a number from {lo} to {hi}"))
                raise _err(name, key, text.format(value=repr(value), lo=f"{lo:g}", hi=f"{hi:g}"))
            svc[key] = kind(value)
    return svc


def parse_services(raw: Any, base: str | Path | None = None) -> dict[str, dict[str, Any]]:
    """The whole `services:` mapping, in profile order. `base` is the profile's folder."""
    base = Path(base or Path.cwd()).resolve()
    if not isinstance(raw, Mapping) or not raw:
        raise ParameterError(_("services: must be a mapping of service names to services, e.g. "
                               "services: {current: {run: ...}, go: {go_build: ...}}"))
    out = {}
    for name, spec in raw.items():
        if not isinstance(name, str) or not name.replace("-", "").replace("_", "").isalnum():
            raise ParameterError(_("services: the name {name} is not allowed: allowed are letters, digits, - and _").format(
                name=repr(name)))
        out[name] = parse_service(name, spec, base)
    return out


def resolve_in_profile(raw: dict, base: str | Path | None) -> dict:
    """A raw profile mapping with its `services:` checked and replaced by `services_json` (paths made absolute
    against `base`, the profile's folder), so the profile can travel as a mapping from here on."""
    if "services" in raw:
        lang = raw.get("lang") if raw.get("lang") in LANGS else None
        with use(lang):  # a mistake is said in the profile's language (it may show on a batch's comparison page)
            raw["services_json"] = to_json(parse_services(raw.pop("services"), base))
    return raw


def module_root(folder: Path) -> Path | None:
    for candidate in (folder, *folder.parents):
        if (candidate / "go.mod").is_file():
            return candidate
    return None


def to_json(services: Mapping[str, dict]) -> str:
    """The normalised services as the chapter parameter `services_json` (absolute paths, so a
    notebook run from another folder, or by papermill, reads the same services)."""
    return json.dumps(services, sort_keys=True) if services else ""


def from_json(text: str) -> dict[str, dict[str, Any]]:
    """The services a chapter received; re-checked (the paths must still exist)."""
    if not text:
        return {}
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ParameterError(_("services_json is not valid JSON: {error}").format(error=exc)) from None
    if not isinstance(raw, dict):
        raise ParameterError(_("services_json must be a JSON object of service names to services"))
    return {name: _renormalise(name, svc) for name, svc in raw.items()}


def _renormalise(name: str, svc: Any) -> dict[str, Any]:
    """Check a normalised service again (it came through a notebook parameter, possibly hand-written)."""
    if not isinstance(svc, dict) or svc.get("mode") not in MODES:
        raise ParameterError(_("services_json: service {name} is not a normalised service definition").format(
            name=repr(name)))
    raw = {k: v for k, v in svc.items() if k in SERVICE_KEYS and k not in ("run", "args")}
    if svc["mode"] == "run":
        raw["run"] = svc["run"]
    elif svc["mode"] == "go_build":
        raw["args"] = svc["run"]
    raw["requests"] = [{k: r[k] for k in ("method", "path", "headers", "body", "expect_status", "expect_body")
                        if k in r and (k != "expect_status" or r[k])} for r in svc.get("requests", [])]
    for key in ("expect_status", "expect_body", "headers"):
        raw.pop(key, None)
    if raw.get("cwd") is None:
        raw.pop("cwd", None)
    if svc["mode"] == "url":  # normalised defaults that a url: service may not set
        for key in ("env", "cwd", "ship_runtime"):
            raw.pop(key, None)
    return parse_service(name, raw, Path("/"))


def pair(services: Mapping[str, dict]) -> tuple[dict | None, dict | None]:
    """(the current service, its Go rewrite) the gates compare: the first of each role."""
    current = next((s for s in services.values() if s["role"] == "current"), None)
    go = next((s for s in services.values() if s["role"] == "go"), None)
    return current, go


# ---------------------------------------------------------------------------------------------
# Comparing two services: medians with intervals over the repeats, and whether the difference is
# bigger than the run-to-run spread (a Mann-Whitney U test over the repeats, as benchstat does).


def median_interval(values: list[float], confidence: float = 0.95) -> tuple[float, float, float]:
    """(low, high, achieved confidence): a distribution-free interval for the median from order
    statistics. With fewer than 6 values no interval reaches 95 %; min–max is given with its
    (lower) confidence."""
    from math import comb

    xs = sorted(values)
    n = len(xs)
    if n == 0:
        return (float("nan"), float("nan"), 0.0)
    if n == 1:
        return (xs[0], xs[0], 0.0)
    best = (xs[0], xs[-1], 1 - 2 * 0.5 ** n)
    for k in range(1, n // 2 + 1):  # interval [x_(k), x_(n-k+1)], 1-based
        tail = sum(comb(n, i) for i in range(k)) / 2 ** n
        achieved = 1 - 2 * tail
        if achieved >= confidence:
            best = (xs[k - 1], xs[n - k], achieved)
        else:
            break
    return best


def mann_whitney_p(a: list[float], b: list[float]) -> float:
    """Two-sided p-value of the Mann-Whitney U test (exact for small samples without ties)."""
    from functools import lru_cache

    m, n = len(a), len(b)
    if not m or not n:
        return 1.0
    u = sum(1.0 if x > y else 0.5 if x == y else 0.0 for x in a for y in b)

    @lru_cache(maxsize=None)
    def count(i: int, j: int, k: int) -> int:  # arrangements of i a's and j b's with U = k
        if k < 0:
            return 0
        if i == 0 or j == 0:
            return 1 if k == 0 else 0
        return count(i - 1, j, k - j) + count(i, j - 1, k)

    from math import comb, floor

    total = comb(m + n, m)
    low = sum(count(m, n, k) for k in range(0, floor(u) + 1)) / total
    high = sum(count(m, n, k) for k in range(int(-(-u // 1)), m * n + 1)) / total
    return min(1.0, 2 * min(low, high))


def compare(metric: str, go_values: list[float], cur_values: list[float], *, lower_is_better: bool,
            unit: str, digits: int = 1, alpha: float = 0.05) -> dict[str, Any]:
    """Go against the current service on one metric: medians, intervals, ratio, p-value and a
    sentence that says whether the difference exceeds the run-to-run spread."""
    from statistics import median

    go_values = [v for v in go_values if v is not None]
    cur_values = [v for v in cur_values if v is not None]
    if not go_values or not cur_values:
        return {"metric": metric, "measured": False, "sentence": f"{metric}: not measured for both services"}
    g, c = median(go_values), median(cur_values)
    gi, ci = median_interval(go_values), median_interval(cur_values)
    p = mann_whitney_p(go_values, cur_values)
    significant = p < alpha
    ratio = g / c if c else None
    better = (g < c) if lower_is_better else (g > c)

    def fmt(m, iv):
        return f"{m:.{digits}f} {unit} [{iv[0]:.{digits}f}–{iv[1]:.{digits}f}]"

    n_text = f"n = {len(go_values)}+{len(cur_values)}"
    min_p = mann_whitney_min_p(len(go_values), len(cur_values))
    if significant:
        verdict = f"Go is {'better' if better else 'worse'}, by more than the run-to-run spread (p = {p:.3f}, {n_text})"
    elif min_p >= alpha:
        apart = max(go_values) < min(cur_values) or max(cur_values) < min(go_values)
        verdict = (f"too few repeats to test against the run-to-run spread ({n_text}: the smallest possible p is "
                   f"{min_p:.2f}); the ranges over the repeats {'do not overlap' if apart else 'overlap'}")
    else:
        verdict = f"no difference beyond the run-to-run spread (p = {p:.2f}, {n_text})"
    ratio_text = f", ×{ratio:.2f}" if ratio else ""
    return {"metric": metric, "measured": True, "go_median": g, "current_median": c, "go_interval": gi[:2],
            "current_interval": ci[:2], "interval_confidence": min(gi[2], ci[2]), "ratio": ratio, "p_value": p,
            "significant": significant, "go_better": better,
            "sentence": f"{metric}: Go {fmt(g, gi)} vs current {fmt(c, ci)}{ratio_text} — {verdict}"}


def mann_whitney_min_p(m: int, n: int) -> float:
    """The smallest two-sided p-value samples of these sizes can give (all of one above the other)."""
    from math import comb

    return min(1.0, 2 / comb(m + n, m)) if m and n else 1.0
