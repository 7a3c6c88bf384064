package bizcal

import (
	"testing"
	"time"
)

func benchCal(b *testing.B) *Calendar {
	b.Helper()
	return mustCal(b, mustLoc(b, "Europe/Berlin"), map[string]string{"mon-fri": "09:00-12:00,13:00-17:30"},
		"2026-12-24", "2026-12-25", "2026-12-31", "2027-01-01")
}

func BenchmarkIsOpen(b *testing.B) {
	c := benchCal(b)
	t := time.Date(2026, 12, 23, 10, 0, 0, 0, time.UTC)
	for b.Loop() {
		c.IsOpen(t)
	}
}

func BenchmarkAddBusinessHours4(b *testing.B) {
	c := benchCal(b)
	t := time.Date(2026, 12, 23, 15, 0, 0, 0, time.UTC)
	for b.Loop() {
		c.AddBusinessHours(t, 4)
	}
}

func BenchmarkAddBusinessDays2(b *testing.B) {
	c := benchCal(b)
	t := time.Date(2026, 12, 23, 15, 0, 0, 0, time.UTC)
	for b.Loop() {
		c.AddBusinessDays(t, 2)
	}
}

func BenchmarkBusinessHoursBetweenMonth(b *testing.B) {
	c := benchCal(b)
	a := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	for b.Loop() {
		c.BusinessHoursBetween(a, a.AddDate(0, 1, 0))
	}
}
