package switchboard_test

import (
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/switchboard-cc/switchboard"

// allowed is the import graph of doc.go: what each package may import from
// the module outside its tests.
var allowed = map[string][]string{
	".": {"internal/enumtext"},
	// The wire texts of enums, shared by every package that has some.
	"internal/enumtext": nil,
	"compliance":        {"."},
	"attachment":        {".", "compliance"},
	"routing":           {".", "internal/enumtext"},
	"session":           {".", "internal/enumtext"},
	"engine":            {".", "routing", "session", "compliance", "attachment", "conference", "transfer"},
	"conference":        {".", "routing", "session", "internal/enumtext"},
	"transfer":          {".", "routing", "session"},
	"stats":             {".", "routing", "session"},
	// The otel module (its own go.mod) exports statistics and traces.
	"otel": {"routing", "stats", "engine"},
	// Test support, imported only by tests.
	"internal/desktest": {".", "routing", "session", "engine", "routing/routingmem", "session/sessionmem"},
	// The policy-test kit: an engine over in-memory stores, for hosts' tests.
	"engine/enginetest": {".", "routing", "session", "engine", "routing/routingmem", "session/sessionmem"},
	// The PostgreSQL adapter, a module of its own.
	"pgstore": {".", "routing", "session"},
}

// TestImportGraph enforces the layering written in doc.go: domain packages
// import only the packages below them, never an in-memory implementation or
// a conformance suite; those may import the package they implement.
func TestImportGraph(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		dir := filepath.ToSlash(filepath.Dir(path))
		if strings.HasPrefix(dir, "examples") {
			return nil // programs may import anything
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		seen[dir] = true
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			if p != module && !strings.HasPrefix(p, module+"/") {
				continue
			}
			target := strings.TrimPrefix(strings.TrimPrefix(p, module), "/")
			if target == "" {
				target = "."
			}
			if ok, known := allowedImport(dir, target); !known {
				t.Errorf("%s: package %s is not in the import graph of doc.go", path, dir)
			} else if !ok {
				t.Errorf("%s imports %s, which doc.go does not allow", path, target)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for pkg := range allowed {
		if !seen[pkg] {
			t.Errorf("package %s of the graph has no source", pkg)
		}
	}
}

// allowedImport reports whether package dir may import target, and whether
// dir is a package the graph knows.
func allowedImport(dir, target string) (ok, known bool) {
	if deps, found := allowed[dir]; found {
		return slices.Contains(deps, target), true
	}
	// A "mem" or "test" package below a domain package may import that
	// package and what it may import, plus the domain package's mem package.
	parent := filepath.ToSlash(filepath.Dir(dir))
	base := filepath.Base(dir)
	if deps, found := allowed[parent]; found && (strings.HasSuffix(base, "mem") || strings.HasSuffix(base, "test")) {
		return target == parent || slices.Contains(deps, target) ||
			strings.HasSuffix(base, "test") && target == parent+"/"+strings.TrimSuffix(base, "test")+"mem", true
	}
	return false, false
}
