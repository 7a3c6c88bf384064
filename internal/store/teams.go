package store

import (
	"context"
	"fmt"
)

// Manages reports whether userID is a member of a team that managerID manages.
func (t *Tx) Manages(ctx context.Context, managerID, userID string) (bool, error) {
	var n int
	err := t.queryRow(ctx, `SELECT COUNT(*) FROM users u JOIN teams tm ON u.team_id = tm.id
		WHERE tm.manager_id = $1 AND u.id = $2`, managerID, userID).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("team membership: %w", err)
	}
	return n > 0, nil
}
