-- The hand-built portfolio of the aging tests, as of 2025-09-12 (D).
-- Every figure the golden files show is computed by hand here.
-- Allocation model (migrations/00001): settled = Σ allocations to the
-- document, minus, for a credit note, Σ allocations it funded; a payment's
-- allocated = Σ its allocations.
INSERT INTO client (entity_id, code, name, profile, credit_limit) OVERRIDING SYSTEM VALUE
VALUES (1, 'C001', 'Alpha SARL', 'standard', 400000),
       (1, 'C002', 'Bêta SA', NULL, 500000),
       (1, 'C003', 'Gamma Ltd', NULL, NULL),
       (1, 'C004', 'Delta SAS', NULL, NULL);
-- client ids are 1..4 in that order (fresh database).

INSERT INTO invoice (entity_id, client_id, number, kind, issue_date, due_date, currency, amount_incl_vat, applies_to_id)
OVERRIDING SYSTEM VALUE VALUES
-- C001 Alpha (EUR)
(1, 1, 'A1', 'invoice', '2025-08-13', '2025-09-12', 'EUR', 120000, NULL),  -- id 1: due today: 0 days, not due; 500.00 paid → 700.00
(1, 1, 'A2', 'invoice', '2025-08-12', '2025-09-11', 'EUR',  80000, NULL),  -- id 2: due yesterday: 1 day, 1–30
(1, 1, 'A3', 'invoice', '2025-07-14', '2025-08-13', 'EUR', 200000, NULL),  -- id 3: 30 days, 1–30; credit note AV1 −300.00 → 1,700.00
(1, 1, 'A4', 'invoice', '2025-07-13', '2025-08-12', 'EUR',  50000, NULL),  -- id 4: 31 days, 31–60; in dispute
(1, 1, 'AV1', 'credit_note', '2025-08-20', '2025-08-20', 'EUR', -30000, 3), -- id 5: applied to A3 on 2025-08-20 → 0.00
(1, 1, 'AV2', 'credit_note', '2025-09-01', '2025-09-01', 'EUR', -15000, NULL), -- id 6: names no invoice → unapplied −150.00
(1, 1, 'A5', 'invoice', '2025-09-13', '2025-10-13', 'EUR', 500000, NULL),  -- id 7: issued after D: not in the balance
-- C002 Bêta (EUR): the bucket edges
(1, 2, 'B1', 'invoice', '2025-06-14', '2025-07-14', 'EUR',  60000, NULL),  -- id 8: 60 days, 31–60; promise until 2025-09-30
(1, 2, 'B2', 'invoice', '2025-06-13', '2025-07-13', 'EUR',  70000, NULL),  -- id 9: 61 days, 61–90
(1, 2, 'B3', 'invoice', '2025-05-15', '2025-06-14', 'EUR',  90000, NULL),  -- id 10: 90 days, 61–90
(1, 2, 'B4', 'invoice', '2025-05-14', '2025-06-13', 'EUR', 110000, NULL),  -- id 11: 91 days, 91–120
(1, 2, 'B5', 'invoice', '2025-04-15', '2025-05-15', 'EUR', 130000, NULL),  -- id 12: 120 days, 91–120
(1, 2, 'B6', 'invoice', '2025-04-14', '2025-05-14', 'EUR', 150000, NULL),  -- id 13: 121 days, 121+
-- C003 Gamma (GBP): the replay of a past date
(1, 3, 'G1', 'invoice', '2025-09-01', '2025-10-12', 'GBP', 100000, NULL),  -- id 14: −30 days, not due
(1, 3, 'G2', 'invoice', '2025-08-01', '2025-08-31', 'GBP',  40000, NULL),  -- id 15: 12 days, 1–30; paid by P3 on 2025-09-15 (after D)
(1, 3, 'GV1', 'credit_note', '2025-09-05', '2025-09-05', 'GBP', -10000, 14), -- id 16: applied to G1 on 2025-09-20 (after D)
-- C004 Delta (EUR): paid in full, absent from the balance
(1, 4, 'D1', 'invoice', '2025-07-01', '2025-07-31', 'EUR',  10000, NULL);  -- id 17

INSERT INTO payment (entity_id, client_id, reference, received_on, currency, amount) OVERRIDING SYSTEM VALUE VALUES
(1, 1, 'VIR-P1', '2025-09-05', 'EUR', 50000),  -- id 1: fully allocated to A1
(1, 1, 'VIR-P2', '2025-09-10', 'EUR', 25000),  -- id 2: unallocated → unapplied −250.00
(1, 3, 'VIR-P3', '2025-09-10', 'GBP', 40000),  -- id 3: allocated to G2 on 2025-09-15: unapplied −400.00 at D
(1, 4, 'VIR-P4', '2025-08-05', 'EUR', 10000);  -- id 4: pays D1

