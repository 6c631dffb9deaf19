// Package browsertest drives Debian's headless Chromium with chromedp for
// the tests of relance's pages: New starts a browser for a test, Login logs
// a user in through the login form, Navigate opens a page, Follow clicks a
// link, a chart's bar or a form's button and waits for the next page,
// Click and SetValue fill a form, Screenshot saves the page as a PNG, and
// Text, WaitText, Count and Eval read what it shows. A missing Chromium fails the test
// with the command that installs it (`make deps-browser`, which `make test`
// runs): browser tests never skip.
package browsertest
