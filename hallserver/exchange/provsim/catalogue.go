package provsim

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"onestop/hallserver/catalogue"
)

// PublishCatalogue makes c the next catalogue version, which halls then
// pull. The catalogue must be valid (catalogue.Validate).
func (p *Province) PublishCatalogue(ctx context.Context, c *catalogue.Catalogue) (int64, error) {
	if c == nil {
		return 0, fmt.Errorf("%w: no catalogue", ErrInvalid)
	}
	if err := c.Validate(); err != nil {
		return 0, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	var version int64
	err := p.write(ctx, func(tx *sql.Tx) error {
		var err error
		version, err = insertCatalogue(tx, c, p.now())
		return err
	})
	if err != nil {
		return 0, err
	}
	p.log.Info("provsim: catalogue published", "version", version, "catalogue_version", c.Version)
	return version, nil
}

func insertCatalogue(tx *sql.Tx, c *catalogue.Catalogue, now time.Time) (int64, error) {
	body, err := json.Marshal(c)
	if err != nil {
		return 0, fmt.Errorf("provsim: encode catalogue: %w", err)
	}
	var version int64
	if err := tx.QueryRow("SELECT COALESCE(MAX(version), 0) + 1 FROM catalogues").Scan(&version); err != nil {
		return 0, fmt.Errorf("provsim: next catalogue version: %w", err)
	}
	if _, err := tx.Exec("INSERT INTO catalogues(version, body, published_at) VALUES (?,?,?)", version, body, ms(now)); err != nil {
		return 0, fmt.Errorf("provsim: store catalogue version %d: %w", version, err)
	}
	return version, nil
}

// latestCatalogue returns the newest version and its JSON.
func (p *Province) latestCatalogue(ctx context.Context) (int64, []byte, error) {
	var version int64
	var body []byte
	err := p.rdb.QueryRowContext(ctx, "SELECT version, body FROM catalogues ORDER BY version DESC LIMIT 1").Scan(&version, &body)
	if err != nil {
		return 0, nil, fmt.Errorf("provsim: read catalogue: %w", err)
	}
	return version, body, nil
}
