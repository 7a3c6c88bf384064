package store

import "strings"

// positional rewrites a statement's $N parameters as ?, for SQLite. The store's statements are written
// with $N for both databases, but SQLite treats $N as a named parameter: the driver looks up each
// parameter's name as it binds it (a walk of the statement's name list, for every parameter: quadratic
// in their number, and a batch insert has hundreds), and SQLite looks up each name as it parses. Bare ?
// parameters have no names, and bind by position. That was about 5 % of the single writer's CPU.
//
// order gives, for each ? in turn, the index of the argument it takes (a $N used twice, or out of
// order, becomes two ?s and takes its argument twice); nil when that is every argument once, in order.
// A text that already has a ?, or no parameter at all, is returned as it is. Quoted text ('…', "…")
// and comments are left alone: a JSON path '$.x' is no parameter.
func positional(q string) (string, []int) {
	var out []byte
	var order []int
	inOrder := true
	last := 0 // where the text not yet copied to out starts
	for i := 0; i < len(q); i++ {
		switch c := q[i]; {
		case c == '\'' || c == '"':
			if j := indexFrom(q, i+1, c); j >= 0 {
				i = j
			} else {
				i = len(q)
			}
		case c == '-' && i+1 < len(q) && q[i+1] == '-':
			if j := indexFrom(q, i, '\n'); j >= 0 {
				i = j
			} else {
				i = len(q)
			}
		case c == '?':
			return q, nil
		case c == '$' && i+1 < len(q) && isDigit(q[i+1]):
			j, n := i+1, 0
			for ; j < len(q) && isDigit(q[j]); j++ {
				n = n*10 + int(q[j]-'0')
			}
			if n == 0 {
				return q, nil
			}
			out = append(out, q[last:i]...)
			out = append(out, '?')
			order = append(order, n-1)
			inOrder = inOrder && n == len(order)
			last, i = j, j-1
		}
	}
	if order == nil {
		return q, nil
	}
	out = append(out, q[last:]...)
	if inOrder {
		order = nil
	}
	return string(out), order
}

// indexFrom is the index of the first c in q at or after from, or -1. A quote doubled inside quoted
// text is two quoted texts back to back, which scanning them one after the other handles.
func indexFrom(q string, from int, c byte) int {
	if j := strings.IndexByte(q[from:], c); j >= 0 {
		return from + j
	}
	return -1
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// arrange returns args in the order order gives (see positional); args itself when order is nil, or
// when an argument is missing (the driver then reports the count).
func arrange(args []any, order []int) []any {
	if order == nil {
		return args
	}
	out := make([]any, len(order))
	for i, k := range order {
		if k >= len(args) {
			return args
		}
		out[i] = args[k]
	}
	return out
}
