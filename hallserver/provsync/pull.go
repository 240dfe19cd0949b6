package provsync

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"

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
// Each runs whatever the others did: a catalogue the hall cannot take
// must not stop application updates.
func (r *Relay) PullOnce(ctx context.Context) error {
	have, err := r.st.ProvinceState(ctx)
	if err != nil {
		return err
	}
	var errs []error
	if err := r.pullCatalogue(ctx, have.CatalogueVersion); err != nil {
		errs = append(errs, fmt.Errorf("catalogue: %w", err))
	}
	if r.cfg.ProvinceKey != nil {
		if err := r.pullTrust(ctx, have.TrustVersion); err != nil {
			errs = append(errs, fmt.Errorf("trust list: %w", err))
		}
	}
	if err := r.pullUpdates(ctx, have.UpdateCursor); err != nil {
		errs = append(errs, fmt.Errorf("application updates: %w", err))
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	r.pulled()
	return nil
}

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
		return fmt.Errorf("%w: version %d from the province does not parse (a newer hall server may be needed): %w", errStaff, resp.Version, err)
	}
	applied, err := r.st.ApplyProvinceCatalogue(ctx, resp.Version, c)
	if errors.Is(err, store.ErrCatalogueWaits) {
		// Not a failure of the link: it is applied when the tickets are served.
		r.setCatalogueWaiting(err.Error())
		r.cfg.Logger.Info("province catalogue waits", "version", resp.Version, "why", err)
		return nil
	}
	if errors.Is(err, store.ErrInvalid) {
		return fmt.Errorf("%w: %w", errStaff, err)
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
		return fmt.Errorf("%w: %w", errStaff, err)
	}
	var doc exchange.TrustDocument
	if err := json.Unmarshal(resp.Document, &doc); err != nil {
		return fmt.Errorf("%w: the signed trust document does not parse: %w", errStaff, err)
	}
	if doc.Format != exchange.TrustDocumentFormat || doc.Version != resp.Version {
		return fmt.Errorf("%w: the signed trust document is %q version %d, the answer says version %d", errStaff, doc.Format, doc.Version, resp.Version)
	}
	applied, err := r.st.ApplyProvinceTrust(ctx, doc)
	if errors.Is(err, store.ErrInvalid) || errors.Is(err, store.ErrConflict) {
		return fmt.Errorf("%w: %w", errStaff, err)
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
				return fmt.Errorf("%w: the province sent update %d when asked for those after %d", errStaff, u.Cursor, after)
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