INSERT INTO allocation (invoice_id, source, payment_id, credit_note_id, amount, applied_on) VALUES
(1, 'payment', 1, NULL, 50000, '2025-09-05'),
(3, 'credit_note', NULL, 5, 30000, '2025-08-20'),
(15, 'payment', 3, NULL, 40000, '2025-09-15'),
(14, 'credit_note', NULL, 16, 10000, '2025-09-20'),
(17, 'payment', 4, NULL, 10000, '2025-08-05');

UPDATE invoice i SET settled =
    COALESCE((SELECT sum(amount) FROM allocation a WHERE a.invoice_id = i.id), 0)
  - COALESCE((SELECT sum(amount) FROM allocation a WHERE a.credit_note_id = i.id), 0);
UPDATE invoice SET closed_on = '2025-08-05' WHERE number = 'D1';
UPDATE payment p SET allocated = COALESCE((SELECT sum(amount) FROM allocation a WHERE a.payment_id = p.id), 0);

INSERT INTO dispute (invoice_id, reason, opened_on) VALUES (4, 'quantité contestée', '2025-09-01');
INSERT INTO dispute (invoice_id, reason, opened_on, resolved_on) VALUES (9, 'prix', '2025-08-01', '2025-08-15');
INSERT INTO promise (invoice_id, client_id, promised_on, pay_by, until) VALUES (8, 2, '2025-09-10', '2025-09-30', '2025-09-30');

-- The reminder ledger, for the next_step column (default plans, profile
-- standard, FR calendar; no client has a payer score). It does not change
-- any amount.
INSERT INTO reminder (invoice_id, client_id, profile, step_id, level, channel, template, due_on, status) VALUES
-- B2: level2 waited out the dispute (resolved 08-15, Assomption) until Monday 18 August.
(9, 2, 'standard', 'level1', 1, 'email', 'level1', '2025-07-15', 'sent'),
(9, 2, 'standard', 'level2', 2, 'email', 'level2', '2025-08-18', 'sent'),
(9, 2, 'standard', 'level3', 3, 'email', 'level3', '2025-09-08', 'sent'),
-- B4: the whole ladder.
(11, 2, 'standard', 'level1', 1, 'email', 'level1', '2025-06-16', 'sent'),
(11, 2, 'standard', 'level2', 2, 'email', 'level2', '2025-06-30', 'sent'),
(11, 2, 'standard', 'level3', 3, 'email', 'level3', '2025-07-15', 'sent'),
(11, 2, 'standard', 'level4', 4, 'email', 'level4', '2025-07-28', 'sent'),
(11, 2, 'standard', 'level5', 5, 'registered_letter', 'formal_notice', '2025-08-13', 'sent');

-- Expected at D = 2025-09-12 (edges 30/60/90/120):
-- EUR
--  C001 Alpha: not_due 700.00 (A1 1,200.00 − 500.00)
--              d1_30  2,500.00 (A2 800.00 + A3 2,000.00 − 300.00)
--              d31_60   500.00 (A4)
--              overdue 3,000.00; unapplied −400.00 (AV2 −150.00 + P2 −250.00)
--              total 3,700.00 − 400.00 = 3,300.00; late 3,000/3,700 = 81.08%
--  C002 Bêta:  d31_60 600.00 (B1); d61_90 1,600.00 (B2 700 + B3 900);
--              d91_120 2,400.00 (B4 1,100 + B5 1,300); d121_plus 1,500.00 (B6)
--              overdue = total = 6,100.00; late 100.00%
--  TOTAL EUR:  700.00 / 2,500.00 / 1,100.00 / 1,600.00 / 2,400.00 / 1,500.00;
--              overdue 9,100.00; unapplied −400.00; total 9,400.00;
--              late 9,100/9,800 = 92.857… → 92.86%
-- GBP
--  C003 Gamma: not_due 900.00 (G1 900.00 today + 100.00 GV1 applied after D;
--              GV1 at D: 0.00 − 100.00 = −100.00, aged with G1) → 1,000.00 − 100.00
--              d1_30 400.00 (G2 0.00 today + 400.00 allocated after D)
--              unapplied −400.00 (P3: 0.00 unallocated today + 400.00 allocated after D)
--              total 1,300.00 − 400.00 = 900.00; late 400/1,300 = 30.769… → 30.77%
-- C004 Delta: total 0 and unapplied 0 → absent.
--
-- Next step at D (Friday 12 September, a business day), default plans:
--  A1 due today: pre-due window opened prev_bd(09-07) = Friday 09-05 → pre_due 2025-09-12
--  A2, A3, A4, B1, B3, B5, G2: overdue, nothing sent → level1 on D (2025-09-12);
--      A4's dispute and B1's promise hold it, shown in their own columns
--  B6: level1 on D, and provision (+121d = 09-12) too: the message wins → level1 2025-09-12
--  B2: level3 sent 09-08, min_gap 7d → level4 on Monday 2025-09-15 (+45d = 08-27 passed)
--  B4: ladder done → provision at +121d = Sunday 2025-10-12 (actions fire any day)
--  G1 due Sunday 10-12: pre_due at −5d = Tuesday 2025-10-07
--  credit notes and payments: none.
