package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"time"
)

// Case is what one fault case of the suite measured. The fault tests append
// one as a JSON line to the file named by their -report flag; this command
// reads them back into RELIABILITY.md.
type Case struct {
	Order  int            `json:"order"` // its row in RELIABILITY.md, in the order of issue 10's list
	Name   string         `json:"name"`
	Faults map[string]int `json:"faults"` // fault injected → how many times
	// Due is the messages the ledger decided; Delivered those the relay
	// accepted (distinct Message-IDs); Refused those refused for good on the
	// client's own address (bounced, as they should be); Lost = Due −
	// Delivered − Refused.
	Due, Delivered, Refused, Lost int
	Duplicates                    []Duplicate `json:"duplicates"` // every extra copy, explained
	Crashes                       int         `json:"crashes"`    // relance processes that panicked
	Notes                         []string    `json:"notes"`      // what else was checked, measured
	Elapsed                       Duration    `json:"elapsed"`
}

// Duplicate is one message the relay accepted more than once, with why.
type Duplicate struct {
	MessageID   string `json:"message_id"`
	Copies      int    `json:"copies"`
	Explanation string `json:"explanation"`
}

// Duration marshals as text ("1m30s").
type Duration time.Duration

func (d Duration) MarshalJSON() ([]byte, error) {
	return json.Marshal(time.Duration(d).Round(time.Second).String())
}

func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	v, err := time.ParseDuration(s)
	*d = Duration(v)
	return err
}

// appendCase appends c to the JSON-lines file at path.
func appendCase(path string, c Case) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	defer f.Close()
	return json.NewEncoder(f).Encode(c)
}

// readCases reads the JSON-lines file at path.
func readCases(path string) ([]Case, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []Case
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		var c Case
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		out = append(out, c)
	}
	return out, sc.Err()
}

// Hostile is what the hostile-input tests (TestHostile*) did.
type Hostile struct {
	Package string
	Inputs  int // leaf tests passed: one hostile input each
	Failed  []string
	Panics  int
	Elapsed time.Duration
}

// Fuzz is one fuzz target's run.
type Fuzz struct {
	Package, Target string
	Time            time.Duration
	OK              bool
	Detail          string // the failure, when not OK
}

// Run is everything one `make reliability` measured.
type Run struct {
	At       time.Time
	Took     time.Duration
	Cases    []Case
	Hostile  []Hostile
	Fuzz     []Fuzz
	Failures []string // whatever did not pass
}

// Crashes is every panic: in relance processes, hostile-input tests, fuzz targets.
func (r Run) Crashes() int {
	n := 0
	for _, c := range r.Cases {
		n += c.Crashes
	}
	for _, h := range r.Hostile {
		n += h.Panics
	}
	for _, f := range r.Fuzz {
		if !f.OK {
			n++
		}
	}
	return n
}

// write renders RELIABILITY.md: one table, then each duplicate explained.
func (r Run) write(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "# relance reliability\n\nWritten by `make reliability` on %s in %s: the fault suite's long variants against the built\n",
		r.At.UTC().Format("2006-01-02 15:04 UTC"), r.Took.Round(time.Second))
	b.WriteString("`relance` binary, a private PostgreSQL and an SMTP server on loopback that fails on demand (`reliability/`), every\n")
	b.WriteString("`TestHostile*` test and every fuzz target. Lost must be 0 and crashes must be 0.\n\n")
	b.WriteString("| case | faults injected | messages due | delivered | refused (client's address) | duplicated | lost | crashes | time |\n")
	b.WriteString("|---|---|---|---|---|---|---|---|---|\n")
	sort.SliceStable(r.Cases, func(i, j int) bool { return r.Cases[i].Order < r.Cases[j].Order })
	var due, delivered, refused, dup, lost int
	for _, c := range r.Cases {
		n := 0
		for _, d := range c.Duplicates {
			n += d.Copies - 1
		}
		due, delivered, refused, dup, lost = due+c.Due, delivered+c.Delivered, refused+c.Refused, dup+n, lost+c.Lost
		fmt.Fprintf(&b, "| %s | %s | %d | %d | %d | %d | %d | %d | %s |\n", c.Name, faults(c.Faults), c.Due, c.Delivered, c.Refused, n, c.Lost, c.Crashes, time.Duration(c.Elapsed))
	}
	fmt.Fprintf(&b, "| **all fault cases** | | **%d** | **%d** | **%d** | **%d** | **%d** | | |\n", due, delivered, refused, dup, lost)
	inputs, hostileTime := 0, time.Duration(0)
	var hostilePkgs []string
	for _, h := range r.Hostile {
		inputs += h.Inputs
		hostileTime += h.Elapsed
		hostilePkgs = append(hostilePkgs, fmt.Sprintf("%s %d", h.Package, h.Inputs))
	}
	panics := 0
	for _, h := range r.Hostile {
		panics += h.Panics
	}
	if len(r.Hostile) == 0 {
		b.WriteString("| hostile inputs (`TestHostile*`) | none found in this checkout | | | | | | | |\n")
	} else {
		fmt.Fprintf(&b, "| hostile inputs (`TestHostile*`: %s) | %d inputs tried | | | | | | %d | %s |\n", strings.Join(hostilePkgs, ", "), inputs, panics, hostileTime.Round(time.Second))
	}
	for _, f := range r.Fuzz {
		crash := 0
		if !f.OK {
			crash = 1
		}
		fmt.Fprintf(&b, "| fuzzing `%s` (%s) | %s of fuzzing | | | | | | %d | %s |\n", f.Target, f.Package, f.Time, crash, f.Time)
	}
	fmt.Fprintf(&b, "| **crashes, all told** | | | | | | | **%d** | |\n", r.Crashes())
	b.WriteString("\n## What each case checked\n\n")
	for _, c := range r.Cases {
		fmt.Fprintf(&b, "- **%s**: %s\n", c.Name, strings.Join(c.Notes, "; "))
	}
	b.WriteString("\n## Every duplicate, explained\n\n")
	any := false
	for _, c := range r.Cases {
		for _, d := range c.Duplicates {
			any = true
			fmt.Fprintf(&b, "- %s: `%s` × %d — %s\n", c.Name, d.MessageID, d.Copies, d.Explanation)
		}
	}
	if !any {
		b.WriteString("None in this run.\n")
	}
	if len(r.Failures) > 0 {
		b.WriteString("\n## Failures\n\n")
		for _, f := range r.Failures {
			fmt.Fprintf(&b, "- %s\n", f)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// faults writes {kill -9: 20, …} sorted by name.
func faults(m map[string]int) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s × %d", k, m[k])
	}
	return strings.Join(parts, ", ")
}
