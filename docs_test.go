package switchboard_test

import (
	"bufio"
	"cmp"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// catalogueFile is the behaviour catalogue, relative to the module root.
const catalogueFile = "docs/behaviours.md"

// TestBehaviourCatalogue keeps docs/behaviours.md and the code in step: every
// behaviour ID cited in the repository's Go files (the nested modules', such
// as adapters, included) has an entry in the catalogue,
// every entry is cited by at least one test, and every test the catalogue
// links to exists and cites the entry's ID.
func TestBehaviourCatalogue(t *testing.T) {
	t.Parallel()
	problems, err := checkCatalogue(".", true)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Error(p)
	}
}

// fixture is a small module tree with one mistake of each kind.
var fixture = filepath.Join("testdata", "catalogue")

// TestBehaviourCatalogueReports runs the check over the fixture and requires
// each mistake to be reported, and nothing else: Go files in testdata and
// hidden directories and in nested modules are not read.
func TestBehaviourCatalogueReports(t *testing.T) {
	t.Parallel()
	problems, err := checkCatalogue(fixture, false)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"a.go:2: cites X1, which docs/behaviours.md does not list",
		"a.go:2: malformed range X2-Y3",
		"docs/behaviours.md:7: X2 has no test citing it",
		"docs/behaviours.md:9: X2 links TestPlain, which does not cite X2",
		"docs/behaviours.md:15: X3 is listed twice",
		"docs/behaviours.md:19: X4 links ../gone_test.go, which does not exist",
		"docs/behaviours.md:20: X4 links TestGone, which ../forms_test.go does not define",
		"docs/behaviours.md:20: X4 links TestRange, which does not cite X4",
		"docs/behaviours.md:22: X5 links no test",
		"docs/behaviours.md:40: X10 has no test citing it",
		"docs/behaviours.md:42: X10 links TestPlain, which does not cite X10",
		"forms_test.go:40: malformed range X8-X6",
		"forms_test.go:41: cites Z1, which docs/behaviours.md does not list",
	}
	if !slices.Equal(problems, want) {
		t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(problems, "\n"), strings.Join(want, "\n"))
	}
}

// TestCitationForms pins the ways a citation is written: in a function's
// doc comment or body, in lists, ranges and slashes, broken over comment
// lines, in a string, and in a test's name.
func TestCitationForms(t *testing.T) {
	t.Parallel()
	f, _, err := readSource(filepath.Join(fixture, "forms_test.go"), "forms_test.go")
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][]string{}
	for _, c := range f.cites {
		got[c.fn] = append(got[c.fn], c.id)
	}
	want := map[string][]string{
		"TestPlain":             {"X3"},
		"TestList":              {"X3", "X4"},
		"TestSlash":             {"X4", "X5"},
		"TestAnd":               {"X5", "X6"},
		"TestRange":             {"X6", "X7", "X8"},
		"TestHyphen":            {"X6", "X7", "X8"},
		"TestTwo":               {"X3", "X4"},
		"TestBroken":            {"X5", "X6"},
		"TestSPEC_X9_X3_byName": {"X9", "X3"},
		"TestString":            {"X7"},
		"TestBad":               {"Z1"},
	}
	for fn, ids := range want {
		if !slices.Equal(got[fn], ids) {
			t.Errorf("%s cites %q, want %q", fn, got[fn], ids)
		}
	}
	for fn, ids := range got {
		if want[fn] == nil {
			t.Errorf("%s cites %q, want nothing", fn, ids)
		}
	}
}

// citation is one behaviour ID cited in a Go file.
type citation struct {
	id   string
	file string // slash-separated, relative to the root
	line int
	fn   string // the top-level function it is in or documents; "" if none
}

// sourceFile is what the check needs of one Go file: its citations and the
// functions it defines.
type sourceFile struct {
	cites []citation
	funcs map[string]bool
}

// entry is one behaviour of the catalogue.
type entry struct {
	id    string
	line  int
	links []link
}

// link is a link from a catalogue entry to a test function.
type link struct {
	name, target string
	line         int
}

var (
	// proseRe matches a citation in prose: SPEC, then one ID or range, or
	// several separated by commas, slashes or "and".
	proseRe = regexp.MustCompile(`\bSPEC\s+(` + item + `(?:\s*(?:[,/&]|,?\s+and)\s*` + item + `)*)\b`)
	itemRe  = regexp.MustCompile(item)
	// nameRe matches a citation in a function name, as in TestSPEC_R3_R4.
	nameRe = regexp.MustCompile(`SPEC_?([A-Z][0-9]+(?:_[A-Z][0-9]+)*)`)
	// headingRe matches the heading of a catalogue entry: "### R3 — Title".
	headingRe = regexp.MustCompile(`^#{2,6}\s+([A-Z][0-9]+)\s+—\s+\S`)
	// linkRe matches a Markdown link to a Go file, named by its link text.
	linkRe = regexp.MustCompile("\\[`?([^]`]+)`?\\]\\(([^)#\\s]+\\.go)(?:#[^)]*)?\\)")
)

