// Package cataloguetest makes catalogues for tests: the sample catalogue
// changed the way a province's new version might change it.
package cataloguetest

import (
	"testing"

	"onestop/hallserver/catalogue"
)

// DropQueue removes queue q from c, moving its items and departments to
// another queue and giving a window left without queues that one, so that
// c stays valid. It fails the test if c does not.
func DropQueue(t testing.TB, c *catalogue.Catalogue, q string) {
	t.Helper()
	other := c.Queues[0].Code
	if other == q {
		other = c.Queues[1].Code
	}
	var deps []string
	for _, x := range c.Queues {
		if x.Code == q {
			deps = x.Departments
		}
	}
	var queues []catalogue.Queue
	for _, x := range c.Queues {
		if x.Code == q {
			continue
		}
		if x.Code == other {
			x.Departments = append(x.Departments, deps...)
		}
		queues = append(queues, x)
	}
	c.Queues = queues
	for i := range c.Items {
		if c.Items[i].Queue == q {
			c.Items[i].Queue = other
		}
	}
	for i := range c.Windows {
		var qs []string
		for _, x := range c.Windows[i].Queues {
			if x != q {
				qs = append(qs, x)
			}
		}
		if len(qs) == 0 {
			qs = []string{other}
		}
		c.Windows[i].Queues = qs
	}
	if err := c.Validate(); err != nil {
		t.Fatalf("cataloguetest: dropping queue %s: %v", q, err)
	}
}
