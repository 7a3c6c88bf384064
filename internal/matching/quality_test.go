package matching

import (
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// labelledPair is one row of testdata/company_pairs.csv: two names and whether a sales-ops
// person would call them the same company.
type labelledPair struct {
	a, b string
	same bool
}

// loadPairs reads the hand-labelled pairs. The labels were written before the measure was
// tuned and say what a person would decide, not what the measure can do.
func loadPairs(path string) ([]labelledPair, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open pairs: %w", err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if len(rows) == 0 || fmt.Sprint(rows[0]) != "[a b same]" {
		return nil, fmt.Errorf("%s: want header a,b,same", path)
	}
	pairs := make([]labelledPair, 0, len(rows)-1)
	for i, r := range rows[1:] {
		switch r[2] {
		case "0", "1":
		default:
			return nil, fmt.Errorf("%s line %d: same is %q, want 0 or 1", path, i+2, r[2])
		}
		pairs = append(pairs, labelledPair{a: r[0], b: r[1], same: r[2] == "1"})
	}
	return pairs, nil
}

// TestNameQuality measures NameSimilarity at DefaultMin against the labelled pairs. Precision
// matters more than recall: a false match attaches a lead to someone else's account, a missed
// one only leaves it for a human to route.
func TestNameQuality(t *testing.T) {
	t.Parallel()
	pairs, err := loadPairs(filepath.Join("testdata", "company_pairs.csv"))
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(pairs), 80)

	var tp, fp, fn int
	for _, p := range pairs {
		s := NameSimilarity(p.a, p.b)
		got := s >= DefaultMin
		switch {
		case got && p.same:
			tp++
		case got && !p.same:
			fp++
			t.Logf("false match %.2f: %q ~ %q", s, p.a, p.b)
		case !got && p.same:
			fn++
			t.Logf("missed      %.2f: %q ~ %q", s, p.a, p.b)
		}
	}
	precision := float64(tp) / float64(max(tp+fp, 1))
	recall := float64(tp) / float64(max(tp+fn, 1))
	t.Logf("precision %.2f recall %.2f over %d pairs", precision, recall, len(pairs))
	require.GreaterOrEqual(t, precision, 0.9)
	require.GreaterOrEqual(t, recall, 0.8)
}
