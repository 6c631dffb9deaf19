// Package digest is the daily email to the credit managers: once a day,
// after the sweep, each entity's digest lists the alerts raised since the
// previous one (internal/watch) and the figures of the days since — the
// messages sent by level, the registered letters (from the letter table,
// and those still in the outbox to post), the disputes opened,
// the amounts collected — with the messages the day's sweep decided. It is
// written in the entity's locale (fr or en, templates/*.tmpl) and goes out
// through the mail transport the reminders use, to digest.to.
//
// The digest of day D covers the days from the previous digest's day to
// D − 1, so a Monday digest tells Friday to Sunday, and the alerts after
// the last one the previous digest listed. Each digest sent leaves a
// digest_sent event; a digest already sent for an entity and a day is not
// sent again, so a retried job resends only what did not go.
package digest
