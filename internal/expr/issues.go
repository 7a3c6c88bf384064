package expr

import (
	"fmt"
	"slices"
)

// Issue is one problem found in an expression or template. Line and Col are 1-based and count
// characters (Unicode code points), relative to the text that was compiled; a linter adds the position
// where that text starts in its file.
type Issue struct {
	Line    int
	Col     int
	Message string
}

// String formats the issue as line:col: message.
func (i Issue) String() string { return fmt.Sprintf("%d:%d: %s", i.Line, i.Col, i.Message) }

// sortIssues orders issues by position, keeping the order of issues at the same place.
func sortIssues(issues []Issue) {
	slices.SortStableFunc(issues, func(a, b Issue) int {
		if a.Line != b.Line {
			return a.Line - b.Line
		}
		return a.Col - b.Col
	})
}

// suggest returns " (did you mean X?)" for the candidate closest to name, when one is close enough to
// be a likely typo, else "".
func suggest(name string, candidates []string) string {
	best, bestDist := "", -1
	for _, c := range candidates {
		d := editDistance(name, c)
		if bestDist < 0 || d < bestDist {
			best, bestDist = c, d
		}
	}
	if bestDist < 0 || bestDist == 0 || bestDist > typoBudget(name) {
		return ""
	}
	return fmt.Sprintf(" (did you mean %s?)", best)
}

// typoBudget is how many edits still look like a typo of a name this long.
func typoBudget(name string) int {
	switch n := len([]rune(name)); {
	case n <= 3:
		return 1
	case n <= 8:
		return 2
	default:
		return 3
	}
}

// editDistance is the optimal-string-alignment distance: insertions, deletions, substitutions and
// transpositions of neighbours each count one, so "scroe" is one edit from "score".
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	// Three rows suffice: the current one, the previous one, and the one before it for transpositions.
	prev2 := make([]int, len(rb)+1)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(rb)]
}
