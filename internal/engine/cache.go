package engine

import (
	"fmt"
	"sync"

	"github.com/salesflow/salesflow/internal/store"
)

// built returns what *cache holds under key, else what this transaction built under it, else what
// build makes. What build makes is kept in the transaction at once, so that a second use in it does not
// build again, and in the cache shared by every transaction only once the transaction commits: a
// version read in a transaction that rolls back (an apply that failed after moving waiting runs) was
// never stored, and its number will be another text's.
func built[T any](tx *store.Tx, mu *sync.Mutex, cache *map[string]T, key string, build func() (T, error)) (T, error) {
	mu.Lock()
	v, ok := (*cache)[key]
	mu.Unlock()
	if ok {
		return v, nil
	}
	memo := fmt.Sprintf("%p/%s", cache, key) // this engine's: two engines may share a transaction (tests)
	if m, ok := tx.Recall(memo); ok {
		return m.(T), nil
	}
	v, err := build()
	if err != nil {
		return v, err
	}
	tx.Remember(memo, v)
	tx.OnCommit(func() {
		mu.Lock()
		if *cache == nil {
			*cache = map[string]T{}
		}
		(*cache)[key] = v
		mu.Unlock()
	})
	return v, nil
}
