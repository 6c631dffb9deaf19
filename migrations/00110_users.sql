-- +goose Up
-- The dashboard's people (issue 13): users with a role, their sessions, and
-- the failed logins that throttle guessing.

-- A person who logs in to the dashboard. The password is kept as an argon2id
-- hash in PHC form; a disabled user stays, so that the event trail's
-- web:<email> still says who it was. Who made, changed or disabled the row,
-- and when, is kept on it.
CREATE TABLE web_user (
    id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email               text NOT NULL CHECK (email = lower(email) AND email LIKE '%_@_%'),
    role                text NOT NULL CHECK (role IN ('viewer', 'manager', 'admin')),
    password_hash       text NOT NULL,
    created_at          timestamptz NOT NULL,
    created_by          text NOT NULL,
    password_changed_at timestamptz NOT NULL,
    password_changed_by text NOT NULL,
    disabled_at         timestamptz,
    disabled_by         text,
    last_login          timestamptz
);
CREATE UNIQUE INDEX web_user_email_idx ON web_user (email);

-- A logged-in browser. Only the SHA-256 of the cookie's secret is kept; the
-- CSRF token of its forms is kept with it. A session ends when idle or too
-- old (checked against the configured limits at each request), or at logout.
CREATE TABLE web_session (
    id_hash    bytea PRIMARY KEY,
    user_id    bigint NOT NULL REFERENCES web_user (id),
    csrf_token text NOT NULL,
    created_at timestamptz NOT NULL,
    last_seen  timestamptz NOT NULL,
    ended_at   timestamptz
);
CREATE INDEX web_session_user_idx ON web_session (user_id);
CREATE INDEX web_session_last_seen_idx ON web_session (last_seen);

-- Failed logins by key ("email:<address>" or "ip:<address>") since the start
-- of the current window. A key past its limit waits for the window's end;
-- rows of windows past are deleted as new failures come in, so the table
-- holds at most the keys that failed in the last window.
CREATE TABLE web_login_failure (
    key        text PRIMARY KEY,
    failures   integer NOT NULL,
    since      timestamptz NOT NULL
);
CREATE INDEX web_login_failure_since_idx ON web_login_failure (since);

-- +goose Down
DROP TABLE web_login_failure;
DROP TABLE web_session;
DROP TABLE web_user;
