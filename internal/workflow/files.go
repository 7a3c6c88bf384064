package workflow

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// definitionExts are the files read from a directory.
var definitionExts = []string{".yaml", ".yml", ".json"}

// ReadSources reads the definition files named by paths, for lint and apply alike: files as given,
// directories walked for *.yaml, *.yml and *.json (skipping hidden directories such as .git), each
// file once, in sorted order so that output and applies are repeatable.
func ReadSources(paths []string) ([]Source, error) {
	var names []string
	for _, p := range paths {
		info, err := os.Stat(p)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", p, err)
		}
		if !info.IsDir() {
			names = append(names, p)
			continue
		}
		var found []string
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() && path != p && strings.HasPrefix(d.Name(), ".") {
				return filepath.SkipDir
			}
			if d.Type().IsRegular() && slices.Contains(definitionExts, strings.ToLower(filepath.Ext(path))) {
				found = append(found, path)
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("walk %s: %w", p, err)
		}
		if len(found) == 0 {
			return nil, fmt.Errorf("%s holds no *.yaml, *.yml or *.json file", p)
		}
		slices.Sort(found)
		names = append(names, found...)
	}
	var out []Source
	seen := map[string]bool{}
	for _, n := range names {
		n = filepath.ToSlash(filepath.Clean(n))
		if seen[n] {
			continue
		}
		seen[n] = true
		b, err := os.ReadFile(n)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", n, err)
		}
		out = append(out, Source{File: n, Content: b})
	}
	return out, nil
}
