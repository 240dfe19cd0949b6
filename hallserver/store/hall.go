package store

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"onestop/hallserver/catalogue"
)

var hallCodePattern = regexp.MustCompile(`^[A-Z0-9][A-Z0-9-]{1,31}$`)

// ValidateHall checks a hall's identity.
func ValidateHall(h Hall) error {
	if !hallCodePattern.MatchString(h.Code) {
		return fmt.Errorf("%w: hall code %q: use 2 to 32 uppercase letters, digits and dashes, e.g. 520000-ZWFW", ErrInvalid, h.Code)
	}
	if strings.TrimSpace(h.Name) == "" {
		return fmt.Errorf("%w: hall name is empty: give the hall's full name, e.g. 贵州省政务服务中心", ErrInvalid)
	}
	return nil
}

// InitHall makes the database a new hall: its identity, settings and
// catalogue. It fails with ErrConflict when the hall exists already.
func (s *Store) InitHall(ctx context.Context, a Actor, h Hall, c *catalogue.Catalogue) error {
	if err := ValidateHall(h); err != nil {
		return err
	}
	return s.write(ctx, func(tx *Tx) error {
		if code, ok, err := metaValue(ctx, txQuerier{tx}, "hall_code"); err != nil {
			return err
		} else if ok {
			return fmt.Errorf("%w: this data directory already holds hall %s", ErrConflict, code)
		}
		st := DefaultSettings()
		for k, v := range map[string]string{
			"hall_code":               h.Code,
			"hall_name":               h.Name,
			"created_at":              strconv.FormatInt(tx.now.UnixMilli(), 10),
			"policy":                  st.PolicyText,
			"no_show_after_recalls":   strconv.Itoa(st.NoShowAfterRecalls),
			"default_service_seconds": strconv.Itoa(st.DefaultServiceSeconds),
		} {
			if err := tx.setMeta(k, v); err != nil {
				return err
			}
		}
		if err := tx.importCatalogue(c); err != nil {
			return err
		}
		h.CreatedAt = tx.now
		return tx.Audit(a, "hall.init", "hall", h.Code, nil, map[string]any{
			"hall": h, "settings": st, "catalogue_version": c.Version,
		})
	})
}
