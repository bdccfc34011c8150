#!/usr/bin/env bash
# What PostgreSQL alone can do of a token create on this machine: pgbench (a C
# client, prepared statements, 8 clients) runs the statements a create through the
# management API sends, with no Tessera in between. Usage:
#   BENCH_DATABASE_URL=postgres://... bench/pg_create_ceiling.sh
# Three scripts, 10 s each (BENCH_SECONDS):
#   all     the API key's checks (five reads), then the create's transaction
#           (the choices read, the token, its scope and grant, the audit event, the
#           change notification, the webhook event);
#   writes  the transaction's writes alone;
#   grouped four creates' writes in one transaction, by 2 clients (creates/s is
#           four times its transactions/s).
set -euo pipefail
cd "$(dirname "$0")/.."
database=${BENCH_DATABASE_URL:?a postgres:// URL}
seconds=${BENCH_SECONDS:-10}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cargo build --release --quiet
PGOPTIONS='-c client_min_messages=warning' psql "$database" -qc 'DROP SCHEMA public CASCADE; CREATE SCHEMA public;'
echo "benchmark password" | TESSERA_DATABASE_URL=$database TESSERA_LOG=warn \
    target/release/tessera admin create --name Bench --email bench@example.com \
    --example-catalog --password-stdin >/dev/null

cat >"$work/reads.sql" <<'SQL'
SELECT id, public_id, administrator_id, name FROM admin_api_keys WHERE id = 1;
SELECT failures, locked_until FROM sign_in_throttle WHERE throttle_key = 'x';
SELECT a.id, a.public_id, r.name FROM administrators a JOIN roles r ON r.role_key = a.role_key WHERE a.id = 1;
SELECT permission FROM role_permissions WHERE role_key = 'super_admin';
SELECT scope_id FROM administrator_scopes WHERE administrator_id = 1;
SQL
cat >"$work/choices.sql" <<'SQL'
SELECT id, name FROM scopes ORDER BY name_key;
SELECT id, module_key FROM modules;
SQL
cat >"$work/writes.sql" <<'SQL'
INSERT INTO api_tokens (guid, name, name_key, description, token_type, capabilities, secret_digest, secret_hint, valid_from, valid_to, created_by, created_at, updated_at, version) VALUES (gen_random_uuid()::text, 'pgbench ' || random(), 'pgbench ' || random(), '', 'custom', '', md5(random()::text) || md5(random()::text), 'tsr_…abcd', now(), now() + interval '90 days', 1, now(), now(), 1) RETURNING id, name_key \gset
INSERT INTO api_token_scopes (token_id, scope_id, live_name_key) VALUES (:id, 1, :name_key);
INSERT INTO api_token_permissions (token_id, module_id, action) VALUES (:id, 1, 'read');
INSERT INTO audit_events (occurred_at, actor_id, actor_label, action, target_type, target_id, target_label, ip, details, via_api_key) VALUES (now(), 1, 'Bench · X', 'token.created', 'token', 'guid', 'name', '127.0.0.1', '{"type":"custom","scope_ids":[1],"valid_from":"2026-12-06T14:00:00Z","valid_to":"2027-03-06T14:00:00Z"}', 'bench');
SELECT pg_notify('tessera_bench', 'guid');
INSERT INTO outbox_events (event_type, message_id, payload, scope_ids, created_at) VALUES ('token.created', gen_random_uuid()::text, '{"type":"token.created","timestamp":"2026-12-06T14:00:00Z","data":{"guid":"b2567599-6dc9-4863-b264-d2f27ac4b569","name":"api bench 1 0000001","scopes":["Production"],"status":"active"}}', '1', now()) RETURNING id;
SQL
{ cat "$work/reads.sql"; echo 'BEGIN;'; cat "$work/choices.sql" "$work/writes.sql"; echo 'COMMIT;'; } >"$work/all.sql"
{ echo 'BEGIN;'; cat "$work/writes.sql"; echo 'COMMIT;'; } >"$work/writes_only.sql"
{ echo 'BEGIN;'; for _ in 1 2 3 4; do cat "$work/writes.sql"; done; echo 'COMMIT;'; } >"$work/grouped.sql"

tps() { pgbench -n -M prepared -c "$1" -j 2 -T "$seconds" -f "$2" "$database" 2>&1 | awk '/^tps/ {printf "%.0f", $3}'; }
echo "PostgreSQL alone, pgbench, $(date -u +%Y-%m-%d), $(nproc) cores, ${seconds}s each:"
echo
echo '| Script | clients | creates/s |'
echo '| --- | --- | --- |'
echo "| all (API key checks and the create) | 8 | $(tps 8 "$work/all.sql") |"
echo "| writes only | 8 | $(tps 8 "$work/writes_only.sql") |"
echo "| four creates' writes per transaction | 2 | $(( $(tps 2 "$work/grouped.sql") * 4 )) |"
