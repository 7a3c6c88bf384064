package workflow

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sync"
)

// Cache keeps checked, compiled definitions by the hash of their text, so that each stored version
// is parsed and its expressions compiled once however often runs read it. A version's text never
// changes, so entries never go stale; a new version has a new hash. The linter should resolve
// references against the server (a stored workflow names rulesets stored beside it).
type Cache struct {
	linter *Linter
	mu     sync.Mutex
	byHash map[string]*Definition
}

// NewCache returns a cache that compiles with l.
func NewCache(l *Linter) *Cache { return &Cache{linter: l, byHash: map[string]*Definition{}} }

// Get returns the compiled definition of one stored document's text.
func (c *Cache) Get(ctx context.Context, name string, text string) (*Definition, error) {
	sum := sha256.Sum256([]byte(text))
	key := hex.EncodeToString(sum[:])
	c.mu.Lock()
	defer c.mu.Unlock()
	if d, ok := c.byHash[key]; ok {
		return d, nil
	}
	defs, diags := c.linter.Lint(ctx, []Source{{File: name, Content: []byte(text)}})
	if HasErrors(diags) {
		return nil, fmt.Errorf("%s does not compile: %s", name, diags[0])
	}
	if len(defs) != 1 {
		return nil, fmt.Errorf("%s holds %d definitions, not one", name, len(defs))
	}
	c.byHash[key] = defs[0]
	return defs[0], nil
}
