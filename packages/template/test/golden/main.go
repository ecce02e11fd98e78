// Renders every case of cases.json with Go's own text/template and writes
// expected.json. Run by hand (not by the test suite):
//
//	cd packages/template/test/golden && go run main.go
//
// JSON numbers that are whole become int (as a Go program's data usually has),
// others float64.
package main

import (
	"encoding/json"
	"os"
	"sort"
	"text/template"

	"golden/dependency"

	"gopkg.in/yaml.v2"
)

// funcs are consul-template's parseJSON and parseYAML (template/funcs.go), whose
// results' Go types the cases check.
var funcs = template.FuncMap{
	"parseJSON": parseWith(json.Unmarshal),
	"parseYAML": parseWith(yaml.Unmarshal),
}

// parseWith: "" is an empty map, anything else is unmarshaled into an interface{}.
func parseWith(unmarshal func([]byte, interface{}) error) func(string) (interface{}, error) {
	return func(s string) (interface{}, error) {
		if s == "" {
			return map[string]interface{}{}, nil
		}
		var data interface{}
		if err := unmarshal([]byte(s), &data); err != nil {
			return nil, err
		}
		return data, nil
	}
}

type testCase struct {
	Name       string      `json:"name"`
	Template   string      `json:"template"`
	Data       interface{} `json:"data"`
	LeftDelim  string      `json:"leftDelim"`
	RightDelim string      `json:"rightDelim"`
	MissingKey string      `json:"missingKey"`
	// Services, when set, is passed as .services: []*dependency.HealthService.
	Services []*dependency.HealthService `json:"services"`
}

type result struct {
	Output string `json:"output"`
	Error  string `json:"error,omitempty"`
}

func ints(v interface{}) interface{} {
	switch x := v.(type) {
	case float64:
		if x == float64(int(x)) {
			return int(x)
		}
		return x
	case []interface{}:
		for i := range x {
			x[i] = ints(x[i])
		}
	case map[string]interface{}:
		for k := range x {
			x[k] = ints(x[k])
		}
	}
	return v
}

func main() {
	raw, err := os.ReadFile("cases.json")
	if err != nil {
		panic(err)
	}
	var file struct {
		DefaultData json.RawMessage `json:"defaultData"`
		Cases       []testCase      `json:"cases"`
	}
	if err := json.Unmarshal(raw, &file); err != nil {
		panic(err)
	}
	cases := file.Cases
	out := map[string]result{}
	for _, c := range cases {
		if _, dup := out[c.Name]; dup {
			panic("duplicate case " + c.Name)
		}
		if c.Data == nil {
			// Each case gets its own copy: ints() rewrites in place.
			json.Unmarshal(file.DefaultData, &c.Data)
		}
		var data interface{} = ints(c.Data)
		if c.Services != nil {
			data = map[string]interface{}{"services": c.Services}
		}
		t := template.New(c.Name).Delims(c.LeftDelim, c.RightDelim).Funcs(funcs)
		if c.MissingKey != "" {
			t = t.Option("missingkey=" + c.MissingKey)
		}
		t, err := t.Parse(c.Template)
		if err != nil {
			out[c.Name] = result{Error: err.Error()}
			continue
		}
		var b writer
		if err := t.Execute(&b, data); err != nil {
			out[c.Name] = result{Output: string(b), Error: err.Error()}
			continue
		}
		out[c.Name] = result{Output: string(b)}
	}
	names := make([]string, 0, len(out))
	for n := range out {
		names = append(names, n)
	}
	sort.Strings(names)
	f, _ := os.Create("expected.json")
	defer f.Close()
	f.WriteString("{\n")
	for i, n := range names {
		k, _ := json.Marshal(n)
		v, _ := json.Marshal(out[n])
		f.Write(k)
		f.WriteString(": ")
		f.Write(v)
		if i < len(names)-1 {
			f.WriteString(",")
		}
		f.WriteString("\n")
	}
	f.WriteString("}\n")
}

type writer []byte

func (w *writer) Write(p []byte) (int, error) {
	*w = append(*w, p...)
	return len(p), nil
}
