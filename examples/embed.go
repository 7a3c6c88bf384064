// Package examples holds the example definitions: workflows, routing rulesets, a scoring model, a
// contact policy with its calendar, and email templates. `serve --demo` applies the ones this build
// can run; the definitions tests apply all of them to the demo organisation.
package examples

import "embed"

// Files are the example definition files.
//
//go:embed *.yaml
var Files embed.FS
