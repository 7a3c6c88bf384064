package matching

import (
	"cmp"
	"fmt"
	"slices"
	"time"
)

// sortRanked orders scored candidates best first. Confidence decides; on equal confidence the
// account with more contacts wins (that is where the relationship lives), then one with an
// active owner (a lead routed to a departed rep is a lead lost), then the most recently
// updated (stale duplicates lose), then the lower ID, only so that the order never depends on
// the order the store returned rows in.
func sortRanked(s []Scored) {
	slices.SortStableFunc(s, func(a, b Scored) int {
		if c := cmp.Compare(b.Confidence, a.Confidence); c != 0 {
			return c
		}
		if c := cmp.Compare(b.Contacts, a.Contacts); c != 0 {
			return c
		}
		if a.OwnerActive != b.OwnerActive {
			if a.OwnerActive {
				return -1
			}
			return 1
		}
		if c := b.UpdatedAt.Compare(a.UpdatedAt); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
}

// tieBreak explains why win ranks above next when their confidences are equal: the first
// tie-breaker of sortRanked that separates them. It is "" when confidence alone decided, or
// nothing did.
func tieBreak(win, next Scored) string {
	switch {
	case win.Confidence != next.Confidence:
		return ""
	case win.Contacts != next.Contacts:
		return fmt.Sprintf("more contacts (%d vs %d)", win.Contacts, next.Contacts)
	case win.OwnerActive != next.OwnerActive:
		return "owner active (the other account's owner is not)"
	case !win.UpdatedAt.Equal(next.UpdatedAt):
		return fmt.Sprintf("more recently updated (%s vs %s)",
			win.UpdatedAt.UTC().Format(time.RFC3339), next.UpdatedAt.UTC().Format(time.RFC3339))
	case win.ID != next.ID:
		return fmt.Sprintf("lower ID (%s vs %s)", win.ID, next.ID)
	default:
		return "" // the same account twice: nothing was decided
	}
}
