"""What a built binary is and what it needs at run time, read once from its headers: ELF program
headers (interpreter, DT_NEEDED), PE import directory, Mach-O load commands, or a WebAssembly
module's imports. Just enough to prove "no dependencies" without `ldd`."""

from __future__ import annotations

import struct
from pathlib import Path

PT_LOAD, PT_DYNAMIC, PT_INTERP = 1, 2, 3
DT_NULL, DT_NEEDED, DT_STRTAB = 0, 1, 5
ELF_MACHINES = {62: "x86-64", 183: "arm64", 3: "x86", 40: "arm", 243: "riscv64"}
PE_MACHINES = {0x8664: "x86-64", 0xAA64: "arm64", 0x14C: "x86"}
MACHO_CPUS = {0x01000007: "x86-64", 0x0100000C: "arm64"}
LC_LOAD_DYLIB, LC_LOAD_DYLINKER, LC_LOAD_WEAK_DYLIB, LC_REEXPORT_DYLIB = 0xC, 0xE, 0x80000018, 0x8000001F


def describe(path: Path | str) -> dict:
    """{'format', 'arch', 'interpreter', 'needed', 'dynamic'}; `needed` lists shared libraries
    (ELF DT_NEEDED, PE imported DLLs, Mach-O dylibs) or, for wasm, the imported modules."""
    data = Path(path).read_bytes()
    if data[:4] == b"\x7fELF":
        return _elf(data)
    if data[:2] == b"MZ":
        return _pe(data)
    if data[:4] == b"\xcf\xfa\xed\xfe":
        return _macho(data)
    if data[:4] == b"\0asm":
        modules = wasm_import_modules(data)
        return {"format": "WebAssembly", "arch": "wasm32", "interpreter": None, "needed": modules,
                "dynamic": False, "note": "imports are host functions provided by the WASI runtime"}
    return {"format": "unknown", "arch": "?", "interpreter": None, "needed": [], "dynamic": None}


def _elf(data: bytes) -> dict:
    (machine,) = struct.unpack_from("<H", data, 0x12)
    out = {"format": "ELF", "arch": ELF_MACHINES.get(machine, f"e_machine {machine}"), "interpreter": None,
           "needed": [], "dynamic": None}
    if data[4] != 2 or data[5] != 1:
        return out  # not 64-bit little-endian: format and machine only
    (e_phoff,) = struct.unpack_from("<Q", data, 0x20)
    e_phentsize, e_phnum = struct.unpack_from("<HH", data, 0x36)
    interp, dynamic, loads = None, None, []
    for i in range(e_phnum):
        p_type, _flags, p_offset, p_vaddr, _paddr, p_filesz = struct.unpack_from("<IIQQQQ", data, e_phoff + i * e_phentsize)
        if p_type == PT_INTERP:
            interp = data[p_offset:p_offset + p_filesz].rstrip(b"\0").decode()
        elif p_type == PT_DYNAMIC:
            dynamic = (p_offset, p_filesz)
        elif p_type == PT_LOAD:  # needed to map DT_STRTAB's address to a file offset
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
        strtab_off = next((offset + strtab_addr - vaddr for vaddr, offset, size in loads
                           if strtab_addr is not None and vaddr <= strtab_addr < vaddr + size), None)
        if strtab_off is not None:
            needed = [data[strtab_off + val:data.index(b"\0", strtab_off + val)].decode()
                      for tag, val in entries if tag == DT_NEEDED]
    return dict(out, interpreter=interp, needed=needed, dynamic=bool(interp or needed))


def _pe(data: bytes) -> dict:
    (pe,) = struct.unpack_from("<I", data, 0x3C)
    if data[pe:pe + 4] != b"PE\0\0":
        return {"format": "PE?", "arch": "?", "interpreter": None, "needed": [], "dynamic": None}
    machine, nsections = struct.unpack_from("<HH", data, pe + 4)
    (opt_size,) = struct.unpack_from("<H", data, pe + 20)
    opt = pe + 24
    (magic,) = struct.unpack_from("<H", data, opt)
    dd = opt + (112 if magic == 0x20B else 96)
    import_rva, _import_size = struct.unpack_from("<II", data, dd + 8)
    sections = []
    for i in range(nsections):
        off = opt + opt_size + 40 * i
        vsize, vaddr, rawsize, rawptr = struct.unpack_from("<IIII", data, off + 8)
        sections.append((vaddr, max(vsize, rawsize), rawptr))

    def at(rva: int) -> int | None:
        for vaddr, size, rawptr in sections:
            if vaddr <= rva < vaddr + size:
                return rva - vaddr + rawptr
        return None

    needed = []
    pos = at(import_rva) if import_rva else None
    while pos is not None and pos + 20 <= len(data):
        fields = struct.unpack_from("<IIIII", data, pos)
        if not any(fields):
            break
        name_off = at(fields[3])
        if name_off is not None:
            needed.append(data[name_off:data.index(b"\0", name_off)].decode(errors="replace"))
        pos += 20
    return {"format": "PE32+" if magic == 0x20B else "PE32", "arch": PE_MACHINES.get(machine, hex(machine)),
            "interpreter": None, "needed": needed, "dynamic": bool(needed)}


def _macho(data: bytes) -> dict:
    _magic, cputype, _sub, _ftype, ncmds, _size, _flags, _res = struct.unpack_from("<IiiIIIII", data, 0)
    pos, needed, interp = 32, [], None
    for _ in range(ncmds):
        cmd, cmdsize = struct.unpack_from("<II", data, pos)
        if cmd in (LC_LOAD_DYLIB, LC_LOAD_WEAK_DYLIB, LC_REEXPORT_DYLIB, LC_LOAD_DYLINKER):
            (name_off,) = struct.unpack_from("<I", data, pos + 8)
            raw = data[pos + name_off:pos + cmdsize]
            name = raw.split(b"\0", 1)[0].decode(errors="replace")
            if cmd == LC_LOAD_DYLINKER:
                interp = name
            else:
                needed.append(name)
        pos += cmdsize
    return {"format": "Mach-O 64", "arch": MACHO_CPUS.get(cputype & 0xFFFFFFFF, hex(cputype & 0xFFFFFFFF)),
            "interpreter": interp, "needed": needed, "dynamic": bool(needed or interp)}


def _leb(data: bytes, pos: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        byte = data[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            return result, pos


def wasm_import_modules(data: bytes) -> list[str]:
    """Distinct module names in a wasm binary's import section (e.g. wasi_snapshot_preview1)."""
    pos, modules = 8, []
    while pos < len(data):
        section_id = data[pos]
        size, pos = _leb(data, pos + 1)
        end = pos + size
        if section_id == 2:  # import section
            count, p = _leb(data, pos)
            for _ in range(count):
                n, p = _leb(data, p)
                module = data[p:p + n].decode(errors="replace")
                p += n
                n, p = _leb(data, p)
                p += n  # field name
                kind = data[p]
                p += 1
                if kind == 0:      # function: type index
                    _, p = _leb(data, p)
                elif kind == 1:    # table: elemtype + limits
                    p += 1
                    flags, p = _leb(data, p)
                    _, p = _leb(data, p)
                    if flags & 1:
                        _, p = _leb(data, p)
                elif kind == 2:    # memory: limits
                    flags, p = _leb(data, p)
                    _, p = _leb(data, p)
                    if flags & 1:
                        _, p = _leb(data, p)
                elif kind == 3:    # global: valtype + mutability
                    p += 2
                if module not in modules:
                    modules.append(module)
            return modules
        pos = end
    return modules
