// Command reliability is `make reliability`: it runs the long variants of
// the fault suite (this package's TestFault* tests with -long: kill -9 during
// the sweep and sending, replicas losing their leader, PostgreSQL restarting,
// SMTP failing at every stage, payments and disputes racing the sends), every
// TestHostile* test of the module, and every fuzz target for a set time, and
// writes RELIABILITY.md from what they measured.
//
// The fault tests also run in `make test`, in short variants.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

func main() {
	out := flag.String("out", "RELIABILITY.md", "the report to write")
	fuzztime := flag.Duration("fuzztime", 20*time.Second, "how long to fuzz each target")
	skipFaults := flag.Bool("skip-faults", false, "skip the fault suite (to try the report quickly)")
	flag.Parse()
	goBin := os.Getenv("GO")
	if goBin == "" {
		goBin = "go"
	}
	start := time.Now()
	run := Run{At: start}
	dir, err := os.MkdirTemp("", "relance-reliability-")
	if err != nil {
		fatal(err)
	}
	defer os.RemoveAll(dir)

	if !*skipFaults {
		report := filepath.Join(dir, "faults.jsonl")
		fmt.Println("== the fault suite, long variants")
		cmd := exec.Command(goBin, "test", "-count=1", "-timeout", "90m", "-v", "-run", "^TestFault", "./reliability",
			"-args", "-long", "-report", report)
		cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
		if err := cmd.Run(); err != nil {
			run.Failures = append(run.Failures, fmt.Sprintf("fault suite: %v (its output above)", err))
		}
		if run.Cases, err = readCases(report); err != nil {
			fatal(err)
		}
	}

	fmt.Println("== hostile inputs: every TestHostile*")
	hostile, fails, err := runHostile(goBin)
	if err != nil {
		fatal(err)
	}
	run.Hostile, run.Failures = hostile, append(run.Failures, fails...)

	fmt.Println("== fuzz targets,", *fuzztime, "each")
	if run.Fuzz, err = runFuzz(goBin, *fuzztime); err != nil {
		fatal(err)
	}
	for _, f := range run.Fuzz {
		if !f.OK {
			run.Failures = append(run.Failures, fmt.Sprintf("fuzz %s %s: %s", f.Package, f.Target, f.Detail))
		}
	}

	run.Took = time.Since(start)
	f, err := os.Create(*out)
	if err != nil {
		fatal(err)
	}
	if err := run.write(f); err != nil {
		fatal(err)
	}
	if err := f.Close(); err != nil {
		fatal(err)
	}
	fmt.Printf("wrote %s in %s: %d crashes, %d lost, %d failures\n", *out, run.Took.Round(time.Second), run.Crashes(), lost(run), len(run.Failures))
	if len(run.Failures) > 0 || run.Crashes() > 0 || lost(run) > 0 {
		os.Exit(1)
	}
}

func lost(r Run) int {
	n := 0
	for _, c := range r.Cases {
		n += c.Lost
	}
	return n
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "reliability:", err)
	os.Exit(1)
}

// testEvent is one line of `go test -json`.
type testEvent struct {
	Action  string
	Package string
	Test    string
	Elapsed float64
	Output  string
}

// runHostile runs every TestHostile* test of the module with -json and
// counts, per package, the leaf tests that passed (one hostile input each),
// those that failed, and the panics.
func runHostile(goBin string) ([]Hostile, []string, error) {
	cmd := exec.Command(goBin, "test", "-count=1", "-json", "-run", "^TestHostile", "./...")
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, nil, err
	}
	type result struct {
		pass    bool
		elapsed float64
	}
	results := map[string]map[string]result{} // package → test → result
	panics := map[string]int{}
	sc := bufio.NewScanner(stdout)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		var e testEvent
		if json.Unmarshal(sc.Bytes(), &e) != nil {
			continue
		}
		if strings.Contains(e.Output, "panic: ") && !strings.Contains(e.Output, "--- ") {
			panics[e.Package]++
		}
		if !strings.HasPrefix(e.Test, "TestHostile") || (e.Action != "pass" && e.Action != "fail") {
			continue
		}
		if results[e.Package] == nil {
			results[e.Package] = map[string]result{}
		}
		results[e.Package][e.Test] = result{e.Action == "pass", e.Elapsed}
	}
	waitErr := cmd.Wait()
	var out []Hostile
	var fails []string
	pkgs := make([]string, 0, len(results))
	for p := range results {
		pkgs = append(pkgs, p)
	}
	sort.Strings(pkgs)
	for _, p := range pkgs {
		h := Hostile{Package: strings.TrimPrefix(p, "github.com/relance/relance/"), Panics: panics[p]}
		for name, r := range results[p] {
			if !strings.Contains(name, "/") {
				h.Elapsed += time.Duration(r.elapsed * float64(time.Second))
			}
			if isLeaf(name, results[p]) {
				if r.pass {
					h.Inputs++
				} else {
					h.Failed = append(h.Failed, name)
					fails = append(fails, p+": "+name)
				}
			}
		}
		out = append(out, h)
	}
	if waitErr != nil && len(fails) == 0 {
		fails = append(fails, fmt.Sprintf("go test -run ^TestHostile: %v", waitErr))
	}
	return out, fails, nil
}

// isLeaf reports whether no other test is a subtest of name.
func isLeaf[V any](name string, all map[string]V) bool {
	for other := range all {
		if strings.HasPrefix(other, name+"/") {
			return false
		}
	}
	return true
}

// runFuzz finds every fuzz target with `go test -list` and fuzzes each for d.
func runFuzz(goBin string, d time.Duration) ([]Fuzz, error) {
	list, err := exec.Command(goBin, "list", "./...").Output()
	if err != nil {
		return nil, fmt.Errorf("go list: %w", err)
	}
	var out []Fuzz
	for _, pkg := range strings.Fields(string(list)) {
		names, err := exec.Command(goBin, "test", "-list", "^Fuzz", pkg).Output()
		if err != nil {
			return nil, fmt.Errorf("go test -list %s: %w", pkg, err)
		}
		for _, name := range strings.Fields(string(names)) {
			if !strings.HasPrefix(name, "Fuzz") {
				continue
			}
			short := strings.TrimPrefix(pkg, "github.com/relance/relance/")
			fmt.Printf("   %s %s\n", short, name)
			var buf bytes.Buffer
			cmd := exec.Command(goBin, "test", "-run", "^$", "-fuzz", "^"+name+"$", "-fuzztime", d.String(), pkg)
			cmd.Stdout, cmd.Stderr = io.MultiWriter(&buf), &buf
			err := cmd.Run()
			f := Fuzz{Package: short, Target: name, Time: d, OK: err == nil}
			if err != nil {
				f.Detail = lastLines(buf.String(), 15)
			}
			out = append(out, f)
		}
	}
	return out, nil
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, " | ")
}
