package main

import "unsafe"

func sizeofRec(r rec) uintptr { return unsafe.Sizeof(r) }
