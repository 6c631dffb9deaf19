-- Forgets the failures of key $1 after a good login.
DELETE FROM web_login_failure WHERE key = $1
