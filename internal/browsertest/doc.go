// Package browsertest drives Debian's headless Chromium with chromedp for
// the tests of relance's pages: New starts a browser for a test, Login logs
// a user in through the login form, Screenshot saves the page as a PNG, and
// Text and HasText read what it shows. A missing Chromium fails the test
// with the command that installs it (`make deps-browser`, which `make test`
// runs): browser tests never skip.
package browsertest
