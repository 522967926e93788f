// Command xdssim runs a tiny simulated xDS control plane: config changes go
// through istiod's debounce loop into its push queue, and a sender bounded by
// a semaphore (PILOT_PUSH_THROTTLE) pushes to N in-process "proxies"
// (goroutines) that each take a fixed time to apply a push. It measures, in
// real time, when every proxy has each change, and how many pushes it took.
//
// Usage:
//
//	xdssim -json '[{"name":"a","proxies":1000,"concurrency":25,"push_ms":2,
//	               "debounce":true,"debounce_after_ms":100,"debounce_max_ms":10000,
//	               "change_times_ms":[0,20,40]}]'
//	xdssim -scenarios FILE
//
// The input is one scenario object or an array of them; the output is a JSON
// array of results, one per scenario, in order. Exit code 0 after the runs
// (a scenario that fails carries "error"), 2 for bad flags or input.
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func parseScenarios(data []byte) ([]Scenario, error) {
	data = bytes.TrimSpace(data)
	if len(data) == 0 {
		return nil, errors.New("no scenarios given")
	}
	var list []Scenario
	if data[0] == '{' {
		var one Scenario
		if err := json.Unmarshal(data, &one); err != nil {
			return nil, err
		}
		list = []Scenario{one}
	} else if err := json.Unmarshal(data, &list); err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, errors.New("no scenarios given")
	}
	for i, s := range list {
		if err := s.Validate(); err != nil {
			return nil, fmt.Errorf("scenario %d (%q): %w", i, s.Name, err)
		}
	}
	return list, nil
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("xdssim", flag.ContinueOnError)
	fs.SetOutput(stderr)
	inline := fs.String("json", "", "scenario(s) as JSON")
	file := fs.String("scenarios", "", "read scenario(s) as JSON from this `file`")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	var data []byte
	switch {
	case *inline != "" && *file != "":
		fmt.Fprintln(stderr, "xdssim: give -json or -scenarios, not both")
		return 2
	case *inline != "":
		data = []byte(*inline)
	case *file != "":
		var err error
		if data, err = os.ReadFile(*file); err != nil {
			fmt.Fprintf(stderr, "xdssim: %v\n", err)
			return 2
		}
	default:
		fmt.Fprintln(stderr, "xdssim: -json or -scenarios is required")
		return 2
	}
	list, err := parseScenarios(data)
	if err != nil {
		fmt.Fprintf(stderr, "xdssim: %v\n", err)
		return 2
	}
	results := make([]Result, 0, len(list))
	for _, s := range list {
		results = append(results, Run(s))
	}
	if err := json.NewEncoder(stdout).Encode(results); err != nil {
		fmt.Fprintf(stderr, "xdssim: write result: %v\n", err)
		return 1
	}
	return 0
}
