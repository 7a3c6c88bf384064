package engine

import "testing"

// TestRedactedHidesPasswordsOnly: a call's URL goes into the run's history with any password in it
// replaced; the rest (host, path, query) stays for whoever traces the call.
func TestRedactedHidesPasswordsOnly(t *testing.T) {
	for in, want := range map[string]string{
		"https://crm.example.com/hook?src=sf":        "https://crm.example.com/hook?src=sf",
		"https://bot:s3cret@crm.example.com/hook":    "https://bot:xxxxx@crm.example.com/hook",
		"https://bot@crm.example.com/hook":           "https://bot@crm.example.com/hook",
		"http://bot:s3cret@crm.example.com/%zz/hook": "(a URL that does not parse)",
	} {
		if got := redacted(in); got != want {
			t.Errorf("redacted(%q) = %q, want %q", in, got, want)
		}
	}
}
