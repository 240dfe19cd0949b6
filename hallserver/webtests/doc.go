// Package webtests drives the hall's web pages in a real headless Chromium
// (Debian's chromium, through github.com/chromedp/chromedp) against a real
// hall server (hallserver/halltest). It has only tests; scripts/test
// installs chromium when it is missing.
package webtests
