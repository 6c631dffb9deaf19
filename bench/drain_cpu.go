package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// drainCPU is the CPU each side of the send measurement used during one
// drain: relance's process, the PostgreSQL cluster (the postmaster and every
// backend, those that exited included) and the bench process, which runs the
// SMTP sink. On a machine where the drain is CPU-bound, the rate follows
// their sum a message, not any one round trip.
type drainCPU struct{ relance, postgres, sink time.Duration }

// cpuMark is the cluster's and the bench process's CPU at one instant.
type cpuMark struct{ postgres, self time.Duration }

// clockTick is Linux's USER_HZ, the unit of /proc/PID/stat's times.
const clockTick = 10 * time.Millisecond

// markCPU reads the cluster's CPU (the data directory's postmaster.pid
// names the postmaster) and the bench process's own.
func markCPU(dataDir string) (cpuMark, error) {
	var m cpuMark
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return m, err
	}
	m.self = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	raw, err := os.ReadFile(filepath.Join(dataDir, "postmaster.pid"))
	if err != nil {
		return m, err
	}
	first, _, _ := strings.Cut(string(raw), "\n")
	pid, err := strconv.Atoi(strings.TrimSpace(first))
	if err != nil {
		return m, fmt.Errorf("postmaster.pid: %w", err)
	}
	// The postmaster with its exited children, then the live ones.
	ticks, _, err := procTicks(pid, true)
	if err != nil {
		return m, err
	}
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return m, err
	}
	for _, e := range entries {
		child, err := strconv.Atoi(e.Name())
		if err != nil || child == pid {
			continue
		}
		t, ppid, err := procTicks(child, false)
		if err == nil && ppid == pid {
			ticks += t
		}
	}
	m.postgres = time.Duration(ticks) * clockTick
	return m, nil
}

// procTicks returns a process's user and system time in clock ticks (with
// its waited-for children's when children is set) and its parent's pid.
func procTicks(pid int, children bool) (ticks int64, ppid int, err error) {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, 0, err
	}
	// The command name, in parentheses, may hold spaces: fields follow the
	// last ")". Then: state ppid … utime(14) stime(15) cutime(16) cstime(17).
	i := strings.LastIndexByte(string(raw), ')')
	if i < 0 {
		return 0, 0, fmt.Errorf("/proc/%d/stat: no command", pid)
	}
	f := strings.Fields(string(raw[i+1:]))
	if len(f) < 15 {
		return 0, 0, fmt.Errorf("/proc/%d/stat: %d fields", pid, len(f))
	}
	field := func(n int) int64 { v, _ := strconv.ParseInt(f[n-3], 10, 64); return v }
	ppid = int(field(4))
	ticks = field(14) + field(15)
	if children {
		ticks += field(16) + field(17)
	}
	return ticks, ppid, nil
}

// perMessage formats a CPU time spread over n messages in milliseconds.
func perMessage(d time.Duration, n int) string {
	return fmt.Sprintf("%.2f ms", d.Seconds()*1000/float64(n))
}

// medianOf is the median of one side's CPU over the runs.
func medianOf(cpus []drainCPU, side func(drainCPU) time.Duration) time.Duration {
	ds := make([]time.Duration, len(cpus))
	for i, c := range cpus {
		ds[i] = side(c)
	}
	return median(ds)
}
