/* nc-store-postgres-schema.c — the DDL of each schema version, in PostgreSQL's words
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The versions are those of nc-store-schema.c, table for table and index for index as
 * nc-store-sqlite.c makes them; what differs is PostgreSQL's: BIGSERIAL ids, pg_trgm for
 * search, and the trigger that NOTIFYs every change to the consoles that listen.
 */

#include "config.h"

#include "nc-store-private.h"

/* Version n is made by nc_store_postgres_migrations[n - 1]. */
const char *const nc_store_postgres_migrations[NC_STORE_SCHEMA_VERSION] = {
  /* 1 */
  "CREATE TABLE clients ("
  "  id BIGSERIAL PRIMARY KEY,"
  "  name TEXT NOT NULL,"
  "  channel TEXT NOT NULL,"
  "  phone TEXT,"
  "  created BIGINT NOT NULL);"
  /* rowid: the order the variables were added in, as SQLite's own rowid keeps it. */
  "CREATE TABLE client_variables ("
  "  rowid BIGSERIAL,"
  "  client_id BIGINT NOT NULL REFERENCES clients (id) ON DELETE CASCADE,"
  "  name TEXT NOT NULL,"
  "  value TEXT NOT NULL,"
  "  PRIMARY KEY (client_id, name));"
  "CREATE TABLE client_phones ("
  "  phone TEXT NOT NULL,"
  "  client_id BIGINT NOT NULL REFERENCES clients (id) ON DELETE CASCADE,"
  "  own INTEGER NOT NULL,"
  "  variable TEXT);"
  "CREATE INDEX client_phones_by_phone ON client_phones (phone, client_id);"
  "CREATE INDEX client_phones_by_client ON client_phones (client_id);"
  "CREATE TABLE employees ("
  "  id BIGSERIAL PRIMARY KEY,"
  "  name TEXT NOT NULL,"
  "  employee_id TEXT,"
  "  virtual_number TEXT,"
  "  call_method TEXT NOT NULL DEFAULT 'disabled');"
  "CREATE TABLE project_messengers (channel TEXT PRIMARY KEY);",

  /* 2 */
  "CREATE TABLE call_events ("
  "  id BIGSERIAL PRIMARY KEY,"
  "  event_type TEXT NOT NULL,"
  "  fields TEXT NOT NULL,"
  "  digest TEXT NOT NULL UNIQUE,"
  "  received_at BIGINT NOT NULL);"
  "CREATE TABLE calls ("
  "  pbx_call_id TEXT PRIMARY KEY,"
  "  client_id BIGINT REFERENCES clients (id) ON DELETE SET NULL,"
  "  match_rule TEXT,"
  "  record_link TEXT,"
  "  record_expires TEXT);"
  "CREATE TABLE request_budget ("
  "  bucket TEXT NOT NULL,"
  "  taken_at BIGINT NOT NULL);"
  "CREATE INDEX request_budget_by_bucket ON request_budget (bucket, taken_at);"
  "CREATE INDEX clients_by_name ON clients (lower (name) text_pattern_ops);"
  "CREATE EXTENSION IF NOT EXISTS pg_trgm;"
  "CREATE TABLE client_search ("
  "  id BIGINT PRIMARY KEY,"
  "  body TEXT NOT NULL);"
  "CREATE INDEX client_search_trigrams ON client_search USING gin (body gin_trgm_ops);",

  /* 3 */
  "ALTER TABLE calls RENAME TO calls_v2;"
  "ALTER TABLE calls_v2 RENAME CONSTRAINT calls_pkey TO calls_v2_pkey;"
  "CREATE TABLE calls ("
  "  id BIGSERIAL PRIMARY KEY,"
  "  pbx_call_id TEXT NOT NULL UNIQUE,"
  "  direction INTEGER NOT NULL DEFAULT 0,"
  "  state INTEGER NOT NULL DEFAULT 0,"
  "  answered INTEGER NOT NULL DEFAULT 0,"
  "  client_number TEXT,"
  "  virtual_number TEXT,"
  "  employee TEXT,"
  "  started_at TEXT,"
  "  started_unix BIGINT NOT NULL DEFAULT 0,"
  "  first_seen_us BIGINT NOT NULL DEFAULT 0,"
  "  answered_seen_us BIGINT NOT NULL DEFAULT 0,"
  "  ended_seen_us BIGINT NOT NULL DEFAULT 0,"
  "  last_event_us BIGINT NOT NULL DEFAULT 0,"
  "  duration BIGINT NOT NULL DEFAULT 0,"
  "  disposition TEXT,"
  "  is_recorded INTEGER NOT NULL DEFAULT 0,"
  "  call_id_with_rec TEXT,"
  "  recording INTEGER NOT NULL DEFAULT 0,"
  "  record_link TEXT,"
  "  record_expires TEXT,"
  "  record_next_try BIGINT NOT NULL DEFAULT 0,"
  "  record_attempts INTEGER NOT NULL DEFAULT 0,"
  "  client_id BIGINT REFERENCES clients (id) ON DELETE SET NULL,"
  "  match_rule TEXT,"
  "  event_mask INTEGER NOT NULL DEFAULT 0,"
  "  request_id BIGINT,"
  "  recovered INTEGER NOT NULL DEFAULT 0,"
  "  unended INTEGER NOT NULL DEFAULT 0);"
  "CREATE INDEX calls_by_start ON calls (started_unix, id);"
  "CREATE INDEX calls_live ON calls (last_event_us) WHERE state < 2;"
  "CREATE INDEX calls_by_client ON calls (client_id, started_unix, id);"
  "CREATE INDEX calls_by_employee ON calls (employee, started_unix, id);"
  "CREATE INDEX calls_missed ON calls (started_unix, id) "
  "  WHERE direction = 0 AND state = 2 AND answered = 0;"
  "CREATE INDEX calls_unended ON calls (started_unix, id) WHERE unended = 1;"
  "CREATE INDEX calls_recordings_due ON calls (record_next_try) WHERE recording = 1;"
  "CREATE TABLE changes ("
  "  id BIGSERIAL PRIMARY KEY,"
  "  kind INTEGER NOT NULL,"
  "  row_id BIGINT NOT NULL,"
  "  at BIGINT NOT NULL,"
  "  origin BIGINT NOT NULL DEFAULT 0);"
  "CREATE INDEX changes_by_time ON changes (at);"
  /* Every console hears of each change at COMMIT (nc-store-postgres.c's feed), and reads
   * the rows. */
  "CREATE FUNCTION nc_changes_notify () RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
  "  PERFORM pg_notify ('nc_changes', NEW.kind || ':' || NEW.row_id); RETURN NULL; "
  "END $$;"
  "CREATE TRIGGER changes_notify AFTER INSERT ON changes FOR EACH ROW "
  "  EXECUTE FUNCTION nc_changes_notify ();"
  "CREATE TABLE callback_requests ("
  "  id BIGSERIAL PRIMARY KEY,"
  "  client_digits TEXT NOT NULL,"
  "  employee_id TEXT NOT NULL,"
  "  requested_at_us BIGINT NOT NULL,"
  "  state INTEGER NOT NULL DEFAULT 0,"
  "  pbx_call_id TEXT);"
  /* One pending request per client, whichever desk or process asks: the database holds
   * the guard against two desks that click at once. */
  "CREATE UNIQUE INDEX callback_requests_pending ON callback_requests (client_digits) "
  "  WHERE state = 0;"
  "CREATE TABLE meta ("
  "  name TEXT PRIMARY KEY,"
  "  value TEXT NOT NULL);",

  /* 4 */
  IMPORTS_DDL ("BIGSERIAL PRIMARY KEY", "BIGINT"),

  /* 5 */
  TEAM_DDL,

  /* 6 */
  NOTES_DDL
  /* The notes' trigrams, as the clients' search text has them (only the calls noted). */
  "CREATE INDEX calls_note_trigrams ON calls USING gin (note gin_trgm_ops) "
  "  WHERE note IS NOT NULL;",

  /* 7: the clients to call back; the partial index is the Missed view's pages. */
  "CREATE TABLE missed_calls ("
  "  client_id BIGINT PRIMARY KEY REFERENCES clients (id) ON DELETE CASCADE,"
  "  state INTEGER NOT NULL DEFAULT 0,"
  "  first_missed_us BIGINT NOT NULL DEFAULT 0,"
  "  last_missed_us BIGINT NOT NULL DEFAULT 0,"
  "  missed_count INTEGER NOT NULL DEFAULT 0,"
  "  last_call_id BIGINT NOT NULL DEFAULT 0,"
  "  reached_us BIGINT NOT NULL DEFAULT 0,"
  "  closed_at_us BIGINT NOT NULL DEFAULT 0,"
  "  number TEXT,"
  "  claimed_by TEXT,"
  "  claimed_at_us BIGINT NOT NULL DEFAULT 0,"
  "  closed_by TEXT,"
  "  closed_reason TEXT);"
  "CREATE INDEX missed_calls_waiting ON missed_calls (first_missed_us, client_id) "
  "  WHERE state = 0;",
};
