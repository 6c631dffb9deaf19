-- The failures of each key in $1 within the window that started after $2.
SELECT key, failures FROM web_login_failure WHERE key = ANY($1) AND since > $2
