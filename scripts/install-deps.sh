#!/usr/bin/env bash
# Installs what `make test`, `make demo` and `make bench` need from Debian's
# packages when it is missing: the PostgreSQL server binaries (initdb, pg_ctl),
# psql, and pdftotext (poppler-utils), with which the letter tests read the
# PDFs back; with WITH_CHROMIUM=1 (`make deps-browser`, which `make test`
# runs) also Debian's chromium, which the browser tests drive headless. Only
# root can install; anyone else gets the command to run.
set -euo pipefail

need=()
have_pg_server() {
	command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1 && return 0
	compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null
}
have_pg_server || need+=(postgresql)
command -v psql >/dev/null 2>&1 || need+=(postgresql-client)
command -v pdftotext >/dev/null 2>&1 || need+=(poppler-utils)
if [ "${WITH_CHROMIUM:-0}" = 1 ] && ! command -v chromium >/dev/null 2>&1; then
	need+=(chromium)
fi

[ ${#need[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "missing: ${need[*]}; install them with: sudo apt-get update && sudo apt-get install -y ${need[*]}" >&2
	exit 1
fi
echo "installing ${need[*]} with apt-get…" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
