"""Just enough ELF reading to prove "no dependencies": interpreter and needed shared libraries."""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

PT_DYNAMIC, PT_INTERP = 2, 3
DT_NULL, DT_NEEDED, DT_STRTAB = 0, 1, 5


@dataclass
class ElfDeps:
    is_elf: bool
    interpreter: str | None
    needed: list[str]

    @property
    def dynamic(self) -> bool:
        return bool(self.interpreter or self.needed)


def read_deps(path: Path | str) -> ElfDeps:
    data = Path(path).read_bytes()
    if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
        return ElfDeps(False, None, [])  # not a 64-bit little-endian ELF (e.g. PE or wasm)
    (e_phoff,) = struct.unpack_from("<Q", data, 0x20)
    e_phentsize, e_phnum = struct.unpack_from("<HH", data, 0x36)
    interp = None
    dynamic = None
    loads = []
    for i in range(e_phnum):
        off = e_phoff + i * e_phentsize
        p_type, _flags, p_offset, p_vaddr, _paddr, p_filesz = struct.unpack_from("<IIQQQQ", data, off)
        if p_type == PT_INTERP:
            interp = data[p_offset:p_offset + p_filesz].rstrip(b"\0").decode()
        elif p_type == PT_DYNAMIC:
            dynamic = (p_offset, p_filesz)
        elif p_type == 1:  # PT_LOAD: needed to map DT_STRTAB's address to a file offset
            loads.append((p_vaddr, p_offset, p_filesz))
    needed: list[str] = []
    if dynamic:
        entries = []
        for off in range(dynamic[0], dynamic[0] + dynamic[1], 16):
            tag, val = struct.unpack_from("<qQ", data, off)
            if tag == DT_NULL:
                break
            entries.append((tag, val))
        strtab_addr = next((v for t, v in entries if t == DT_STRTAB), None)
        strtab_off = None
        for vaddr, offset, size in loads:
            if strtab_addr is not None and vaddr <= strtab_addr < vaddr + size:
                strtab_off = offset + (strtab_addr - vaddr)
        if strtab_off is not None:
            for tag, val in entries:
                if tag == DT_NEEDED:
                    end = data.index(b"\0", strtab_off + val)
                    needed.append(data[strtab_off + val:end].decode())
    return ElfDeps(True, interp, needed)
