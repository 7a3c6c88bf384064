package web

import (
	"testing"

	"github.com/salesflow/salesflow/internal/records"
)

func TestNumber(t *testing.T) {
	for in, want := range map[float64]string{0: "0", 42000: "42,000", 6.3e6: "6,300,000", -1234.5: "-1,234.5", 999: "999",
		1000: "1,000", 0.126: "0.13", 0.999: "1", 1999.996: "2,000", 3.14159: "3.14", 1e15: "1,000,000,000,000,000", 12.1: "12.1"} {
		if got := number(in); got != want {
			t.Errorf("number(%v) = %q, want %q", in, got, want)
		}
	}
}

func TestChangeValues(t *testing.T) {
	n := &names{cache: map[string]string{"user/u1": "Sam Rep"}}
	for _, c := range []struct {
		f    records.Field
		v    any
		want string
	}{
		{records.Field{Type: records.DateTime}, "2026-11-26T11:11:21.705780Z", "2026-11-26 11:11 UTC"},
		{records.Field{Type: records.Ref, Ref: "user"}, "u1", "Sam Rep"},
		{records.Field{Type: records.Number}, 6.3e6, "6,300,000"},
		{records.Field{Type: records.String}, nil, "∅"},
		{records.Field{Type: records.String}, "2026-11-26T11:11:21Z", "2026-11-26T11:11:21Z"},
	} {
		if got := n.value(c.f, c.v); got != c.want {
			t.Errorf("value(%v, %v) = %q, want %q", c.f.Type, c.v, got, c.want)
		}
	}
}

func TestOmittedNote(t *testing.T) {
	if got := omittedNote(0); got != "" {
		t.Fatalf("nothing left out: %q", got)
	}
	want := "1,234 more open tasks are not shown: this list has the 1,000 soonest due of each queue. Work these down, or spread the queue."
	if got := omittedNote(1234); got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
}
