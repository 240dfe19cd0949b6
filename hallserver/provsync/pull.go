package provsync

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"onestop/hallserver/catalogue"
	"onestop/hallserver/exchange"
	"onestop/hallserver/store"
)

// pullLoop pulls the catalogue, the trust document and application
// updates every PullInterval, each from the version or cursor the store
// holds, so that a pull cut short resumes where it stopped.
func (r *Relay) pullLoop(ctx context.Context) {
	var o outage
	for ctx.Err() == nil {
		err := r.PullOnce(ctx)
		if ctx.Err() != nil {
			return
		}
		wait := r.cfg.PullInterval
		if err != nil {
			r.failed(&r.pulling, "pull", err)
			wait = min2(o.next(&r.cfg), r.cfg.PullInterval)
		} else {
			o = outage{}
		}
		r.sleep(ctx, wait, false)
	}
}

// PullOnce runs one round of pulls: catalogue, trust document (when the
// province key is configured), application updates until none are left.
// Each runs whatever the others did — a catalogue the hall cannot take
// must not stop application updates — except that a round ends at the
// first pull the province did not answer at all (the next would wait the
// same way).
func (r *Relay) PullOnce(ctx context.Context) error {
	have, err := r.st.ProvinceState(ctx)
	if err != nil {
		return err
	}
	pulls := []struct {
		what string
		pull func() error
	}{
		{"catalogue", func() error { return r.pullCatalogue(ctx, have.CatalogueVersion) }},
		{"trust list", func() error {
			if r.cfg.ProvinceKey == nil {
				return nil
			}
			return r.pullTrust(ctx, have.TrustVersion)
		}},
		{"application updates", func() error { return r.pullUpdates(ctx, have.UpdateCursor) }},
	}
	var errs pullErrors
	for _, p := range pulls {
		err := p.pull()
		if err == nil {
			continue
		}
		errs = append(errs, fmt.Errorf("%s: %w", p.what, err))
		var ce *callError
		if errors.As(err, &ce) && ce.Status == 0 {
			break // the province did not answer: the next pulls would wait the same way
		}
	}
	if len(errs) > 0 {
		return errs
	}
	r.pulled()
	return nil
}

// pullErrors are the failed pulls of a round, shown on one line.
type pullErrors []error

func (p pullErrors) Error() string {
	msgs := make([]string, len(p))
	for i, e := range p {
		msgs[i] = e.Error()
	}
	return strings.Join(msgs, "; ")
}

func (p pullErrors) Unwrap() []error { return p }

func (r *Relay) get(ctx context.Context, path string, out any) error {
	return r.call.do(ctx, http.MethodGet, path, nil, nil, out)
}

func (r *Relay) pullCatalogue(ctx context.Context, have int64) error {
	var resp exchange.CatalogueResponse
	if err := r.get(ctx, exchange.PathCatalogue+"?have="+strconv.FormatInt(have, 10), &resp); err != nil {
		return err
	}
	if resp.Unchanged || resp.Version <= have {
		r.setCatalogueWaiting("")
		return nil
	}
	c, err := catalogue.Parse(resp.Catalogue)
	if err != nil {
		return needsStaff(fmt.Errorf("version %d from the province does not parse (a newer hall server may be needed): %w", resp.Version, err))
	}
	applied, err := r.st.ApplyProvinceCatalogue(ctx, resp.Version, c)
	if errors.Is(err, store.ErrCatalogueWaits) {
		// Not a failure of the link: it is applied when the tickets are served.
		r.setCatalogueWaiting(err.Error())
		r.cfg.Logger.Info("province catalogue waits", "version", resp.Version, "why", err)
		return nil
	}
	if errors.Is(err, store.ErrInvalid) {
		return needsStaff(err)
	}
	if err != nil {
		return err
	}
	r.setCatalogueWaiting("")
	if applied {
		r.cfg.Logger.Info("province catalogue applied", "version", resp.Version, "catalogue", c.Version)
	}
	return nil
}

func (r *Relay) pullTrust(ctx context.Context, have int64) error {
	var resp exchange.TrustResponse
	if err := r.get(ctx, exchange.PathTrust+"?have="+strconv.FormatInt(have, 10), &resp); err != nil {
		return err
	}
	if resp.Unchanged || resp.Version <= have {
		return nil
	}
	if err := exchange.VerifyDocument(r.cfg.ProvinceKey, resp.Document, resp.Signature); err != nil {
		return needsStaff(err)
	}
	var doc exchange.TrustDocument
	if err := json.Unmarshal(resp.Document, &doc); err != nil {
		return needsStaff(fmt.Errorf("the signed trust document does not parse: %w", err))
	}
	if doc.Format != exchange.TrustDocumentFormat || doc.Version != resp.Version {
		return needsStaff(fmt.Errorf("the signed trust document is %q version %d, the answer says version %d", doc.Format, doc.Version, resp.Version))
	}
	applied, err := r.st.ApplyProvinceTrust(ctx, doc)
	if errors.Is(err, store.ErrInvalid) || errors.Is(err, store.ErrConflict) {
		return needsStaff(err)
	}
	if err != nil {
		return err
	}
	if applied {
		r.cfg.Logger.Info("province trust list applied", "version", doc.Version, "revocations", len(doc.Revocations))
	}
	return nil
}

func (r *Relay) pullUpdates(ctx context.Context, after int64) error {
	for {
		var resp exchange.ApplicationUpdatesResponse
		if err := r.get(ctx, exchange.PathApplicationUpdates+"?after="+strconv.FormatInt(after, 10)+"&limit=100", &resp); err != nil {
			return err
		}
		for _, u := range resp.Updates {
			if u.Cursor <= after {
				return needsStaff(fmt.Errorf("the province sent update %d when asked for those after %d", u.Cursor, after))
			}
			res, err := r.st.ApplyProvinceUpdate(ctx, u)
			if err != nil {
				return err
			}
			if res == store.UpdateRefused {
				r.cfg.Logger.Warn("province update refused; the province is told why", "cursor", u.Cursor, "application", u.Number)
			}
			after = u.Cursor
		}
		if !resp.More || len(resp.Updates) == 0 {
			return nil
		}
	}
}

// anchorLoop puts the audit chain's head in the outbox every
// AnchorInterval (when it moved), and once at start.
func (r *Relay) anchorLoop(ctx context.Context) {
	for {
		if _, err := r.st.AnchorAuditHead(ctx); err != nil && ctx.Err() == nil {
			r.cfg.Logger.Error("province: anchor the audit head", "err", err)
		}
		if !r.sleep(ctx, r.cfg.AnchorInterval, false) {
			return
		}
	}
}
