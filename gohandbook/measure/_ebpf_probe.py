"""What this machine offers for eBPF, probed without bpftool: the bpf() system call (create an
array map, load a two-instruction socket filter), program IDs the kernel lists (what
`bpftool prog list` enumerates), kernel BTF for CO-RE, and the tools a Go eBPF build would need."""

from __future__ import annotations

import ctypes
import os
import platform
import shutil
import struct
from pathlib import Path

SYS_BPF = {"x86_64": 321, "aarch64": 280}
BPF_MAP_CREATE, BPF_PROG_LOAD, BPF_PROG_GET_NEXT_ID = 0, 5, 11


def _bpf(cmd: int, attr: bytes) -> tuple[int, int]:
    libc = ctypes.CDLL(None, use_errno=True)
    buf = ctypes.create_string_buffer(attr, 128)
    ret = libc.syscall(SYS_BPF[platform.machine()], cmd, buf, 128)
    return ret, ctypes.get_errno()


def probe() -> dict:
    out: dict = {"kernel": platform.release(), "bpftool": shutil.which("bpftool"),
                 "kernel_btf": Path("/sys/kernel/btf/vmlinux").exists(),
                 "unprivileged_bpf_disabled": _read("/proc/sys/kernel/unprivileged_bpf_disabled"),
                 "euid": os.geteuid()}
    if platform.machine() not in SYS_BPF:
        out.update(syscall="not probed on this architecture")
        return out
    fd, err = _bpf(BPF_MAP_CREATE, struct.pack("IIII", 2, 4, 4, 1))  # BPF_MAP_TYPE_ARRAY, 4-byte key/value, 1 entry
    out["map_create"] = "ok" if fd >= 0 else os.strerror(err)
    if fd >= 0:
        os.close(fd)
    insns = bytes([0xB7, 0, 0, 0, 0, 0, 0, 0, 0x95, 0, 0, 0, 0, 0, 0, 0])  # r0 = 0; exit
    ibuf, lic = ctypes.create_string_buffer(insns), ctypes.create_string_buffer(b"GPL")
    attr = struct.pack("IIQQ", 1, 2, ctypes.addressof(ibuf), ctypes.addressof(lic))  # BPF_PROG_TYPE_SOCKET_FILTER
    fd, err = _bpf(BPF_PROG_LOAD, attr)
    out["prog_load"] = "ok" if fd >= 0 else os.strerror(err)
    ids, start = [], 0
    while len(ids) < 10000:
        nbuf = ctypes.create_string_buffer(struct.pack("II", start, 0), 128)
        libc = ctypes.CDLL(None, use_errno=True)
        ret = libc.syscall(SYS_BPF[platform.machine()], BPF_PROG_GET_NEXT_ID, nbuf, 128)
        if ret != 0:
            break
        start = struct.unpack_from("II", nbuf.raw)[1]
        ids.append(start)
    out["programs_listed"] = len(ids)
    if fd >= 0:
        os.close(fd)
    out["syscall_works"] = out["map_create"] == "ok" and out["prog_load"] == "ok"
    return out


def _read(path: str) -> str | None:
    try:
        return Path(path).read_text().strip()
    except OSError:
        return None
