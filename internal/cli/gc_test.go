package cli

import (
	"runtime/debug"
	"testing"
)

func TestTuneGCKeepsTheOperatorsChoice(t *testing.T) {
	oldPct, oldLimit := debug.SetGCPercent(100), debug.SetMemoryLimit(-1)
	t.Cleanup(func() { debug.SetGCPercent(oldPct); debug.SetMemoryLimit(oldLimit) })

	pct, limit := tuneGC(func(string) string { return "" })
	if pct != serveGCPercent || limit != serveMemoryLimit {
		t.Fatalf("with nothing set: got %d, %d; want %d, %d", pct, limit, serveGCPercent, serveMemoryLimit)
	}
	if got := debug.SetGCPercent(100); got != serveGCPercent {
		t.Errorf("GC percent in effect: %d, want %d", got, serveGCPercent)
	}
	if got := debug.SetMemoryLimit(-1); got != serveMemoryLimit {
		t.Errorf("memory limit in effect: %d, want %d", got, serveMemoryLimit)
	}

	debug.SetGCPercent(100)
	env := map[string]string{"GOGC": "150", "GOMEMLIMIT": "300MiB"}
	pct, limit = tuneGC(func(k string) string { return env[k] })
	if pct != -1 || limit != -1 {
		t.Fatalf("with GOGC and GOMEMLIMIT set: got %d, %d; want both left alone (-1)", pct, limit)
	}
	if got := debug.SetGCPercent(100); got != 100 {
		t.Errorf("GC percent changed to %d though GOGC was set", got)
	}
}
