package optlearn

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// TestConventions enforces the library's one vocabulary (README
// "Conventions", STYLE.md §7) on every library package, one subtest per
// package (go test -run 'TestConventions/ef21$' checks one):
//   - configuration is called Settings (or <Method>Settings), never Options
//     or Config;
//   - a package that exports its own Status gives it an Err method (the
//     shared one is run.Status);
//   - no struct stores a context.Context (ctx is the first argument of a
//     long run instead);
//   - Settings structs name the iteration cap MaxIter and the random source
//     Rand (no Iters, MaxIters, Outer, Seed fields).
func TestConventions(t *testing.T) {
	for _, dir := range libraryDirs(t) {
		t.Run(filepath.ToSlash(dir), func(t *testing.T) {
			checkConventions(t, dir)
		})
	}
}

// libraryDirs lists the directories of library packages: every directory
// with non-test Go files outside examples/, testdata and hidden folders,
// the module root included, sorted.
func libraryDirs(t *testing.T) []string {
	dirs := map[string]bool{}
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			name := d.Name()
			if path != "." && (strings.HasPrefix(name, ".") || name == "testdata" || path == "examples" || strings.HasPrefix(path, "examples"+string(filepath.Separator))) {
				return filepath.SkipDir
			}
			return nil
		}
		if strings.HasSuffix(path, ".go") && !strings.HasSuffix(path, "_test.go") {
			dirs[filepath.Dir(path)] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for d := range dirs {
		out = append(out, d)
	}
	sort.Strings(out)
	return out
}

// forbiddenSettingsFields are the names that the vocabulary replaces.
var forbiddenSettingsFields = map[string]string{
	"Iters":    "MaxIter",
	"MaxIters": "MaxIter",
	"Outer":    "MaxIter",
	"Seed":     "Rand (*rand.Rand)",
}

func checkConventions(t *testing.T, dir string) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	statusTypes := map[string]token.Pos{}
	errMethods := map[string]bool{}
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, filepath.Join(dir, name), nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		if f.Name.Name == "main" {
			return
		}
		ctxName := importName(f, "context")
		ast.Inspect(f, func(n ast.Node) bool {
			switch x := n.(type) {
			case *ast.TypeSpec:
				tname := x.Name.Name
				if x.Name.IsExported() && (tname == "Options" || tname == "Config") {
					t.Errorf("%s: exported type %s; the library calls configuration Settings", fset.Position(x.Pos()), tname)
				}
				if tname == "Status" && x.Assign == 0 {
					statusTypes[tname] = x.Pos()
				}
				st, ok := x.Type.(*ast.StructType)
				if !ok {
					return true
				}
				for _, fld := range st.Fields.List {
					if ctxName != "" && isSelector(fld.Type, ctxName, "Context") {
						t.Errorf("%s: struct %s stores a context.Context; pass ctx as the first argument instead", fset.Position(fld.Pos()), tname)
					}
					if strings.HasSuffix(tname, "Settings") && x.Name.IsExported() {
						for _, n := range fld.Names {
							if want, bad := forbiddenSettingsFields[n.Name]; bad {
								t.Errorf("%s: %s.%s; the library's name is %s", fset.Position(n.Pos()), tname, n.Name, want)
							}
						}
					}
				}
			case *ast.FuncDecl:
				if x.Recv != nil && x.Name.Name == "Err" {
					errMethods[recvName(x.Recv)] = true
				}
			}
			return true
		})
	}
	for name, pos := range statusTypes {
		if !errMethods[name] {
			t.Errorf("%s: type %s has no Err method", fset.Position(pos), name)
		}
	}
}

func importName(f *ast.File, path string) string {
	for _, im := range f.Imports {
		if strings.Trim(im.Path.Value, `"`) != path {
			continue
		}
		if im.Name != nil {
			return im.Name.Name
		}
		return filepath.Base(path)
	}
	return ""
}

func isSelector(e ast.Expr, pkg, name string) bool {
	s, ok := e.(*ast.SelectorExpr)
	if !ok {
		return false
	}
	id, ok := s.X.(*ast.Ident)
	return ok && id.Name == pkg && s.Sel.Name == name
}

func recvName(fl *ast.FieldList) string {
	typ := fl.List[0].Type
	for {
		switch x := typ.(type) {
		case *ast.StarExpr:
			typ = x.X
		case *ast.IndexExpr:
			typ = x.X
		case *ast.IndexListExpr:
			typ = x.X
		case *ast.Ident:
			return x.Name
		default:
			return ""
		}
	}
}
