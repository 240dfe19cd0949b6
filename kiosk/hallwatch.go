package kiosk

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"time"

	"onestop/hallserver/catalogue"
)

// probeHall checks the hall server every ProbeEvery (more often while it
// is away) and keeps the hall's name and catalogue fresh. The home screen
// shows which functions work; the kiosk reconnects by itself.
func (k *Kiosk) probeHall() {
	every := k.opts.ProbeEvery
	if every == 0 {
		every = 10 * time.Second
	}
	for {
		online := k.probeOnce()
		wait := every
		if !online {
			wait = min(every, 2*time.Second)
		}
		select {
		case <-k.ctx.Done():
			return
		case <-time.After(wait):
		}
	}
}

// probeOnce asks the hall server for its identity (and, the first time
// or after an outage, the catalogue) and updates the screen if it came or
// went. It reports whether the server answered.
func (k *Kiosk) probeOnce() bool {
	k.mu.Lock()
	hall := k.hallNow() // the technician screen may set it (under the UI lock)
	k.mu.Unlock()
	if hall == nil {
		k.do(func() { k.setOnline(false) })
		return false
	}
	ctx, cancel := context.WithTimeout(k.ctx, 5*time.Second)
	defer cancel()
	info, err := hall.Hall(ctx)
	if err != nil {
		k.do(func() { k.setOnline(false) })
		return false
	}
	var cat *catalogue.Catalogue
	k.mu.Lock()
	needCatalogue := !k.online || k.cat == nil || time.Since(k.catFetched) > catalogueRefresh
	k.mu.Unlock()
	if needCatalogue {
		if c, err := hall.Catalogue(ctx); err == nil {
			cat = c
			k.saveCachedCatalogue(c)
			k.mu.Lock()
			k.catFetched = time.Now()
			k.mu.Unlock()
		}
	}
	k.do(func() {
		k.hallInfo = info
		if cat != nil {
			k.cat = cat
		}
		k.setOnline(true)
	})
	return true
}

// setOnline records whether the hall server answers, and redraws the
// screen when that changed.
func (k *Kiosk) setOnline(on bool) {
	if k.online == on {
		return
	}
	k.online = on
	k.render()
}

// Online reports whether the hall server answered the last probe.
func (k *Kiosk) Online() bool { return k.online }

// ProbeNow checks the hall server at once (tests; the technician screen).
func (k *Kiosk) ProbeNow() bool { return k.probeOnce() }

const catalogueCacheFile = "catalogue.json"

// catalogueRefresh is how often the kiosk fetches the catalogue again
// while the hall server is up: items, fees and materials change.
const catalogueRefresh = 10 * time.Minute

// loadCachedCatalogue reads the catalogue saved when the hall server was
// last reached, so that the guide works from the first moment.
func (k *Kiosk) loadCachedCatalogue() *catalogue.Catalogue {
	if k.opts.CacheDir == "" {
		return nil
	}
	b, err := os.ReadFile(filepath.Join(k.opts.CacheDir, catalogueCacheFile))
	if err != nil {
		return nil
	}
	c, err := catalogue.Parse(b)
	if err != nil {
		return nil
	}
	return c
}

// saveCachedCatalogue keeps the catalogue for the next outage. Errors are
// not worth a screen: the guide then works only while the server does.
func (k *Kiosk) saveCachedCatalogue(c *catalogue.Catalogue) {
	if k.opts.CacheDir == "" {
		return
	}
	b, err := json.Marshal(c)
	if err != nil {
		return
	}
	if err := os.MkdirAll(k.opts.CacheDir, 0o755); err != nil {
		return
	}
	tmp := filepath.Join(k.opts.CacheDir, catalogueCacheFile+".tmp")
	if os.WriteFile(tmp, b, 0o644) == nil {
		os.Rename(tmp, filepath.Join(k.opts.CacheDir, catalogueCacheFile))
	}
}
