package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/relance/relance/internal/watch"
)

func newAlertsCmd(a *app) *cobra.Command {
	var since, format string
	var kinds []string
	var check, all bool
	r := recording{}
	cmd := &cobra.Command{
		Use:   "alerts [--since DATE] [--kind KIND…]",
		Short: "List the alerts: limits crossed, insolvencies, broken promises, bounces, stale data…",
		Long: `alerts lists what relance raised for a credit manager to look at, oldest
first, in the entity's words (alerts about the engine itself concern every
entity). Each alert is raised once, as an event of kind alert_*:

  credit_limit        a client's outstanding reached 50, 70, 90 or 100 % of its
                      credit limit (after an import or an API write; once per
                      crossing upward)
  insolvency          an import of the BODACC found a client in a collective
                      procedure (relance import insolvencies)
  promise_broken      a promise to pay passed unpaid
  bounce              a client's address refused for good
  letter_returned     the letter provider reports a formal notice refused by
                      the client or undeliverable (POST /webhooks/letters)
  dispute_overdue     a dispute open longer than alerts.dispute_days (30)
  claim_deadline      a claim declaration due within alerts.claim_days (15)
  stale_data          an entity's payment data older than sweep.max_data_age:
                      its sends wait until fresh data arrives
  sweep_missed        a business day whose sweep did not run by the end of
                      the send window
  send_stuck          sends waiting past alerts.stuck_after (30m) while none
                      finished meanwhile: no worker takes them
  job_failed          a job discarded or cancelled, a message that could not
                      be produced
  send_queue_paused   relance paused the send queue after refusals of ours

relance serve looks for them every alerts.every (5m) and sends them each
morning after the sweep in the digest (digest.to); Prometheus reads
relance_alerts_total{kind}. --check looks for new ones first, as the daemon
does, for an installation without it.

Examples:
  relance alerts
  relance alerts --since 2025-09-01 --kind credit_limit --kind insolvency
  relance alerts --check --format json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if format != "text" && format != "json" {
				return fmt.Errorf("--format %q: want text or json", format)
			}
			var f watch.Filter
			for _, k := range kinds {
				for _, one := range strings.Split(k, ",") {
					full, ok := watch.IsKind(strings.TrimSpace(one))
					if !ok {
						return fmt.Errorf("--kind %q: want one of %s", one, strings.Join(shortKinds(), ", "))
					}
					f.Kinds = append(f.Kinds, full)
				}
			}
			s, err := a.openLedger(cmd.Context(), r)
			if err != nil {
				return err
			}
			defer s.close()
			if since != "" {
				day, err := time.ParseInLocation(time.DateOnly, since, s.cfg.Location())
				if err != nil {
					return fmt.Errorf("--since %q: want YYYY-MM-DD", since)
				}
				f.Since = day
			}
			if !all {
				f.Entity = s.store.EntityCode()
			}
			if check {
				scan, err := a.scanner(s.cfg, s.pool)
				if err != nil {
					return err
				}
				if _, err := scan.Scan(cmd.Context()); err != nil {
					return err
				}
			}
			list, err := watch.List(cmd.Context(), s.pool, f)
			if err != nil {
				return err
			}
			if format == "json" {
				return writeAlertsJSON(a.stdout, list, s.locale())
			}
			writeAlerts(a.stdout, list, s.locale(), s.cfg.Location())
			return nil
		},
	}
	cmd.Flags().StringVar(&since, "since", "", "only alerts raised on or after this day, YYYY-MM-DD")
	cmd.Flags().StringArrayVar(&kinds, "kind", nil, "only this `KIND` of alert (repeatable; e.g. credit_limit, insolvency)")
	cmd.Flags().BoolVar(&check, "check", false, "look for new alerts first, as relance serve does every alerts.every")
	cmd.Flags().BoolVar(&all, "all", false, "every entity's alerts (default: the entity's and the engine's)")
	cmd.Flags().StringVar(&format, "format", "text", "output format: text or json")
	r.registerEntity(cmd)
	return cmd
}

func shortKinds() []string {
	out := make([]string, len(watch.Kinds))
	for i, k := range watch.Kinds {
		out[i] = strings.TrimPrefix(k, "alert_")
	}
	return out
}

// writeAlerts prints one alert a line: when, what, about which entity, and
// the sentence that says it.
func writeAlerts(w io.Writer, list []watch.Alert, locale string, loc *time.Location) {
	if len(list) == 0 {
		fmt.Fprintln(w, say(locale, "aucune alerte", "no alert"))
		return
	}
	layout := "2006-01-02 15:04"
	if locale == "fr" {
		layout = "02/01/2006 15:04"
	}
	t := table(w)
	fmt.Fprintln(t, say(locale, "QUAND\tALERTE\tENTITÉ\tDÉTAIL", "WHEN\tALERT\tENTITY\tDETAIL"))
	for _, al := range list {
		entity := al.Entity
		if entity == "" {
			entity = "—"
		}
		fmt.Fprintf(t, "%s\t%s\t%s\t%s\n", al.At.In(loc).Format(layout), watch.Title(al.Kind, locale), entity, al.Summary(locale))
	}
	_ = t.Flush()
}

// alertJSON is one alert in `relance alerts --format json`.
type alertJSON struct {
	ID      int64          `json:"id"`
	At      time.Time      `json:"at"`
	Kind    string         `json:"kind"`
	Day     string         `json:"day"`
	Entity  string         `json:"entity,omitempty"`
	Client  string         `json:"client,omitempty"`
	Summary string         `json:"summary"`
	Actor   string         `json:"actor"`
	Detail  map[string]any `json:"detail"`
}

func writeAlertsJSON(w io.Writer, list []watch.Alert, locale string) error {
	out := make([]alertJSON, len(list))
	for i, al := range list {
		out[i] = alertJSON{ID: al.ID, At: al.At, Kind: al.Kind, Day: al.Day.Format(time.DateOnly), Entity: al.Entity,
			Client: al.Client, Summary: al.Summary(locale), Actor: al.Actor, Detail: al.Detail}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(map[string]any{"alerts": out})
}
