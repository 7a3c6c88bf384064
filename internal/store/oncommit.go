package store

// OnCommit runs f once the transaction has committed; not if it rolls back, nor if the savepoint
// open when f was given is rolled back. For what must not happen twice when a write is undone and
// done again: a metric counted in a segment that rolls back, and then runs again, counts once.
func (t *Tx) OnCommit(f func()) { t.hooks = append(t.hooks, f) }

// Remember keeps v under key for the rest of the transaction (Recall), unless the savepoint open when
// it was kept is rolled back: for what the transaction built from what it read (a compiled program),
// which a cache shared by all transactions may take only once it commits (OnCommit).
func (t *Tx) Remember(key string, v any) { t.memo = append(t.memo, memoEntry{key: key, v: v}) }

// Recall returns what Remember kept under key.
func (t *Tx) Recall(key string) (any, bool) {
	for i := len(t.memo) - 1; i >= 0; i-- {
		if t.memo[i].key == key {
			return t.memo[i].v, true
		}
	}
	return nil, false
}

type memoEntry struct {
	key string
	v   any
}

// savepointMark is an open savepoint and how many hooks and memos were given before it.
type savepointMark struct {
	name        string
	hooks, memo int
}

func (t *Tx) markSavepoint(name string) {
	t.marks = append(t.marks, savepointMark{name: name, hooks: len(t.hooks), memo: len(t.memo)})
}

// rolledBackTo drops the hooks and memos given since the newest savepoint called name (it stays open).
func (t *Tx) rolledBackTo(name string) {
	for i := len(t.marks) - 1; i >= 0; i-- {
		if t.marks[i].name == name {
			t.hooks, t.memo = t.hooks[:t.marks[i].hooks], t.memo[:t.marks[i].memo]
			t.marks = t.marks[:i+1]
			return
		}
	}
}

// released forgets the newest savepoint called name and those opened after it; their hooks stay.
func (t *Tx) released(name string) {
	for i := len(t.marks) - 1; i >= 0; i-- {
		if t.marks[i].name == name {
			t.marks = t.marks[:i]
			return
		}
	}
}

// committed runs the hooks, once the transaction has committed.
func (t *Tx) committed() {
	for _, f := range t.hooks {
		f()
	}
	t.hooks = nil
}
