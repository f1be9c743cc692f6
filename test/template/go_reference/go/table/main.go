// Command table runs the engine's table cases through Go's own text/template and
// reports where Go disagrees (see ../../README.md).
package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"text/template"
)

type U struct{ Val string }
type T struct {
	Count int
	Inner U
	Name  string
}

func (t T) Method() string { return "called" }

type NP struct{ X string }

func (n *NP) GetX() string {
	if n == nil {
		return ""
	}
	return n.X
}
func (n *NP) String() string {
	if n == nil {
		return "<nil>"
	}
	return "np"
}

type Mode int32

func (m Mode) String() string { return []string{"REDIRECT", "TPROXY", "NONE"}[m] }

type Case struct {
	Kind, Name, Text, Want string
}

func main() {
	var cases []Case
	b, _ := os.ReadFile("cases.json")
	if err := json.Unmarshal(b, &cases); err != nil {
		panic(err)
	}
	var nilPtr *NP
	data := map[string]interface{}{
		"Str": "hello", "Empty": "", "Int": 3, "Zero": 0, "Neg": -7, "Float": 1.5,
		"FloatInt": 15020.0, "Big": 1e6, "Small": 3.5e-05, "True": true, "False": false,
		"List": []interface{}{1, 2, 3}, "Strs": []interface{}{"a", "b", "c"},
		"EmptyList": []interface{}{}, "Map": map[string]interface{}{"a": 1, "b": 2},
		"SMap": map[string]string{"x": "X"}, "EmptyMap": map[string]interface{}{},
		"Nested": map[string]interface{}{"inner": map[string]interface{}{"deep": "down"}},
		"Nil":    nil, "Obj": T{Count: 2, Inner: U{"in"}, Name: "obj"}, "NilPtr": nilPtr,
		"Enum0": Mode(0), "Enum1": Mode(1),
		"Fn": func(args ...int) (int, error) {
			if len(args) == 0 {
				return 0, errors.New("need args")
			}
			s := 0
			for _, a := range args {
				s += a
			}
			return s, nil
		},
		"Mixed": []interface{}{"x", 1, nil, 2.5, true}, "HTML": "<b>&'\"</b>",
		"Unicode":    "h\u00e9llo",
		"ListOfMaps": []interface{}{map[string]interface{}{"n": 1}, map[string]interface{}{"n": 2}},
	}
	funcs := template.FuncMap{
		"upper": func(v interface{}) string { return strings.ToUpper(fmt.Sprint(v)) },
		"boom":  func(args ...interface{}) (string, error) { return "", errors.New("boom") },
		"kind": func(v interface{}) string { // stands in for the C++ test's kind()
			if v == nil {
				return "nil?"
			}
			return fmt.Sprintf("%T", v)
		},
		"root": func() interface{} { return data },
		"two":  func() int { return 2 },
	}
	bad := 0
	for _, c := range cases {
		t, err := template.New("t").Funcs(funcs).Parse(c.Text)
		var out strings.Builder
		if err == nil {
			err = t.Execute(&out, data)
		}
		switch c.Kind {
		case "output":
			if err != nil {
				fmt.Printf("MISMATCH output %q: Go error %v\n", c.Name, err)
				bad++
			} else if out.String() != c.Want {
				fmt.Printf("MISMATCH output %q: Go %q ours %q\n", c.Name, out.String(), c.Want)
				bad++
			}
		default:
			if err == nil {
				fmt.Printf("MISMATCH %s %q: Go succeeded with %q (we want error %q)\n", c.Kind, c.Name, out.String(), c.Want)
				bad++
			} else if !strings.Contains(err.Error(), c.Want) {
				fmt.Printf("DIFFMSG %s %q:\n   go:   %s\n   ours: %s\n", c.Kind, c.Name, err.Error(), c.Want)
			}
		}
	}
	fmt.Println("mismatches:", bad, "of", len(cases))
}
