// Package worker holds relance's River jobs: the daily sweep that decides which
// (invoice, step) pairs are due and records them in the reminder ledger, the
// send worker that re-checks, renders and sends one message per client, day,
// channel and currency, and the reconciliation that gives the sweep back the
// reminders whose send job died.
//
// The data flows one way (DESIGN.md §3): the sweep evaluates the open
// invoices that can take a step in one set-based SQL statement (sweep.sql), inserts the decisions
// into the reminder ledger (unique on invoice and step, so nothing is ever
// decided twice) and inserts the River send jobs in the same transaction; the
// send worker locks its rows, sends, and marks them sent in one transaction,
// and River's batch completer completes the job after it.
//
// Choices worth knowing:
//
//   - Replay. The sweep of day D reads the ledger as of D through the
//     functions of migration 00020 (internal/ledger/asof.go: a settlement
//     counts once it is applied and both of its sides exist), reminder rows
//     with due_on < D are history, rows with due_on = D are that day's
//     decisions and are reported again (Decision.Fresh false) by a replay,
//     which enqueues nothing new. The SQL agrees with plans.Resolve, the
//     reference, on a randomized portfolio (pauses, exclusions, disputes
//     with an end, promises kept and broken) whose send jobs meet random
//     fates.
//   - What the daily sweep reads (issue 16). Its cost follows what changed,
//     not the size of the ledger. Each client's net balance comes from
//     client_balance, kept on write (ledger_client_net, migration 00160),
//     not from adding up every open item. Each invoice has a wake day
//     (sweep_wake.wake_on, migration 00161, indexed): a lower bound of the
//     first day a step of it could be decided under its client's profile
//     (explicit, first assign rule, default: sweep_rule and sweep_plan hold
//     the plan the wake days were computed with; a changed plan makes the
//     next sweep read everything again; while a rule looks at the net
//     balance, which moves without a write to the client, the bound is the
//     earliest over every profile), counting its due date, the steps already
//     recorded, the ladder level reached, min_gap after the last level went,
//     and 'infinity' for an invoice paid, excluded or a credit note. A
//     pre-due notice wakes its invoice on the business day the sweep would
//     decide it (prev_bd of due + offset in business_day, the client's
//     country), or, where business_day does not reach yet (a month ahead),
//     pre_due_lead days early: the longest run of non-business days in the
//     calendars loaded, plus two (a longer run resets the wake days). A
//     ladder level pending on its job counts from the day it was decided, a
//     lower bound of the day it goes out (the send worker records sent_on ≥
//     due_on): whatever the send makes of the row, sent or failed, the wake
//     stays right, and the send path writes no wake day. Only what can bring
//     a step closer resets a wake to '-infinity' (read on the next sweep):
//     an invoice's dates, exclusion or open state, or an outstanding that
//     rises (invoice trigger), a reminder row dropped, moved or deleted
//     (reminder triggers), a client's profile, score, country or segment
//     (client trigger). Two holds sleep ('infinity', migration 00170) until
//     the write that ends them: an invoice below its profile's min_amount
//     (its outstanding only rises by a write; a lower min_amount is a plan
//     change; not while a rule looks at the net balance), and the invoices
//     of a client whose net balance on D is ≤ 0: the client goes into
//     sweep_net_sleep, and each fast sweep reads the net balance on D of
//     the clients there (kept on write, migration 00160) and reads again
//     the invoices of those who owe again — pulled by the sweep, not pushed
//     by a trigger, because the net balance on D also moves with D
//     (documents issued, payments received later). Holds that end by
//     themselves (a dispute's until, a promise, a pause, an insolvency) are
//     not in it: an invoice held on its step day stays awake and is read
//     each day until the step goes. The sweep reads through
//     sweep_waking_document (the invoices awake on D, plus those an
//     allocation that does not count yet reopens on D, plus those of the
//     clients owing again), and the balances, clients and ladder rows of
//     those invoices only, for the real sweep of a day on or after every
//     recorded decision and the latest day swept so (sweep_state). The same
//     statement computes, from D, the next wake of every invoice it read,
//     from the invoice, its client's profile and its ladder with the day's
//     decisions (sweep_wake_day, the one definition of the rule, which
//     sweep_wake_of also applies to the rows read whose invoice is not in
//     dunning), and writes those that move past D, by key (no lock: a ctid
//     guard skips a row a concurrent reset wrote after the read). A replay
//     of a past day, an explaining run and a sandboxed one read the whole
//     ledger as of D, as before: the wake days only hold from the latest
//     day on. SweepResult.Fast says which way a sweep read.
//     TestFastSweepDecidesAsTheFullSweep runs both each day over a changing
//     portfolio and requires the same decisions;
//     TestHeldInvoicesSleepUntilTheWrite that each sleeping hold wakes on
//     the write (or the day) that ends it.
//   - Explain. With SweepOptions.Explain the same statement also returns the
//     invoices a message would have gone out for but for a hold
//     (insolvency, paused, net_balance, dispute, promise, min_amount, case,
//     waiting, gap, no_email, bouncing; an excluded invoice or client is out
//     of dunning, not held): the preview runs the sweep of each day so, in a
//     transaction it rolls back, and shows what the daemon would do from the
//     one definition of the rules.
//   - Sandbox. A simulation that must not touch the real reminder ledger
//     (`relance plan diff` replays a past period under two plans) runs the
//     sweep in a transaction where Sandbox has given every table the sweep
//     writes a temporary twin, which PostgreSQL resolves before the real
//     table; the reminder twin holds the history as it stood on the
//     simulation's first morning. SweepOptions.Sandboxed then skips the
//     sweep lock: nothing such a run writes can reach another session, so
//     two simulations run side by side and the daemon's sweep never waits
//     for one. The ledger tables are only read, through the same statement.
//   - The ladder's clock. The next level waits min_gap days from the day the
//     previous one was sent (reminder.sent_on), not decided. A row still
//     pending on a live job blocks the next level without starting the
//     clock, so after an outage the client gets level 1 first and level 2
//     min_gap days later. sent_on is the job's day plus the whole days the job
//     waited since it was enqueued: today under the daemon, the replayed day
//     under `sweep --as-of D --drain`.
//   - Pending only while something will send it. A row stays 'pending' only
//     while a live send job (available, scheduled, retrying, running) names
//     it. When the job is discarded (out of attempts: the relay down longer
//     than every retry), cancelled or deleted (River UI, River's cleaner),
//     Reconcile drops the row with the job's fate as the reason
//     (job_discarded, job_cancelled, job_deleted) and records a
//     'reminder_undelivered' event with the job's last error. A dropped row
//     is not history, so the sweep decides the step again on the next
//     business day. The mechanism is a reconciliation rather than River's
//     job hooks because hooks only see jobs this process works: a
//     cancellation or a deletion in River UI, or a job discarded by the
//     rescuer of another replica, never passes through one. It runs at the
//     start of every sweep (inside the sweep's transaction, so the evaluation
//     sees the rows returned), every ReconcileEvery on the daemon's leader
//     (a cancellation at 15:00 shows within minutes, not at tomorrow's
//     sweep), and at the end of `sweep --drain` (so its report is true).
//   - Revival. A row the send worker drops (paid, disputed, under promise,
//     insolvent, client paused or excluded, bouncing address… reason in
//     drop_reason) or whose job died
//     is not history: the ladder does not count it, and when the step comes
//     due again the sweep revives that same row (status back to pending,
//     due_on moved to the new day). A replay of the day it was first decided
//     then no longer finds it. A sent or failed row is never touched again.
//   - Who is to blame (DESIGN.md §2). The mail transport says at which SMTP
//     stage a send failed and for which recipient (mail.FaultOf). Only a 5xx
//     on RCPT TO of the client's own address (or an address that is not one)
//     is the client's: the address is marked bouncing (email_bouncing_since,
//     email_bounce_reason), the rows fail, an 'email_bounced' event is
//     recorded and the job cancelled. From that day the sweep decides no
//     email step for the client (so the ladder waits) until someone clears
//     the mark; registered letters still go. A 5xx on connect, AUTH, MAIL
//     FROM, DATA or our own Bcc, or a failed TLS handshake, is our
//     configuration or our relay: nothing is recorded against the client,
//     the job retries with backoff, an ERROR line and the
//     relance_relay_refusals_total metric say so, and after
//     SendWorker.PauseAfter such refusals in a row the send queue pauses for
//     every replica with a 'send_queue_paused' event. serve and
//     `sweep --drain` lift relance's own pause when they start (whoever
//     restarts them has presumably fixed the cause); an operator's pause in
//     River UI is left alone.
//   - The re-check window. The send worker takes its SMTP connection first
//     (waiting for the pool, the rate limit, a dial), then locks its rows
//     FOR UPDATE, re-checks and composes, then sends: between the re-check
//     and the relay's acceptance lies one SMTP transaction, not a wait for
//     a free connection (relance_send_recheck_to_accept_seconds); only a
//     pooled connection the relay closed while idle adds a dial, found at
//     MAIL FROM instead of by a NOOP per message. With a relay that offers
//     PIPELINING (internal/mail) that transaction is two round trips, the
//     envelope in one write and the message in the other, whatever the
//     number of recipients. A payment or a
//     dispute committed before the lock is seen by the re-check; one
//     committed after it (it takes no lock the send holds) can still be in
//     the message: that is the window, which reliability's
//     TestFaultPaymentsAndDisputesDuringSending counts, and the next sweep
//     decides with it.
//   - Two round trips a message (send_tx.go, send_lock.sql, mark_sent.sql).
//     A send takes its SMTP connection, then sends BEGIN and the statement
//     that reads what the message needs in one round trip (a pgx batch on
//     one pooled connection): its rows locked FOR UPDATE, each with its
//     invoice and the re-check as of the day (paid, disputed, promised, in
//     court, the client insolvent, paused, excluded, bouncing), the
//     invoices' dated settlements for the penalties, both parties, and the
//     as-of of the entity's newest payment data, which the freshness guard
//     judges without a query (FreshnessGuard.Stale; only a held send calls
//     Hold, which raises the alert). After the relay's acceptance the
//     connection goes back to the pool at once, and the mark and COMMIT go
//     in one more round trip while the next message uses it. It is the
//     transaction pgx.Tx would run, statement for statement, so the lock,
//     the re-check and exactly-once are unchanged: a statement that fails
//     inside a pipeline makes PostgreSQL skip the COMMIT after it, and the
//     deferred rollback ends the aborted transaction; a COMMIT answered
//     ROLLBACK is an error. The pipelining only removes the waits: one
//     database round trip, not two, lies between taking the relay's
//     connection and sending on it. A registered letter keeps a pgx.Tx
//     (its ledger writes open savepoints).
//   - Planned once. The lock statement runs under its cached generic plan
//     (SET LOCAL plan_cache_mode in the same round trip): left to choose,
//     PostgreSQL planned it again at every execution, 0.86 ms of planning
//     for 0.09 ms of execution, two thirds of its CPU in a drain.
//   - Jobs in hand (river.go). River fetches the send queue at most every
//     sendFetchCooldown and never more jobs than it has free slots; with a
//     slot per worker, and the workers queued for the relay's two or so
//     connections, that fetch capped a drain near 650 messages a second.
//     River now hands the process sendJobsPerWorker jobs per worker
//     (sweep.send_concurrency): the jobs beyond the workers wait for a turn
//     (SendWorker.Concurrency) before anything, holding neither a database
//     connection nor the relay's, so the workers and the pool are as
//     before. A relay with a rate limit sets its own pace, and a job
//     waiting its turn would spend its timeout: then River hands out one
//     job per worker, as before. A relay so slow that the jobs in hand,
//     taken two or so at a time, outlast half a job's timeout (64 jobs on 2
//     connections at 2 s a message) leaves jobs without a turn: each has
//     done nothing and is snoozed (SendWorker.turn), which spends no
//     attempt, so nothing is discarded, back in the queue at once (a
//     snooze into the future would look to a drain like the freshness
//     guard's hold, which ends it early); such a relay still wants a
//     rate_per_minute. Jobs in hand are 'running' for River: a killed
//     process's wait for the rescuer (RescueAfter), as ever.
//   - One job per message, still. A job carrying a batch of messages to
//     the same relay (each in its own transaction, as now) would cut
//     River's fetch and completion, about a third of a drain's statement
//     time, by the batch size. It was weighed and not done: a retry would
//     redo the whole batch (the messages already sent find their rows no
//     longer pending and go no further, so nothing goes twice, but one
//     message's failure would hold the others' completion and spend their
//     attempts); a bounce cancels its job and the freshness guard snoozes
//     its job, both meant for one client's message; River UI's cancel,
//     the reconciliation's job fates and the drain's counts all read one
//     job as one message; and the sweep, which enqueues the jobs, would
//     have to group them.
//   - Completion in batches, exactly once all the same. The job is not
//     completed in the send's transaction (river.JobCompleteTx, one more
//     statement per message, after which River's completer still ran its
//     own no-op update): Work commits the rows and returns nil, and River's
//     batch completer marks up to thousands of jobs completed in one
//     statement. What makes a message go once is the rows' status, not the
//     job's: the send locks its rows FOR UPDATE and sends only those still
//     'pending', and marks them 'sent' in the transaction that holds the
//     lock. A process killed after that commit and before the batch left
//     its job 'running'; the rescuer retries it, the retry finds no pending
//     row and sends nothing. A process killed before the commit leaves the
//     rows pending, and the retry sends with the same Message-ID (the
//     window of one SMTP transaction, as before). Reconcile reads the jobs'
//     states only for rows still pending, which a completed-late job never
//     has. The sweep keeps JobCompleteTx: a day's sweep is one job a day,
//     and its completion is what makes a replica skip the day. River's
//     batch completer is its client's default and has no setting (River
//     0.51: a batch every 50 ms, up to 5,000 jobs a statement); what it
//     costs is the update of each job's row (about a third of a drain's
//     statement time with the fetch, bench/analysis.md), which only fewer
//     jobs would cut (one job per message, above).
//   - Recovery in minutes. Every job sets its own timeout, and River's rescue
//     delay is set from the send job's (RescueAfter: 1.5 × mail.send_timeout),
//     so a killed replica's sends resume within minutes instead of River's
//     default hour; River leaves a running job alone until its own timeout
//     has passed, so the sweep (SweepTimeout) is not taken from a live run.
//   - Actions. Provision and phone_call steps are recorded by the sweep
//     statement, their ledger rows 'sent' at once; a phone_call step also
//     creates its task there, due on the client's next business day. Like
//     messages they wait while the invoice is disputed or promised, or the
//     client insolvent, paused or excluded. An open legal case
//     (ledger_open_case, migration 00060) holds only the messages: an
//     invoice in court is still provisioned, and the send worker's re-check
//     drops a message whose invoice went to court meanwhile (legal_case).
//   - The review makes the proposals. Right after the evaluation, in the
//     same transaction, the sweep reviews the provisions
//     (ledger.ReviewProvisions over provision_due, migration 00050): each
//     provision step that fired is priced by the matrix (bucket × profile);
//     a proposal above 0 is made with its 'provision_proposed' event, its
//     411 → 416 reclassification and its 6817/491 provision, and the
//     provision booked follows the outstanding and the rate afterwards
//     (491/7817 reversals). An insolvency opened makes every invoice issued
//     before it doubtful whatever its age, and one published calls for a
//     claim-declaration task on a business day (ledger.ReviewClaimTasks).
//     The review runs after the evaluation because it prices what the
//     evaluation has just recorded (a step is proposed on the day it
//     fired), and the evaluation reads nothing the review writes. The
//     preview runs the same Run, so it shows the same proposals. A daily
//     review prices only the invoices without a proposal and those whose
//     pricing changed since their proposal was last reviewed (migration
//     00190: a bucket crossed, a settlement, an amount, an insolvency, the
//     step's profile); a replay, a changed matrix and the first review
//     price every doubtful invoice
//     (TestIncrementalProvisionReviewBooksAsTheFullReview). A sandbox
//     carries the review's state over when it holds for its first day, so
//     that day reviews as the daemon's sweep would
//     (TestSandboxFirstDayReviewsAsTheDaemonWould); else its first review
//     is a full one over empty twins. It
//     does not even read the others (migration 00270): statement triggers
//     on invoice, allocation and client updates and on the action reminders
//     list the invoices written in provision_review_touch, which the review
//     empties of what it saw (a write committed after its snapshot waits
//     for the next one), and each invoice it reads gets a wake day in
//     provision_review_wake (the next bucket boundary, the day a late
//     settlement starts to count), as the sweep's own wake days; the
//     provision steps recorded since the last review and the insolvent
//     clients' invoices are read every time. No trigger on an insert into
//     invoice or allocation: the first import pays nothing for it.
//   - What ends by itself. Each sweep first calls ledger's Settle: promises
//     whose amount was paid are kept (released that day), those past their
//     end unpaid are broken (dunning resumes the day after, where it
//     stopped), disputes past their `until` are closed. Outcomes are dated
//     by the data, so replays decide as the day itself did. The
//     reconciliation comes right after, before the evaluation: the two touch
//     disjoint tables and neither reads what the other writes, so their
//     order changes no decision; the ledger goes first as data flows
//     ledger → sweep → jobs.
//   - Parties and law. The creditor's identity (name, address, SIREN, VAT,
//     IBAN) comes from the client's entity and the debtor's address from the
//     client, both through internal/ledger, read inside the send's
//     transaction after the re-check; penalties follow the debtor's
//     country's rule set unless penalties.rule_set fixes one.
//   - Registered letters (level 5, letter.go) are laid out as A4 PDFs
//     (internal/letter) with a JSON manifest beside them, into
//     <letters.dir>/<day>/<client code>-<step>.pdf and .json, and handed to
//     the entity's letter channel: outbox (the manifest written last, the
//     letter waits for a person: `relance letter posted`) or webhook (a
//     signed POST to the provider, docs/letters-webhook.md). The rows count
//     as sent once the letter is handed over: the manifest written, or the
//     provider's 2xx. A debtor with no street line or city gets no letter:
//     the rows fail with what to record and a 'reminder_failed' event,
//     nothing is blamed on its email, and no copy goes alone. The letter is
//     recorded through internal/ledger (a letter row, a 'letter_ready' or
//     'letter_handed' event) in the transaction that marks the rows sent.
//   - One key per letter. The provider's Idempotency-Key is derived from the
//     reminder rows of the job (the reminder ledger's key: each row is one
//     invoice and step, decided once ever), so a retry after a crash
//     between the provider's 2xx and our commit carries the same key: the
//     provider answers as the first time and posts nothing more, and the
//     letter table's unique key leaves our ledger with one letter. A 5xx,
//     a timeout or a 429 goes back to River (SendBackoff, the same key); a
//     401/403/404 is our URL or secret, retried and logged at ERROR; any
//     other 4xx is the provider refusing this letter as it is: the rows
//     fail with its words. The outbox's files are rewritten with the same
//     bytes by a retry.
//   - The letter and its email copy are one decision: one message, one set
//     of reminder rows. The letter decides "sent". The copy (the
//     formal_notice email with the PDF attached, under the Message-ID the
//     message would have as an email) goes after the handover, unless the
//     plan step says email_copy: false ('off') or the client has no working
//     address ('skipped'). A copy that fails is recorded on the letter
//     (copy_status 'failed', the reason) and as a 'letter_copy_failed'
//     event, and is not retried: a retry would hand the letter over again,
//     and a person can forward the PDF. A refusal of the client's own
//     address marks it bouncing, as for any email; the rows stay sent. The
//     relay's connection is taken first, as for an email, but a letter does
//     not wait for it: without one the copy fails and the letter goes. A
//     crash after the copy and before the commit sends the copy again on
//     retry with the same Message-ID, which mail readers fold into one.
//   - Send window. Jobs enqueued by the scheduled sweep outside the window
//     (cfg.Sweep.SendWindow in cfg.TimeZone) are scheduled for its next
//     opening; a replay (--as-of) or `sweep --drain` sends at once, and a
//     drain brings forward the day's jobs still waiting for the window.
//   - Fresh data (internal/watch). Before anything else, a send asks
//     SendWorker.Guard whether the client's entity's payment data is older
//     than sweep.max_data_age; if so the job is snoozed (River's JobSnooze:
//     no attempt counted, the rows stay pending on a live job, so the next
//     level waits too) and looks again after sweep.stale_recheck. A fresh
//     import releases it within that wait; `sweep --drain --ignore-stale`
//     drains without the guard.
//   - What follows the sweep. The daemon's sweep records a sweep_done event
//     (the missed-sweep alert looks for it) and enqueues AfterSweepArgs in
//     its own transaction: the alert scan, then the digest, once per day.
//     The leader also scans every alerts.every (WatchArgs).
//   - Concurrency. Sweeps take a transaction-level advisory lock, so two
//     sweeps never interleave one client's invoices into two messages; the
//     send worker locks its rows FOR UPDATE and skips rows no longer pending.
//   - Memory. A sweep's transaction raises work_mem to 64MB when the server
//     gives less (sweep_memory.sql): the statement looks sets up per row
//     through hashes that PostgreSQL builds only when it thinks they fit,
//     and on the default 4MB the first sweep after a million-invoice import
//     scanned its due wakes again for every invoice read (more than 6
//     minutes; 46 s with 64MB). `make bench` runs with 64MB.
package worker
