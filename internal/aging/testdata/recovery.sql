-- The recovery KPIs' portfolio (EUR), as of 2025-03-31 with a 3-month
-- window (January to March 2025). Every expected figure is computed by hand
-- in recovery_test.go.
INSERT INTO client (entity_id, code, name) OVERRIDING SYSTEM VALUE VALUES
(1, 'R1', 'Rho SARL'),   -- id 1
(1, 'R2', 'Sigma SA');   -- id 2

INSERT INTO invoice (entity_id, client_id, number, kind, issue_date, due_date, amount_incl_vat, applies_to_id) OVERRIDING SYSTEM VALUE VALUES
(1, 1, 'A1', 'invoice', '2024-10-01', '2024-10-31', 100000, NULL),  -- id 1: in case 1 from 01-10 to 03-15
(1, 1, 'A2', 'invoice', '2025-01-05', '2025-02-04', 200000, NULL),  -- id 2
(1, 2, 'A3', 'invoice', '2025-02-01', '2025-03-03',  50000, NULL),  -- id 3: paid before its due date
(1, 2, 'A4', 'invoice', '2025-03-10', '2025-04-09',  80000, NULL),  -- id 4: not due at D
(1, 2, 'A5', 'invoice', '2024-11-01', '2024-12-01',  30000, NULL),  -- id 5: paid before the window
(1, 1, 'A6', 'invoice', '2024-12-01', '2024-12-31',  80000, NULL),  -- id 6: written off on 03-31
(1, 1, 'AV1', 'credit_note', '2025-02-10', '2025-02-10', -30000, 2); -- id 7: on A2

INSERT INTO allocation (invoice_id, source, credit_note_id, amount, applied_on) VALUES
(1, 'payment', NULL, 10000, '2024-12-15'),
(1, 'payment', NULL, 20000, '2025-01-10'),   -- the case's opening day: amicable
(1, 'payment', NULL, 50000, '2025-02-20'),   -- in the case: legal
(1, 'import', NULL, 10000, '2025-03-15'),    -- its closing day: legal
(1, 'payment', NULL, 5000, '2025-03-20'),    -- after the close: amicable
(2, 'credit_note', 7, 30000, '2025-02-10'),
(2, 'payment', NULL, 100000, '2025-03-01'),
(3, 'payment', NULL, 50000, '2025-02-25'),
(4, 'payment', NULL, 40000, '2025-03-20'),
(5, 'payment', NULL, 30000, '2024-12-20'),
(6, 'write_off', NULL, 80000, '2025-03-31');
-- A payment received on 04-02, after D, that the ERP lettered to A2 with
-- the date of 03-28: it counts from its receipt (the ledger as of a day,
-- migration 00020), so it is neither collected nor recovered in the window.
INSERT INTO payment (entity_id, client_id, reference, received_on, amount, allocated) VALUES
(1, 1, 'VIR-0402', '2025-04-02', 20000, 20000);
INSERT INTO allocation (invoice_id, source, payment_id, amount, applied_on)
SELECT 2, 'payment', id, 20000, '2025-03-28' FROM payment WHERE reference = 'VIR-0402';
UPDATE invoice i SET settled = coalesce((SELECT sum(amount) FROM allocation a WHERE a.invoice_id = i.id), 0)
WHERE kind = 'invoice';
UPDATE invoice SET settled = -30000 WHERE number = 'AV1';

INSERT INTO legal_case (id, entity_id, client_id, procedure, currency, opened_on, closed_on, outcome, opened_by)
OVERRIDING SYSTEM VALUE VALUES (1, 1, 1, 'injonction_de_payer', 'EUR', '2025-01-10', '2025-03-15', 'recovered', 'test');
INSERT INTO legal_case_invoice (case_id, invoice_id, claimed, held_from, held_to) VALUES (1, 1, 70000, '2025-01-10', '2025-03-15');
INSERT INTO legal_case_cost (case_id, kind, amount, incurred_on, created_by) VALUES
(1, 'agency_commission', 2000, '2024-12-20', 'test'),  -- before the window
(1, 'fees', 3500, '2025-01-15', 'test'),
(1, 'bailiff', 8950, '2025-02-01', 'test');

-- Registered letters: R1 on 01-02 (one letter listing A1 and A6) and 03-05;
-- one in December, one dropped, one email: not counted.
INSERT INTO reminder (invoice_id, client_id, profile, step_id, level, channel, due_on, status) VALUES
(1, 1, 'standard', 'level5', 5, 'registered_letter', '2025-01-02', 'sent'),
(6, 1, 'standard', 'level5', 5, 'registered_letter', '2025-01-02', 'sent'),
(2, 1, 'standard', 'level5', 5, 'registered_letter', '2025-03-05', 'sent'),
(5, 2, 'standard', 'level5', 5, 'registered_letter', '2024-12-10', 'sent'),
(3, 2, 'standard', 'level5', 5, 'registered_letter', '2025-02-20', 'dropped'),
(2, 1, 'standard', 'level4', 4, 'email', '2025-02-20', 'sent');

-- Promises: kept twice and broken once in the window (R2's covers A3 and
-- A4: one promise); one broken in December, one cancelled, one open.
INSERT INTO promise (invoice_id, client_id, promised_on, pay_by, until, status, settled_on, scope, created_at) VALUES
(1, 1, '2025-01-05', '2025-01-25', '2025-01-28', 'kept', '2025-02-01', 'invoice', '2025-01-05 10:00'),
(2, 1, '2025-02-20', '2025-03-01', '2025-03-04', 'kept', '2025-03-01', 'invoice', '2025-02-20 10:00'),
(3, 2, '2025-02-28', '2025-03-05', '2025-03-08', 'broken', '2025-03-09', 'client', '2025-02-28 10:00'),
(4, 2, '2025-02-28', '2025-03-05', '2025-03-08', 'broken', '2025-03-09', 'client', '2025-02-28 10:00'),
(6, 1, '2024-12-10', '2024-12-20', '2024-12-23', 'broken', '2024-12-24', 'invoice', '2024-12-10 10:00'),
(5, 2, '2025-01-05', '2025-01-25', '2025-01-28', 'cancelled', '2025-01-10', 'invoice', '2025-01-05 11:00'),
(6, 1, '2025-03-25', '2025-04-10', '2025-04-13', 'open', NULL, 'invoice', '2025-03-25 10:00');

-- Disputes: resolved in the window after 14 and 60 days; one lapsed at
-- its end, one resolved in December: not counted; one open since 03-21.
INSERT INTO dispute (invoice_id, reason, opened_on, until, resolved_on, outcome) VALUES
(2, 'price', '2025-01-20', NULL, '2025-02-03', 'avoir'),
(1, 'quality', '2024-12-01', NULL, '2025-01-30', 'rejeté'),
(4, 'delivery', '2025-03-01', '2025-03-10', '2025-03-11', 'lapsed'),
(5, 'price', '2024-11-10', NULL, '2024-12-15', 'avoir'),
(3, 'quantity', '2025-03-21', NULL, NULL, NULL);
