package catalogue

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

// valid returns a small catalogue that passes Validate; each broken case
// changes one thing.
func valid() *Catalogue {
	return &Catalogue{
		Version: "test.1",
		Departments: []Department{
			{Code: "GA", Name: "省公安厅", NameEn: "Public Security"},
			{Code: "ZR", Name: "省自然资源厅", NameEn: "Natural Resources"},
		},
		Queues: []Queue{
			{Code: "A", Name: "不动产登记", Departments: []string{"ZR"}},
			{Code: "B", Name: "出入境", Departments: []string{"GA"}},
		},
		Windows: []Window{
			{Number: 1, Name: "1号窗口", Queues: []string{"A"}},
			{Number: 2, Name: "2号窗口", Queues: []string{"A", "B"}},
		},
		Items: []Item{
			{
				Code: "GA-CRJ-001", Name: "内地居民往来港澳通行证签发", Department: "GA", Queue: "B",
				LegalDays: 20, PromisedDays: 7,
				Materials: []Material{{Name: "居民身份证", Copies: 1, Original: true}},
			},
			{Code: "ZR-BDC-004", Name: "抵押权注销登记", Department: "ZR", Queue: "A", LegalDays: 30, Instant: true},
			{Code: "ZR-BDC-006", Name: "不动产登记资料查询", Department: "ZR", Queue: "A", Instant: true},
		},
	}
}

func TestValidateAcceptsValid(t *testing.T) {
	if err := valid().Validate(); err != nil {
		t.Fatalf("Validate: %v", err)
	}
}

