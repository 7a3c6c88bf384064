package store

// OnCommit runs f once the transaction has committed; not if it rolls back, nor if the savepoint
// open when f was given is rolled back. For what must not happen twice when a write is undone and
// done again: a metric counted in a segment that rolls back, and then runs again, counts once.
func (t *Tx) OnCommit(f func()) { t.hooks = append(t.hooks, f) }

// savepointMark is an open savepoint and how many hooks were given before it.
type savepointMark struct {
	name  string
	hooks int
}

func (t *Tx) markSavepoint(name string) {
	t.marks = append(t.marks, savepointMark{name: name, hooks: len(t.hooks)})
}

// rolledBackTo drops the hooks given since the newest savepoint called name (it stays open).
func (t *Tx) rolledBackTo(name string) {
	for i := len(t.marks) - 1; i >= 0; i-- {
		if t.marks[i].name == name {
			t.hooks = t.hooks[:t.marks[i].hooks]
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
