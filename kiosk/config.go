package kiosk

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"time"
)

// Config is the kiosk's configuration file (JSON). The technician screen
// edits it; cmd/kiosk reads it at start.
type Config struct {
	// Name is the kiosk's name, as enrolled: "K01".
	Name string `json:"name"`
	// ServerURL is the hall server, e.g. http://10.0.0.2:8080.
	ServerURL string `json:"server_url"`
	// DeviceToken is what enrollment gave; empty until enrolled.
	DeviceToken string `json:"device_token"`
	// Language is the home screen's language: zh (default) or en.
	Language string `json:"language"`
	// IdleSeconds returns to home and wipes the session after this long
	// without a touch (90 when 0); ElderlyIdleSeconds in elderly mode
	// (240 when 0): no time pressure.
	IdleSeconds        int `json:"idle_seconds"`
	ElderlyIdleSeconds int `json:"elderly_idle_seconds"`
	// TechnicianPIN is the argon2id hash of the technician PIN (set with
	// `kiosk --set-pin`); technician mode is locked without one.
	TechnicianPIN string `json:"technician_pin"`
	// HideCursor hides the mouse pointer (touch screens).
	HideCursor bool `json:"hide_cursor"`
	// Devices are the ports and printers.
	Devices DeviceConfig `json:"devices"`
}

// IdleTimeout is how long the kiosk waits for a touch in the mode.
func (c Config) IdleTimeout(elderly bool) time.Duration {
	if elderly {
		if c.ElderlyIdleSeconds > 0 {
			return time.Duration(c.ElderlyIdleSeconds) * time.Second
		}
		return 240 * time.Second
	}
	if c.IdleSeconds > 0 {
		return time.Duration(c.IdleSeconds) * time.Second
	}
	return 90 * time.Second
}

// Validate checks what can be checked without the devices.
func (c Config) Validate() error {
	if c.ServerURL != "" {
		u, err := url.Parse(c.ServerURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("kiosk config: server_url %q: give the hall server's address, e.g. http://10.0.0.2:8080", c.ServerURL)
		}
	}
	if c.Language != "" && c.Language != Chinese && c.Language != English {
		return fmt.Errorf("kiosk config: language %q: use zh or en", c.Language)
	}
	if m := c.Devices.PaperMM; m != 0 && m != 58 && m != 80 {
		return fmt.Errorf("kiosk config: paper_mm %d: use 58 or 80", m)
	}
	if c.IdleSeconds < 0 || c.ElderlyIdleSeconds < 0 {
		return errors.New("kiosk config: idle times cannot be negative")
	}
	return nil
}

// LoadConfig reads the configuration file. A missing file is an empty
// configuration (a new kiosk, to be set up in technician mode).
func LoadConfig(path string) (Config, error) {
	var c Config
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return c, nil
	}
	if err != nil {
		return c, fmt.Errorf("kiosk config: %w", err)
	}
	if err := json.Unmarshal(b, &c); err != nil {
		return c, fmt.Errorf("kiosk config %s: %w (fix the JSON, or move the file away to start over)", path, err)
	}
	return c, c.Validate()
}

// Save writes the configuration file atomically, readable by its owner
// only (it holds the device token).
func (c Config) Save(path string) error {
	if err := c.Validate(); err != nil {
		return err
	}
	b, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".kiosk-config-*")
	if err != nil {
		return fmt.Errorf("kiosk config: %w", err)
	}
	defer os.Remove(tmp.Name())
	err = tmp.Chmod(0o600)
	if err == nil {
		_, err = tmp.Write(append(b, '\n'))
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		return fmt.Errorf("kiosk config: save %s: %w", path, err)
	}
	return nil
}
