package main

import "testing"

// The next day's note says how idle the machine was during the run: the
// idle share of the ticks that passed, not of all ticks since boot.
func TestIdleShareCountsOnlyTheRun(t *testing.T) {
	for _, c := range []struct {
		name        string
		since, then machineTicks
		want        float64
	}{
		{"saturated", machineTicks{busy: 1000, idle: 9000}, machineTicks{busy: 1200, idle: 9000}, 0},
		{"half", machineTicks{busy: 1000, idle: 9000}, machineTicks{busy: 1100, idle: 9100}, 0.5},
		{"idle", machineTicks{busy: 1000, idle: 0}, machineTicks{busy: 1000, idle: 50}, 1},
		{"no tick passed", machineTicks{busy: 10, idle: 10}, machineTicks{busy: 10, idle: 10}, 0},
	} {
		if got := c.then.idleShare(c.since); got != c.want {
			t.Errorf("%s: idle share = %v, want %v", c.name, got, c.want)
		}
	}
	if m := readMachineTicks(); m.busy <= 0 || m.idle < 0 {
		t.Errorf("/proc/stat read as %+v", m)
	}
}
