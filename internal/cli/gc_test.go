package cli

import (
	"log/slog"
	"runtime/debug"
	"testing"
)

func TestTuneGCKeepsTheOperatorsChoice(t *testing.T) {
	old := debug.SetGCPercent(100)
	t.Cleanup(func() { debug.SetGCPercent(old) })

	if got := tuneGC(func(string) string { return "" }, slog.New(slog.DiscardHandler)); got != serveGCPercent {
		t.Fatalf("with GOGC unset: set %d, want %d", got, serveGCPercent)
	}
	if got := debug.SetGCPercent(100); got != serveGCPercent {
		t.Errorf("GC percent in effect: %d, want %d", got, serveGCPercent)
	}

	env := map[string]string{"GOGC": "150"}
	if got := tuneGC(func(k string) string { return env[k] }, slog.New(slog.DiscardHandler)); got != -1 {
		t.Fatalf("with GOGC set: set %d, want it left alone (-1)", got)
	}
	if got := debug.SetGCPercent(100); got != 100 {
		t.Errorf("GC percent changed to %d though GOGC was set", got)
	}
}
