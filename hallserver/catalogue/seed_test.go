package catalogue

import (
	"fmt"
	"strings"
	"testing"
)

// TestSeed checks that the shipped sample catalogue parses, validates and
// is big and realistic enough to demo a provincial hall.
func TestSeed(t *testing.T) {
	c, err := Seed()
	if err != nil {
		t.Fatalf("Seed: %v", err)
	}

	instant := 0
	for _, it := range c.Items {
		if it.Instant {
			instant++
		}
	}
	for _, tc := range []struct {
		what     string
		got, min int
	}{
		{"departments", len(c.Departments), 8},
		{"items", len(c.Items), 30},
		{"queues", len(c.Queues), 5},
		{"windows", len(c.Windows), 12},
		{"instant items (即办件)", instant, 6},
	} {
		t.Run(tc.what, func(t *testing.T) {
			if tc.got < tc.min {
				t.Errorf("seed has %d %s, want at least %d", tc.got, tc.what, tc.min)
			}
		})
	}

	t.Run("every queue served by two windows", func(t *testing.T) {
		for _, q := range c.Queues {
			n := 0
			for _, w := range c.Windows {
				for _, wq := range w.Queues {
					if wq == q.Code {
						n++
					}
				}
			}
			if n < 2 {
				t.Errorf("queue %q is served by %d window(s), want at least 2", q.Code, n)
			}
		}
	})

	t.Run("every department has items", func(t *testing.T) {
		for _, d := range c.Departments {
			if len(c.ItemsOf(d.Code)) == 0 {
				t.Errorf("department %q has no items", d.Code)
			}
		}
	})

	t.Run("promised limits compressed by half on average", func(t *testing.T) {
		// 入驻部门承诺平均办结时限在法定时限基础上压缩50%以上.
		legal, promised := 0, 0
		for _, it := range c.Items {
			legal += it.LegalDays
			promised += it.PromisedDays
		}
		if 2*promised > legal {
			t.Errorf("promised days total %d, legal %d: less than 50%% compression", promised, legal)
		}
	})

	for _, it := range c.Items {
		t.Run(it.Code, func(t *testing.T) {
			if !strings.HasPrefix(it.Code, it.Department+"-") {
				t.Errorf("code %q does not start with its department %q", it.Code, it.Department+"-")
			}
			for field, empty := range map[string]bool{
				"name_en":     it.NameEn == "",
				"conditions":  len(it.Conditions) == 0,
				"materials":   len(it.Materials) == 0,
				"fees":        it.Fees == "",
				"legal_basis": !strings.HasPrefix(it.LegalBasis, "《"),
				"steps":       len(it.Steps) == 0 || it.Steps[0] != "受理",
			} {
				if empty {
					t.Errorf("%s missing or malformed", field)
				}
			}
			if !it.Instant && it.PromisedDays == 0 {
				t.Errorf("promises 0 days but is not instant")
			}
		})
	}

	t.Run("English names", func(t *testing.T) {
		for _, d := range c.Departments {
			if d.NameEn == "" {
				t.Errorf("department %q has no name_en", d.Code)
			}
		}
		for _, q := range c.Queues {
			if q.NameEn == "" {
				t.Errorf("queue %q has no name_en", q.Code)
			}
		}
		for _, w := range c.Windows {
			if w.NameEn == "" {
				t.Errorf("window %d has no name_en", w.Number)
			}
		}
	})
}

func ExampleSeed() {
	c, err := Seed()
	if err != nil {
		fmt.Println(err)
		return
	}
	it, _ := c.Item("GA-CRJ-001")
	q, _ := c.Queue(it.Queue)
	fmt.Printf("%s: queue %s %s, legal %d, promised %d working days\n",
		it.Name, q.Code, q.Name, it.LegalDays, it.PromisedDays)
	// Output: 内地居民往来港澳通行证签发: queue B 出入境, legal 30, promised 7 working days
}