func TestValidateRejects(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(c *Catalogue)
		want   []string // substrings of the error, each naming the offender
	}{
		{"empty version", func(c *Catalogue) { c.Version = " " }, []string{"version is empty"}},

		{"empty department code", func(c *Catalogue) {
			c.Departments = append(c.Departments, Department{Name: "省林业局"})
		}, []string{"departments[2]: code is empty"}},
		{"codeless department named by position", func(c *Catalogue) {
			c.Departments = append(c.Departments, Department{})
		}, []string{"departments[2]: code is empty", "departments[2]: name is empty"}},
		{"duplicate department code", func(c *Catalogue) {
			c.Departments = append(c.Departments, Department{Code: "GA", Name: "省公安厅交警总队"})
		}, []string{`department "GA": code used twice`}},
		{"empty department name", func(c *Catalogue) { c.Departments[1].Name = "" },
			[]string{`department "ZR": name is empty`}},

		{"lowercase queue code", func(c *Catalogue) { addQueue(c, "c") },
			[]string{`queue "c": code must be one uppercase letter A–Z`}},
		{"two-letter queue code", func(c *Catalogue) { addQueue(c, "CD") },
			[]string{`queue "CD": code must be one uppercase letter A–Z`}},
		{"digit queue code", func(c *Catalogue) { addQueue(c, "1") },
			[]string{`queue "1": code must be one uppercase letter A–Z`}},
		{"non-ASCII queue code", func(c *Catalogue) { addQueue(c, "Ａ") },
			[]string{`queue "Ａ": code must be one uppercase letter A–Z`}},
		{"empty queue code", func(c *Catalogue) { addQueue(c, "") },
			[]string{"queues[2]: code is empty"}},
		{"duplicate queue code", func(c *Catalogue) { addQueue(c, "B") },
			[]string{`queue "B": code used twice`}},
		{"certificate type with lowercase", func(c *Catalogue) {
			c.Items[0].Certificate = &CertificateSpec{Type: "bdc", Title: "不动产权证书"}
		}, []string{`certificate type "bdc": use 1 to 16 uppercase letters`}},
		{"certificate type too long", func(c *Catalogue) {
			c.Items[0].Certificate = &CertificateSpec{Type: "ABCDEFGHIJKLMNOPQ", Title: "证"}
		}, []string{`certificate type "ABCDEFGHIJKLMNOPQ"`}},
		{"certificate without title", func(c *Catalogue) {
			c.Items[0].Certificate = &CertificateSpec{Type: "BDC-QZ", Title: " "}
		}, []string{"certificate title is empty"}},
		{"certificate validity negative", func(c *Catalogue) {
			c.Items[0].Certificate = &CertificateSpec{Type: "BDC-QZ", Title: "证", ValidYears: -1}
		}, []string{"certificate valid_years -1"}},
		{"certificate field twice", func(c *Catalogue) {
			c.Items[0].Certificate = &CertificateSpec{Type: "BDC-QZ", Title: "证", Fields: []string{"坐落", "坐落", ""}}
		}, []string{`certificate field "坐落" is listed twice`, "certificate fields[2] is empty"}},
		{"empty queue name", func(c *Catalogue) { c.Queues[1].Name = "" },
			[]string{`queue "B": name is empty`}},
		{"queue lists no departments", func(c *Catalogue) {
			c.Queues = append(c.Queues, Queue{Code: "C", Name: "综合受理"})
			c.Windows[0].Queues = append(c.Windows[0].Queues, "C")
		}, []string{`queue "C": departments is empty`}},
		{"queue lists unknown department", func(c *Catalogue) {
			c.Queues[1].Departments = append(c.Queues[1].Departments, "LY")
		}, []string{`queue "B": department "LY" does not exist`}},
		{"queue served by no window", func(c *Catalogue) { c.Windows[1].Queues = []string{"A"} },
			[]string{`queue "B": no window serves it`}},

		{"window number 0", func(c *Catalogue) { c.Windows[0].Number = 0 },
			[]string{"windows[0]: number 0 must be 1 or more"}},
		{"negative window number", func(c *Catalogue) { c.Windows[0].Number = -3 },
			[]string{"windows[0]: number -3 must be 1 or more"}},
		{"unnumbered window named by position", func(c *Catalogue) {
			c.Windows[1].Number, c.Windows[1].Name = 0, ""
		}, []string{"windows[1]: number 0 must be 1 or more", "windows[1]: name is empty"}},
		{"duplicate window number", func(c *Catalogue) { c.Windows[1].Number = 1 },
			[]string{"window 1: number used twice"}},
		{"empty window name", func(c *Catalogue) { c.Windows[1].Name = "" },
			[]string{"window 2: name is empty"}},
		{"window lists no queues", func(c *Catalogue) {
			c.Windows = append(c.Windows, Window{Number: 3, Name: "3号窗口"})
		}, []string{"window 3: queues is empty"}},
		{"window lists unknown queue", func(c *Catalogue) {
			c.Windows[1].Queues = append(c.Windows[1].Queues, "Z")
		}, []string{`window 2: queue "Z" does not exist`}},

		{"empty item code", func(c *Catalogue) { c.Items[0].Code = "" },
			[]string{"items[0]: code is empty"}},
		{"duplicate item code", func(c *Catalogue) { c.Items[2].Code = "ZR-BDC-004" },
			[]string{`item "ZR-BDC-004": code used twice`}},
		{"empty item name", func(c *Catalogue) { c.Items[0].Name = "" },
			[]string{`item "GA-CRJ-001": name is empty`}},
		{"item of unknown department", func(c *Catalogue) { c.Items[0].Department = "XX" },
			[]string{`item "GA-CRJ-001": department "XX" does not exist`}},
		{"item in unknown queue", func(c *Catalogue) { c.Items[0].Queue = "Q" },
			[]string{`item "GA-CRJ-001": queue "Q" does not exist`}},
		{"item in a queue not serving its department", func(c *Catalogue) { c.Items[0].Queue = "A" },
			[]string{`item "GA-CRJ-001": queue "A" does not serve department "GA"`}},
		{"negative legal days", func(c *Catalogue) { c.Items[0].LegalDays = -1 },
			[]string{`item "GA-CRJ-001": legal_days -1 is negative`}},
		{"negative promised days", func(c *Catalogue) { c.Items[0].PromisedDays = -2 },
			[]string{`item "GA-CRJ-001": promised_days -2 is negative`}},
		{"promised exceeds legal", func(c *Catalogue) { c.Items[0].PromisedDays = 30 },
			[]string{`item "GA-CRJ-001": promised_days 30 exceeds legal_days 20`}},
		{"instant with promised days", func(c *Catalogue) { c.Items[1].PromisedDays = 3 },
			[]string{`item "ZR-BDC-004": instant (即办件) but promised_days is 3`}},
		{"material without name", func(c *Catalogue) {
			c.Items[0].Materials = append(c.Items[0].Materials, Material{Copies: 1})
		}, []string{`item "GA-CRJ-001": materials[1]: name is empty`}},
		{"material with negative copies", func(c *Catalogue) { c.Items[0].Materials[0].Copies = -1 },
			[]string{`item "GA-CRJ-001": material "居民身份证": copies -1 is negative`}},

		{"every problem reported at once", func(c *Catalogue) {
			c.Version = ""
			c.Items[0].PromisedDays = 30
			c.Items[1].Queue = "Q"
			c.Windows[1].Queues = append(c.Windows[1].Queues, "Z")
		}, []string{
			"(4 problems)",
			"version is empty",
			`item "GA-CRJ-001": promised_days 30 exceeds legal_days 20`,
			`item "ZR-BDC-004": queue "Q" does not exist`,
			`window 2: queue "Z" does not exist`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := valid()
			tt.mutate(c)

			err := c.Validate()
			checkInvalid(t, "Validate", err, tt.want)

			// The same catalogue as JSON must fail Parse the same way.
			data, merr := json.Marshal(c)
			if merr != nil {
				t.Fatal(merr)
			}
			got, err := Parse(data)
			if got != nil {
				t.Errorf("Parse returned a catalogue with its error")
			}
			checkInvalid(t, "Parse", err, tt.want)
		})
	}
}

