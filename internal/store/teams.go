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

// SameTeam reports whether two users are on the same team.
func (t *Tx) SameTeam(ctx context.Context, a, b string) (bool, error) {
	var n int
	err := t.queryRow(ctx, `SELECT COUNT(*) FROM users x JOIN users y ON x.team_id = y.team_id WHERE x.id = $1 AND y.id = $2`, a, b).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("team membership: %w", err)
	}
	return n > 0, nil
}

// TeamUserIDs lists the ids of a team's members, by the team's id.
func (t *Tx) TeamUserIDs(ctx context.Context, teamID string) ([]string, error) {
	rows, err := t.query(ctx, `SELECT id FROM users WHERE team_id = $1 ORDER BY id`, teamID)
	if err != nil {
		return nil, fmt.Errorf("team members: %w", err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// InTeamNamed reports whether a user is on, or manages, the team with this name.
func (t *Tx) InTeamNamed(ctx context.Context, userID, team string) (bool, error) {
	var n int
	err := t.queryRow(ctx, `SELECT COUNT(*) FROM teams tm LEFT JOIN users u ON u.team_id = tm.id AND u.id = $1
		WHERE tm.name = $2 AND (u.id IS NOT NULL OR tm.manager_id = $1)`, userID, team).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("team membership: %w", err)
	}
	return n > 0, nil
}
