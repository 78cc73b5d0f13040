#!/usr/bin/env bash
# The project's local, throwaway PostgreSQL that serves the marts to BI tools (never systemd).
#
#   scripts/postgres_serving.sh start|stop|status|dsn|psql [psql args...]
#
# start   installs PostgreSQL when missing (root + apt-get), creates the data folder and the
#         database on first use, starts the server on 127.0.0.1 only and prints its DSN
# stop    fast shutdown; status: running or not, with the DSN; dsn: the libpq DSN only
# psql    a psql session on the serving database
#
# Settings (environment), none needed:
#   SERVING_PG_DATA      data folder                        default <repo>/data/postgres
#   SERVING_PG_PORT      port on 127.0.0.1 ("auto": free)   default $PGPORT, else 5433
#   SERVING_PG_USER      database superuser                 default $PGUSER, else postgres
#   SERVING_PG_DB        database holding schema marts      default $PGDATABASE, else warehouse
#   SERVING_PG_PASSWORD  set at first start: password auth (scram-sha-256); unset: trust on
#                        loopback (a local throwaway server). Clients read it from PGPASSWORD.
#   SERVING_PG_OS_USER   unprivileged OS user running the server when called as root
#                        (created when missing)         default postgres
#   PG_BIN               folder with initdb and pg_ctl      default PATH, else newest
#                                                           /usr/lib/postgresql/*/bin
# Exit status: 0 done, 1 failed, 3 PostgreSQL is missing and cannot be installed here.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DATA="${SERVING_PG_DATA:-$REPO_ROOT/data/postgres}"
[[ "$DATA" = /* ]] || DATA="$REPO_ROOT/$DATA"
PORT="${SERVING_PG_PORT:-${PGPORT:-5433}}"
DB_USER="${SERVING_PG_USER:-${PGUSER:-postgres}}"
DB_NAME="${SERVING_PG_DB:-${PGDATABASE:-warehouse}}"
OS_USER="${SERVING_PG_OS_USER:-postgres}"
HOST=127.0.0.1

log() { echo "postgres_serving: $*" >&2; }
die() { log "$*"; exit 1; }
unavailable() { log "$*"; exit 3; }
is_root() { [[ "$(id -u)" -eq 0 ]]; }

find_pg_bin() {
    if [[ -n "${PG_BIN:-}" ]]; then
        [[ -x "$PG_BIN/pg_ctl" ]] && echo "$PG_BIN" && return 0
        return 1
    fi
    if command -v pg_ctl >/dev/null 2>&1 && command -v initdb >/dev/null 2>&1; then
        dirname "$(readlink -f "$(command -v pg_ctl)")"
        return 0
    fi
    local newest
    newest="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
    [[ -n "$newest" && -x "$newest/pg_ctl" ]] && echo "$newest" && return 0
    return 1
}

install_postgres() {
    if ! is_root || ! command -v apt-get >/dev/null 2>&1; then
        unavailable "PostgreSQL (initdb, pg_ctl) is not installed and this is not root with" \
            "apt-get: install it (Debian/Ubuntu: apt-get install postgresql) or set PG_BIN"
    fi
    log "installing PostgreSQL with apt-get (no cluster of its own is created or started)"
    # the Debian package would create and start a 'main' cluster on 5432: we only want binaries
    mkdir -p /etc/postgresql-common/createcluster.d
    echo "create_main_cluster = false" >/etc/postgresql-common/createcluster.d/ltv-warehouse.conf
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq || unavailable "apt-get update failed: cannot install PostgreSQL"
    apt-get install -y -qq --no-install-recommends postgresql >/dev/null \
        || unavailable "apt-get install postgresql failed"
}

# run a server-side command as the unprivileged OS user (postgres refuses to run as root)
as_server_user() {
    if is_root; then
        (cd / && runuser -u "$OS_USER" -- "$@")
    else
        "$@"
    fi
}

ensure_os_user() {
    is_root || return 0
    id "$OS_USER" >/dev/null 2>&1 && return 0
    log "creating the OS user $OS_USER to run the server"
    useradd --system --user-group --home-dir /nonexistent --shell /usr/sbin/nologin "$OS_USER" \
        || die "cannot create the OS user $OS_USER"
}

running_port() {
    # line 4 of postmaster.pid is the port of the running server
    as_server_user "$BIN/pg_ctl" status -D "$DATA" >/dev/null 2>&1 || return 1
    sed -n 4p "$DATA/postmaster.pid"
}

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

port_in_use() { (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null; }

dsn_for() { echo "host=$HOST port=$1 dbname=$DB_NAME user=$DB_USER"; }

client() {
    # psql over TCP as the database superuser; PGPASSWORD carries a configured password
    PGPASSWORD="${SERVING_PG_PASSWORD:-${PGPASSWORD:-}}" "$BIN/psql" -X -v ON_ERROR_STOP=1 \
        -h "$HOST" -p "$1" -U "$DB_USER" "${@:2}"
}

init_cluster() {
    [[ -f "$DATA/PG_VERSION" ]] && return 0
    mkdir -p "$DATA"
    is_root && chown "$OS_USER:" "$DATA"
    chmod 700 "$DATA"
    as_server_user test -w "$DATA" \
        || die "the OS user $OS_USER cannot write $DATA (a parent folder is private?):" \
            "set SERVING_PG_DATA to a folder it can reach, e.g. /var/tmp/ltv-postgres"
    [[ -z "$(ls -A "$DATA")" ]] || die "$DATA is not empty and holds no PostgreSQL cluster"
    local auth=(--auth=trust) pwfile=""
    if [[ -n "${SERVING_PG_PASSWORD:-}" ]]; then
        pwfile="$(mktemp)"
        printf '%s\n' "$SERVING_PG_PASSWORD" >"$pwfile"
        is_root && chown "$OS_USER:" "$pwfile"
        auth=(--auth=scram-sha-256 "--pwfile=$pwfile")
    fi
    log "initialising a cluster in $DATA"
    as_server_user "$BIN/initdb" -D "$DATA" -U "$DB_USER" -E UTF8 --locale=C "${auth[@]}" \
        >"$DATA.initdb.log" 2>&1 || { cat "$DATA.initdb.log" >&2; rm -f "$pwfile"; die "initdb failed"; }
    rm -f "$pwfile" "$DATA.initdb.log"
}

cmd_start() {
    BIN="$(find_pg_bin)" || { install_postgres; BIN="$(find_pg_bin)" || unavailable "no pg_ctl after install"; }
    ensure_os_user
    init_cluster
    local port
    if port="$(running_port)"; then
        log "already running on $HOST:$port"
    else
        if [[ "$PORT" == auto ]]; then
            port="$(free_port)"
        else
            port="$PORT"
            ! port_in_use "$port" || die "port $port on $HOST is taken: set SERVING_PG_PORT (or auto)"
        fi
        # loopback only; the unix socket lives in the data folder, not in /var/run/postgresql
        as_server_user "$BIN/pg_ctl" -D "$DATA" -l "$DATA/server.log" -w -t 60 \
            -o "-c listen_addresses=$HOST -p $port -k '$DATA'" start >/dev/null \
            || { tail -n 20 "$DATA/server.log" >&2 || true; die "the server did not start"; }
        log "started on $HOST:$port (data $DATA, log $DATA/server.log)"
    fi
    if [[ -z "$(client "$port" -d postgres -tAc "select 1 from pg_database where datname = '$DB_NAME'")" ]]; then
        client "$port" -d postgres -qc "create database \"$DB_NAME\"" >/dev/null
        log "created database $DB_NAME"
    fi
    dsn_for "$port"
}

cmd_stop() {
    BIN="$(find_pg_bin)" || { log "PostgreSQL is not installed: nothing to stop"; return 0; }
    if running_port >/dev/null; then
        as_server_user "$BIN/pg_ctl" -D "$DATA" -m fast -w -t 60 stop >/dev/null
        log "stopped ($DATA)"
    else
        log "not running ($DATA)"
    fi
}

cmd_status() {
    BIN="$(find_pg_bin)" || unavailable "PostgreSQL is not installed"
    local port
    if port="$(running_port)"; then
        echo "running: $(dsn_for "$port") (data $DATA)"
    else
        echo "not running (data $DATA)"
        return 1
    fi
}

cmd_dsn() {
    BIN="$(find_pg_bin)" || unavailable "PostgreSQL is not installed"
    local port
    port="$(running_port)" || die "not running: scripts/postgres_serving.sh start"
    dsn_for "$port"
}

cmd_psql() {
    BIN="$(find_pg_bin)" || unavailable "PostgreSQL is not installed"
    local port
    port="$(running_port)" || die "not running: scripts/postgres_serving.sh start"
    client "$port" -d "$DB_NAME" "$@"
}

case "${1:-}" in
    start) cmd_start ;;
    stop) cmd_stop ;;
    status) cmd_status ;;
    dsn) cmd_dsn ;;
    psql) shift; cmd_psql "$@" ;;
    *) echo "usage: $0 start|stop|status|dsn|psql [args]" >&2; exit 2 ;;
esac
