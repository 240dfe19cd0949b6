// Package web holds the hall's web pages — the counter console, the call
// display, the phone ticket page and the supervisor pages — as embedded
// files served by the hall server. No CDN and no outside font: a hall
// network may have no internet. Pages are plain HTML, CSS and JavaScript
// modules talking to /api/v1 (fetch, and EventSource for live events)
// with the session cookie and the CSRF header.
package web

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
	"sync"

	"onestop/assets"
)

//go:embed static
var static embed.FS

// CSP is the content security policy of every page: everything from the
// hall server itself, no inline script or style, no framing.
const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; font-src 'self'; media-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"

// Pages maps each page's path pattern to its HTML file in static/.
var Pages = map[string]string{
	"GET /{$}":            "index.html",
	"GET /console":        "console.html",
	"GET /display":        "display.html",
	"GET /t/{token}":      "ticket.html",
	"GET /supervisor":     "supervisor.html",
	"GET /supervisor/{p}": "supervisor.html",
}

// Mount adds the pages and the static files to mux.
func Mount(mux *http.ServeMux) {
	for pattern, file := range Pages {
		mux.Handle(pattern, page(file))
	}
	mux.Handle("GET /static/", http.StripPrefix("/static/", http.HandlerFunc(serveStatic)))
}

// page serves one HTML page. Pages hold no data: scripts fetch it.
func page(file string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, err := static.ReadFile("static/" + file)
		if err != nil {
			http.NotFound(w, r)
			return
		}
		h := w.Header()
		h.Set("Content-Type", "text/html; charset=utf-8")
		h.Set("Content-Security-Policy", CSP)
		h.Set("Cache-Control", "no-cache")
		w.Write(b)
	})
}

// fontFile is the embedded Latin + CJK font, served for pages on screens
// (TVs) that have no Chinese font.
const fontFile = "font.ttf"

var etags sync.Map // path → ETag

// serveStatic serves a file of static/ (and the font) with an ETag, so
// that a display board reloads only what changed.
func serveStatic(w http.ResponseWriter, r *http.Request) {
	name := path.Clean(r.URL.Path)
	if strings.Contains(name, "..") || name == "." {
		http.NotFound(w, r)
		return
	}
	var b []byte
	var err error
	if name == fontFile {
		b = assets.Font()
	} else {
		b, err = fs.ReadFile(static, "static/"+name)
	}
	if err != nil {
		http.NotFound(w, r)
		return
	}
	tag, ok := etags.Load(name)
	if !ok {
		sum := sha256.Sum256(b)
		tag = `"` + hex.EncodeToString(sum[:8]) + `"`
		etags.Store(name, tag)
	}
	h := w.Header()
	h.Set("ETag", tag.(string))
	h.Set("Cache-Control", "no-cache")
	if ct := mime.TypeByExtension(path.Ext(name)); ct != "" {
		h.Set("Content-Type", ct)
	}
	if r.Header.Get("If-None-Match") == tag.(string) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Write(b)
}
