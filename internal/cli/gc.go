package cli

import "runtime/debug"

// Garbage collection defaults for serve and worker, used when GOGC and GOMEMLIMIT are not set. The engine's
// single writer runs every transaction in turn, and with Go's default (GOGC=100) a tenth of its time
// went to collection assists: collecting at five times the live heap instead of twice gave 10–13 %
// more leads/s and 13 % less CPU in `salesflow bench`, for about 20 MiB more memory
// (docs/performance.md). The limit bounds what that trade may cost: near it, Go collects more often.
const (
	serveGCPercent   = 400
	serveMemoryLimit = 1 << 30 // 1 GiB
)

// tuneGC applies the collection defaults where the operator has not chosen their own through
// Go's GOGC and GOMEMLIMIT variables, and returns what it set (-1: left as it was).
func tuneGC(getenv func(string) string) (percent int, limit int64) {
	percent, limit = -1, -1
	if getenv("GOGC") == "" {
		percent = serveGCPercent
		debug.SetGCPercent(percent)
	}
	if getenv("GOMEMLIMIT") == "" {
		limit = serveMemoryLimit
		debug.SetMemoryLimit(limit)
	}
	return percent, limit
}
