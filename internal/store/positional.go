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
// params is how many arguments the statement takes. Quoted text ('…', "…") and -- comments are skipped:
// a JSON path '$.x' is no parameter. A text this scan might misread is returned as it is, to run with
// its named parameters: one with a ?, a /* comment, a bracketed or backquoted name, a ; (a second
// statement would number its ?s afresh), a $ inside a name, or parameters that skip a number.
func positional(q string) (text string, order []int, params int) {
	var out []byte
	inOrder := true
	last := 0 // where the text not yet copied to out starts
	for i := 0; i < len(q); i++ {
		switch c := q[i]; {
		case c == '\'' || c == '"':
			if i = indexFrom(q, i+1, c); i < 0 {
				return q, nil, 0
			}
		case c == '-' && i+1 < len(q) && q[i+1] == '-':
			if i = indexFrom(q, i, '\n'); i < 0 {
				i = len(q)
			}
		case c == '?' || c == '`' || c == '[' || c == ';' || (c == '/' && i+1 < len(q) && q[i+1] == '*'):
			return q, nil, 0
		case c == '$':
			j, n := i+1, 0
			for ; j < len(q) && isDigit(q[j]); j++ {
				n = n*10 + int(q[j]-'0')
			}
			if n == 0 || (i > 0 && isNameByte(q[i-1])) || (j < len(q) && isNameByte(q[j])) {
				return q, nil, 0
			}
			out = append(out, q[last:i]...)
			out = append(out, '?')
			order = append(order, n-1)
			inOrder = inOrder && n == len(order)
			params = max(params, n)
			last, i = j, j-1
		}
	}
	if order == nil {
		return q, nil, 0
	}
	used := make([]bool, params)
	for _, k := range order {
		used[k] = true
	}
	for _, u := range used {
		if !u {
			return q, nil, 0
		}
	}
	out = append(out, q[last:]...)
	if inOrder {
		order = nil
	}
	return string(out), order, params
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

func isNameByte(c byte) bool {
	return c == '_' || c == '$' || isDigit(c) || (c|0x20 >= 'a' && c|0x20 <= 'z') || c >= 0x80
}

// arrange returns args in the order order gives (see positional), and false when they are not the
// params arguments the statement takes: the text is then run as written, and the driver names what is
// missing or extra.
func arrange(args []any, order []int, params int) ([]any, bool) {
	if len(args) != params {
		return args, false
	}
	if order == nil {
		return args, true
	}
	out := make([]any, len(order))
	for i, k := range order {
		out[i] = args[k]
	}
	return out, true
}
