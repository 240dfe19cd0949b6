package store_test

import (
	"testing"

	"onestop/hallserver/store"
)

// TestCatalogueReimportKeepsHistory imports the catalogue again after
// tickets named its items (the province sends updates while the hall
// works), then imports one without an item: the item is retired, not
// deleted — its tickets keep it, new tickets cannot take it.
func TestCatalogueReimportKeepsHistory(t *testing.T) {
	s, _ := newHall(t)
	tk := issue(t, s, store.IssueRequest{Item: "GA-CRJ-001"})
	cat := seed(t)
	if err := s.ImportCatalogue(ctx, admin, cat); err != nil {
		t.Fatalf("re-import of the same catalogue: %v", err)
	}
	var kept = cat.Items[:0]
	for _, it := range cat.Items {
		if it.Code != "GA-CRJ-001" {
			kept = append(kept, it)
		}
	}
	cat.Items = kept
	cat.Version = "2026.2"
	if err := s.ImportCatalogue(ctx, admin, cat); err != nil {
		t.Fatalf("import without the item: %v", err)
	}
	got, err := s.Catalogue(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := got.Item("GA-CRJ-001"); ok || got.Version != "2026.2" || len(got.Items) != len(kept) {
		t.Fatalf("catalogue after import: version %s, %d items, retired item shown", got.Version, len(got.Items))
	}
	if old, err := s.TicketByID(ctx, tk.ID); err != nil || old.Item != "GA-CRJ-001" {
		t.Fatalf("the old ticket lost its item: %+v, %v", old, err)
	}
	_, err = s.IssueTicket(ctx, kioskA, store.IssueRequest{Item: "GA-CRJ-001"})
	wantErr(t, err, store.ErrInvalid, "GA-CRJ-001")
	// Back in the next catalogue, it can be chosen again.
	if err := s.ImportCatalogue(ctx, admin, seed(t)); err != nil {
		t.Fatal(err)
	}
	issue(t, s, store.IssueRequest{Item: "GA-CRJ-001"})
	verifyOK(t, s)
}
