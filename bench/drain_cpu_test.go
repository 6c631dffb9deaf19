package main

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

// The drain's CPU is read from /proc: this process's own line names its
// parent, and a data directory's postmaster.pid naming this process counts
// it as the cluster.
func TestDrainCPUReadsProc(t *testing.T) {
	_, ppid, err := procTicks(os.Getpid(), true)
	if err != nil {
		t.Fatal(err)
	}
	if ppid != os.Getppid() {
		t.Errorf("parent = %d, want %d", ppid, os.Getppid())
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "postmaster.pid"), []byte(strconv.Itoa(os.Getpid())+"\n"+dir+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := markCPU(dir); err != nil {
		t.Fatal(err)
	}
	if _, err := markCPU(t.TempDir()); err == nil {
		t.Error("markCPU without postmaster.pid: no error")
	}
}
