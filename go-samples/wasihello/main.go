// Command wasihello is a small program built both natively and for
// GOOS=wasip1 GOARCH=wasm: it reports its platform, reads its arguments
// and environment through WASI, does a little work (SHA-256 of 1 MiB) and
// prints one JSON line. Run the wasm build under Node's WASI with
// run_wasi.mjs next to this file.
package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"os"
	"runtime"
	"time"
)

// Report is the program's output.
type Report struct {
	GOOS     string   `json:"goos"`
	GOARCH   string   `json:"goarch"`
	Args     []string `json:"args"`
	Greeting string   `json:"greeting"`
	SHA256   string   `json:"sha256_1mib"`
	WorkMS   float64  `json:"work_ms"`
}

// Digest hashes n bytes of a fixed pattern.
func Digest(n int) string {
	data := make([]byte, n)
	for i := range data {
		data[i] = byte(i * 31)
	}
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

func run(args []string, stdout io.Writer) int {
	t0 := time.Now()
	digest := Digest(1 << 20)
	r := Report{GOOS: runtime.GOOS, GOARCH: runtime.GOARCH, Args: args,
		Greeting: os.Getenv("GREETING"), SHA256: digest, WorkMS: float64(time.Since(t0).Microseconds()) / 1000}
	if err := json.NewEncoder(stdout).Encode(r); err != nil {
		return 1
	}
	return 0
}

func main() { os.Exit(run(os.Args[1:], os.Stdout)) }
