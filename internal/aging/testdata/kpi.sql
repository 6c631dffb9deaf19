-- The KPI tests' portfolio (EUR), as of 2025-03-31 with a 3-month window
-- (January to March 2025). Every expected figure is computed in kpi_test.go.
INSERT INTO client (entity_id, code, name, credit_limit) OVERRIDING SYSTEM VALUE VALUES
(1, 'K1', 'Kappa SARL', 1000000),  -- id 1: limit 10,000.00
(1, 'K2', 'Lambda SA', 10000),     -- id 2: limit 100.00
(1, 'K3', 'Mu SAS', NULL);         -- id 3: no history

INSERT INTO invoice (entity_id, client_id, number, issue_date, due_date, amount_incl_vat) OVERRIDING SYSTEM VALUE VALUES
(1, 1, 'I1', '2024-12-10', '2025-01-09', 100000), -- id 1: paid 2025-01-20
(1, 1, 'I2', '2025-01-15', '2025-02-14', 200000), -- id 2: 500.00 on 2025-02-10, 1,500.00 on 2025-03-05
(1, 1, 'I3', '2025-02-20', '2025-03-22', 300000), -- id 3: unpaid, 9 days late at D
(1, 1, 'I4', '2025-03-10', '2025-04-09', 400000), -- id 4: 1,000.00 on 2025-03-25, not due
(1, 2, 'I5', '2025-01-05', '2025-02-04', 50000);  -- id 5: paid 2025-02-01, early

INSERT INTO payment (entity_id, client_id, reference, received_on, amount) OVERRIDING SYSTEM VALUE VALUES
(1, 1, 'P1', '2025-01-20', 100000),
(1, 1, 'P2', '2025-02-10', 50000),
(1, 1, 'P3', '2025-03-05', 150000),
(1, 1, 'P4', '2025-03-25', 100000),
(1, 2, 'P5', '2025-02-01', 50000);

INSERT INTO allocation (invoice_id, source, payment_id, amount, applied_on) VALUES
(1, 'payment', 1, 100000, '2025-01-20'),
(2, 'payment', 2, 50000, '2025-02-10'),
(2, 'payment', 3, 150000, '2025-03-05'),
(4, 'payment', 4, 100000, '2025-03-25'),
(5, 'payment', 5, 50000, '2025-02-01');

UPDATE invoice i SET settled = COALESCE((SELECT sum(amount) FROM allocation a WHERE a.invoice_id = i.id), 0);
UPDATE payment p SET allocated = COALESCE((SELECT sum(amount) FROM allocation a WHERE a.payment_id = p.id), 0);