// addQueue adds a queue with the given code, served by window 1 and
// listing a real department, so that only the code itself is at fault.
func addQueue(c *Catalogue, code string) {
	c.Queues = append(c.Queues, Queue{Code: code, Name: "新队列", Departments: []string{"GA"}})
	c.Windows[0].Queues = append(c.Windows[0].Queues, code)
}

func checkInvalid(t *testing.T, fn string, err error, want []string) {
	t.Helper()
	if err == nil {
		t.Fatalf("%s: no error, want one mentioning %q", fn, want)
	}
	if !errors.Is(err, ErrInvalid) {
		t.Errorf("%s: error %v does not match ErrInvalid", fn, err)
	}
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("%s: error does not mention %q:\n%v", fn, w, err)
		}
	}
}

func TestParseRejectsMalformedJSON(t *testing.T) {
	good, err := json.Marshal(valid())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Parse(good); err != nil {
		t.Fatalf("Parse(valid): %v", err)
	}
	tests := []struct {
		name string
		data string
		want string
	}{
		{"unknown top-level field", `{"version":"1","hall":"贵州省政务服务中心"}`, `unknown field "hall"`},
		{"misspelt item field", `{"version":"1","items":[{"code":"X-1","legal_day":20}]}`, `unknown field "legal_day"`},
		{"unknown material field", `{"items":[{"materials":[{"name":"居民身份证","pages":2}]}]}`, `unknown field "pages"`},
		{"wrong type", `{"version":"1","windows":[{"number":"3"}]}`, "cannot unmarshal string"},
		{"not JSON", `version: 1`, "invalid character"},
		{"empty input", ``, "EOF"},
		{"trailing data", string(good) + `{}`, "data after the catalogue object"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Parse([]byte(tt.data))
			if err == nil {
				t.Fatalf("Parse: no error, want one mentioning %q", tt.want)
			}
			if c != nil {
				t.Errorf("Parse returned a catalogue with its error")
			}
			if !strings.HasPrefix(err.Error(), "catalogue: ") || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Parse error %q, want it prefixed \"catalogue: \" and mentioning %q", err, tt.want)
			}
			if errors.Is(err, ErrInvalid) {
				t.Errorf("decode error %v should not match ErrInvalid", err)
			}
		})
	}
}

func TestLookups(t *testing.T) {
	c := valid()
	t.Run("Item", func(t *testing.T) {
		for _, tt := range []struct {
			code string
			ok   bool
		}{{"GA-CRJ-001", true}, {"ZR-BDC-004", true}, {"GA-CRJ-999", false}, {"", false}} {
			it, ok := c.Item(tt.code)
			if ok != tt.ok || (ok && it.Code != tt.code) {
				t.Errorf("Item(%q) = %q, %v; want found=%v", tt.code, it.Code, ok, tt.ok)
			}
		}
	})
	t.Run("Queue", func(t *testing.T) {
		for _, tt := range []struct {
			code string
			ok   bool
		}{{"A", true}, {"B", true}, {"C", false}, {"a", false}} {
			q, ok := c.Queue(tt.code)
			if ok != tt.ok || (ok && q.Code != tt.code) {
				t.Errorf("Queue(%q) = %q, %v; want found=%v", tt.code, q.Code, ok, tt.ok)
			}
		}
	})
	t.Run("Window", func(t *testing.T) {
		for _, tt := range []struct {
			number int
			ok     bool
		}{{1, true}, {2, true}, {0, false}, {3, false}} {
			w, ok := c.Window(tt.number)
			if ok != tt.ok || (ok && w.Number != tt.number) {
				t.Errorf("Window(%d) = %d, %v; want found=%v", tt.number, w.Number, ok, tt.ok)
			}
		}
	})
	t.Run("Department", func(t *testing.T) {
		for _, tt := range []struct {
			code string
			ok   bool
		}{{"GA", true}, {"ZR", true}, {"LY", false}} {
			d, ok := c.Department(tt.code)
			if ok != tt.ok || (ok && d.Code != tt.code) {
				t.Errorf("Department(%q) = %q, %v; want found=%v", tt.code, d.Code, ok, tt.ok)
			}
		}
	})
	t.Run("ItemsOf", func(t *testing.T) {
		for _, tt := range []struct {
			dept string
			want []string
		}{
			{"ZR", []string{"ZR-BDC-004", "ZR-BDC-006"}},
			{"GA", []string{"GA-CRJ-001"}},
			{"LY", nil},
		} {
			var got []string
			for _, it := range c.ItemsOf(tt.dept) {
				got = append(got, it.Code)
			}
			if strings.Join(got, ",") != strings.Join(tt.want, ",") {
				t.Errorf("ItemsOf(%q) = %v, want %v", tt.dept, got, tt.want)
			}
		}
	})
}