// item is an ID such as R3, or a range of IDs such as C1–C4 or C1-C4.
const item = `[A-Z][0-9]+(?:\s*[-–]\s*[A-Z][0-9]+)?`

// checkCatalogue compares the catalogue under root with the citations in
// root's Go files, and with nested those of the modules nested under root,
// and returns one line per problem, sorted.
func checkCatalogue(root string, nested bool) ([]string, error) {
	files, problems, err := readSources(root, nested)
	if err != nil {
		return nil, err
	}
	entries, more, err := readCatalogue(root)
	if err != nil {
		return nil, err
	}
	problems = append(problems, more...)

	listed := map[string]bool{}
	for _, e := range entries {
		listed[e.id] = true
	}
	tested := map[string]bool{}
	for name, f := range files {
		for _, c := range f.cites {
			if !listed[c.id] {
				problems = append(problems, fmt.Sprintf("%s:%d: cites %s, which %s does not list", c.file, c.line, c.id, catalogueFile))
			}
			if strings.HasSuffix(name, "_test.go") {
				tested[c.id] = true
			}
		}
	}
	for _, e := range entries {
		at := fmt.Sprintf("%s:%d: %s", catalogueFile, e.line, e.id)
		if !tested[e.id] {
			problems = append(problems, at+" has no test citing it")
		}
		if len(e.links) == 0 {
			problems = append(problems, at+" links no test")
		}
		for _, l := range e.links {
			at := fmt.Sprintf("%s:%d: %s links", catalogueFile, l.line, e.id)
			file := filepath.ToSlash(filepath.Join(filepath.Dir(catalogueFile), l.target))
			f, ok := files[file]
			switch {
			case !ok:
				problems = append(problems, fmt.Sprintf("%s %s, which does not exist", at, l.target))
			case !f.funcs[l.name]:
				problems = append(problems, fmt.Sprintf("%s %s, which %s does not define", at, l.name, l.target))
			case !slices.ContainsFunc(f.cites, func(c citation) bool { return c.fn == l.name && c.id == e.id }):
				problems = append(problems, fmt.Sprintf("%s %s, which does not cite %s", at, l.name, e.id))
			}
		}
	}
	slices.SortFunc(problems, byPlace)
	return slices.Compact(problems), nil
}

// byPlace orders problems, each "file:line: text", by file, then line, then
// text.
func byPlace(a, b string) int {
	split := func(p string) (string, int, string) {
		file, rest, _ := strings.Cut(p, ":")
		num, text, _ := strings.Cut(rest, ":")
		line, _ := strconv.Atoi(num)
		return file, line, text
	}
	fa, la, ta := split(a)
	fb, lb, tb := split(b)
	return cmp.Or(strings.Compare(fa, fb), cmp.Compare(la, lb), strings.Compare(ta, tb))
}

// readSources parses every Go file under root, as the go command sees the
// module: directories named testdata or starting with "." or "_" are
// skipped, and so are nested modules unless nested is set. Files are keyed
// by their slash path relative to root.
func readSources(root string, nested bool) (map[string]*sourceFile, []string, error) {
	files := map[string]*sourceFile{}
	var problems []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path == root {
				return nil
			}
			name := d.Name()
			if name == "testdata" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") {
				return filepath.SkipDir
			}
			if _, err := os.Stat(filepath.Join(path, "go.mod")); err == nil && !nested {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") {
			return nil
		}
		rel, err := filepath.Rel(root, path)
		if err != nil {
			return err
		}
		f, bad, err := readSource(path, filepath.ToSlash(rel))
		if err != nil {
			return err
		}
		files[filepath.ToSlash(rel)] = f
		problems = append(problems, bad...)
		return nil
	})
	return files, problems, err
}

