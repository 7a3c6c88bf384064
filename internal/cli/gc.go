package cli

import (
	"log/slog"
	"runtime/debug"
)

// serveGCPercent is the garbage collector's target for serve and worker when GOGC is not set. The
// engine's single writer runs every transaction in turn, and with Go's default (GOGC=100) a tenth of
// its time went to collection assists: collecting at five times the live heap instead of twice gave
// 10–13 % more leads/s and 13 % less CPU in `salesflow bench`, for about 20 MiB more memory
// (docs/performance.md). The live heap is small (records live in the database, caches are bounded).
// No memory limit is set with it: near a limit Go collects far more often, which would cost more than
// the default does on a server whose live heap grows toward that limit.
const serveGCPercent = 400

// tuneGC applies serveGCPercent unless the operator chose through GOGC, and returns what it set (-1:
// left as it was).
func tuneGC(getenv func(string) string, log *slog.Logger) int {
	if getenv("GOGC") != "" {
		return -1
	}
	debug.SetGCPercent(serveGCPercent)
	log.Debug("garbage collection at GOGC=400 (set GOGC to choose)")
	return serveGCPercent
}