// readSource collects the citations of one Go file: in its comments, its
// string literals and its function names.
func readSource(path, rel string) (*sourceFile, []string, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, path, nil, parser.ParseComments|parser.SkipObjectResolution)
	if err != nil {
		return nil, nil, fmt.Errorf("reading citations: %w", err)
	}
	src := &sourceFile{funcs: map[string]bool{}}
	var problems []string
	var decls []*ast.FuncDecl
	for _, d := range f.Decls {
		if fd, ok := d.(*ast.FuncDecl); ok && fd.Recv == nil {
			decls = append(decls, fd)
			src.funcs[fd.Name.Name] = true
		}
	}
	enclosing := func(pos token.Pos) string {
		for _, fd := range decls {
			start := fd.Pos()
			if fd.Doc != nil {
				start = fd.Doc.Pos()
			}
			if start <= pos && pos < fd.End() {
				return fd.Name.Name
			}
		}
		return ""
	}
	// add records what text, which starts at pos, cites; a citation's line
	// counts the line breaks before it.
	add := func(pos token.Pos, text string, ms []match) {
		start := fset.Position(pos).Line
		for _, m := range ms {
			line := start + strings.Count(text[:m.off], "\n")
			for _, id := range m.ids {
				src.cites = append(src.cites, citation{id: id, file: rel, line: line, fn: enclosing(pos)})
			}
			for _, b := range m.bad {
				problems = append(problems, fmt.Sprintf("%s:%d: malformed range %s", rel, line, b))
			}
		}
	}
	// Comment markers become spaces, so that a citation broken over two
	// comment lines reads as one.
	unmark := strings.NewReplacer("//", "  ", "/*", "  ", "*/", "  ")
	for _, cg := range f.Comments {
		var text strings.Builder
		for i, c := range cg.List {
			if i > 0 {
				text.WriteString(strings.Repeat("\n", fset.Position(c.Pos()).Line-fset.Position(cg.List[i-1].End()).Line))
			}
			text.WriteString(unmark.Replace(c.Text))
		}
		add(cg.Pos(), text.String(), proseMatches(text.String()))
	}
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.BasicLit:
			if n.Kind == token.STRING {
				if s, err := strconv.Unquote(n.Value); err == nil {
					add(n.Pos(), s, proseMatches(s))
				}
			}
		case *ast.FuncDecl:
			if ids := nameIDs(n.Name.Name); len(ids) > 0 {
				add(n.Pos(), "", []match{{ids: ids}})
			}
		}
		return true
	})
	return src, problems, nil
}

// match is one citation in prose: the IDs it names, with ranges expanded,
// the ranges that cannot be expanded, and its byte offset in the text.
type match struct {
	ids, bad []string
	off      int
}

// proseMatches returns the citations in text.
func proseMatches(text string) []match {
	var ms []match
	for _, loc := range proseRe.FindAllStringSubmatchIndex(text, -1) {
		m := match{off: loc[0]}
		for _, it := range itemRe.FindAllString(text[loc[2]:loc[3]], -1) {
			from, to, isRange := strings.Cut(strings.Join(strings.Fields(strings.ReplaceAll(it, "–", "-")), ""), "-")
			if !isRange {
				m.ids = append(m.ids, from)
				continue
			}
			lo, _ := strconv.Atoi(from[1:])
			hi, _ := strconv.Atoi(to[1:])
			if from[0] != to[0] || lo >= hi {
				m.bad = append(m.bad, from+"-"+to)
				continue
			}
			for n := lo; n <= hi; n++ {
				m.ids = append(m.ids, from[:1]+strconv.Itoa(n))
			}
		}
		ms = append(ms, m)
	}
	return ms
}

// nameIDs returns the IDs cited in a function name such as TestSPEC_R3_R4.
func nameIDs(name string) []string {
	var ids []string
	for _, m := range nameRe.FindAllStringSubmatch(name, -1) {
		ids = append(ids, strings.Split(m[1], "_")...)
	}
	return ids
}

// readCatalogue parses the catalogue under root: its entries, each with the
// links that follow its heading up to the next heading.
func readCatalogue(root string) ([]entry, []string, error) {
	f, err := os.Open(filepath.Join(root, catalogueFile))
	if err != nil {
		return nil, nil, fmt.Errorf("reading the catalogue: %w", err)
	}
	defer f.Close()
	var (
		entries  []entry
		problems []string
		current  = -1 // the entry being read, by index
		seen     = map[string]bool{}
	)
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if strings.HasPrefix(line, "#") {
			current = -1
			m := headingRe.FindStringSubmatch(line)
			if m == nil {
				continue
			}
			if seen[m[1]] {
				problems = append(problems, fmt.Sprintf("%s:%d: %s is listed twice", catalogueFile, n, m[1]))
				continue
			}
			seen[m[1]] = true
			entries = append(entries, entry{id: m[1], line: n})
			current = len(entries) - 1
			continue
		}
		if current < 0 {
			continue
		}
		for _, m := range linkRe.FindAllStringSubmatch(line, -1) {
			entries[current].links = append(entries[current].links, link{name: m[1], target: m[2], line: n})
		}
	}
	if err := sc.Err(); err != nil {
		return nil, nil, fmt.Errorf("reading the catalogue: %w", err)
	}
	return entries, problems, nil
}
