/* nc-store-sqlite-schema.c — the DDL of each schema version, in SQLite's words
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The versions are those of nc-store-schema.c; nc-store-postgres-schema.c makes the same
 * tables and indexes in PostgreSQL's words. Only SQL here: nc-store-sqlite.c runs it.
 */

#include "config.h"

#include "nc-store-private.h"

/* Version n is made by nc_store_sqlite_migrations[n - 1]. */
const char *const nc_store_sqlite_migrations[NC_STORE_SCHEMA_VERSION] = {
  /* 1 */
  "CREATE TABLE clients ("
  "  id INTEGER PRIMARY KEY,"
  "  name TEXT NOT NULL,"
  "  channel TEXT NOT NULL,"
  "  phone TEXT,"
  "  created INTEGER NOT NULL);"
  "CREATE TABLE client_variables ("
  "  client_id INTEGER NOT NULL REFERENCES clients (id) ON DELETE CASCADE,"
  "  name TEXT NOT NULL,"
  "  value TEXT NOT NULL,"
  "  PRIMARY KEY (client_id, name));"
  "CREATE TABLE client_phones ("
  "  phone TEXT NOT NULL,"
  "  client_id INTEGER NOT NULL REFERENCES clients (id) ON DELETE CASCADE,"
  "  own INTEGER NOT NULL,"
  "  variable TEXT);"
  "CREATE INDEX client_phones_by_phone ON client_phones (phone, client_id);"
  "CREATE INDEX client_phones_by_client ON client_phones (client_id);"
  "CREATE TABLE employees ("
  "  id INTEGER PRIMARY KEY,"
  "  name TEXT NOT NULL,"
  "  employee_id TEXT,"
  "  virtual_number TEXT,"
  "  call_method TEXT NOT NULL DEFAULT 'disabled');"
  "CREATE TABLE project_messengers (channel TEXT PRIMARY KEY);",

  /* 2 */
  "CREATE TABLE call_events ("
  "  id INTEGER PRIMARY KEY,"
  "  event_type TEXT NOT NULL,"
  "  fields TEXT NOT NULL,"
  "  digest TEXT NOT NULL UNIQUE,"
  "  received_at INTEGER NOT NULL);"
  "CREATE TABLE calls ("
  "  pbx_call_id TEXT PRIMARY KEY,"
  "  client_id INTEGER REFERENCES clients (id) ON DELETE SET NULL,"
  "  match_rule TEXT,"
  "  record_link TEXT,"
  "  record_expires TEXT);"
  "CREATE TABLE request_budget ("
  "  bucket TEXT NOT NULL,"
  "  taken_at INTEGER NOT NULL);"
  "CREATE INDEX request_budget_by_bucket ON request_budget (bucket, taken_at);"
  "CREATE INDEX clients_by_name ON clients (name COLLATE NOCASE);"
  "CREATE VIRTUAL TABLE client_search USING fts5 (body, tokenize = 'trigram');",

  /* 3 */
  "ALTER TABLE calls RENAME TO calls_v2;"
  "CREATE TABLE calls ("
  "  id INTEGER PRIMARY KEY,"
  "  pbx_call_id TEXT NOT NULL UNIQUE,"
  "  direction INTEGER NOT NULL DEFAULT 0,"
  "  state INTEGER NOT NULL DEFAULT 0,"
  "  answered INTEGER NOT NULL DEFAULT 0,"
  "  client_number TEXT,"
  "  virtual_number TEXT,"
  "  employee TEXT,"
  "  started_at TEXT,"
  "  started_unix INTEGER NOT NULL DEFAULT 0,"
  "  first_seen_us INTEGER NOT NULL DEFAULT 0,"
  "  answered_seen_us INTEGER NOT NULL DEFAULT 0,"
  "  ended_seen_us INTEGER NOT NULL DEFAULT 0,"
  "  last_event_us INTEGER NOT NULL DEFAULT 0,"
  "  duration INTEGER NOT NULL DEFAULT 0,"
  "  disposition TEXT,"
  "  is_recorded INTEGER NOT NULL DEFAULT 0,"
  "  call_id_with_rec TEXT,"
  "  recording INTEGER NOT NULL DEFAULT 0,"
  "  record_link TEXT,"
  "  record_expires TEXT,"
  "  record_next_try INTEGER NOT NULL DEFAULT 0,"
  "  record_attempts INTEGER NOT NULL DEFAULT 0,"
  "  client_id INTEGER REFERENCES clients (id) ON DELETE SET NULL,"
  "  match_rule TEXT,"
  "  event_mask INTEGER NOT NULL DEFAULT 0,"
  "  request_id INTEGER,"
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
  "  id INTEGER PRIMARY KEY AUTOINCREMENT,"
  "  kind INTEGER NOT NULL,"
  "  row_id INTEGER NOT NULL,"
  "  at INTEGER NOT NULL,"
  "  origin INTEGER NOT NULL DEFAULT 0);"
  "CREATE INDEX changes_by_time ON changes (at);"
  "CREATE TABLE callback_requests ("
  "  id INTEGER PRIMARY KEY AUTOINCREMENT,"
  "  client_digits TEXT NOT NULL,"
  "  employee_id TEXT NOT NULL,"
  "  requested_at_us INTEGER NOT NULL,"
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
  IMPORTS_DDL ("INTEGER PRIMARY KEY AUTOINCREMENT", "INTEGER"),

  /* 5 */
  TEAM_DDL,

  /* 6 */
  NOTES_DDL
  /* The notes' trigram index, its rowid the call's: kept by triggers, so that whatever
   * writes a call's row (the note's job, a repair, a deleted call) keeps it too. */
  "CREATE VIRTUAL TABLE call_note_search USING fts5 (note, tokenize = 'trigram');"
  "CREATE TRIGGER calls_note_added AFTER INSERT ON calls WHEN new.note IS NOT NULL BEGIN "
  "  INSERT INTO call_note_search (rowid, note) VALUES (new.id, new.note); END;"
  "CREATE TRIGGER calls_note_changed AFTER UPDATE OF note ON calls BEGIN "
  "  DELETE FROM call_note_search WHERE rowid = old.id;"
  "  INSERT INTO call_note_search (rowid, note) SELECT new.id, new.note "
  "    WHERE new.note IS NOT NULL; END;"
  "CREATE TRIGGER calls_note_deleted AFTER DELETE ON calls WHEN old.note IS NOT NULL BEGIN "
  "  DELETE FROM call_note_search WHERE rowid = old.id; END;",

  /* 7: the clients to call back; the partial index is the Missed view's pages. */
  "CREATE TABLE missed_calls ("
  "  client_id INTEGER PRIMARY KEY REFERENCES clients (id) ON DELETE CASCADE,"
  "  state INTEGER NOT NULL DEFAULT 0,"
  "  first_missed_us INTEGER NOT NULL DEFAULT 0,"
  "  last_missed_us INTEGER NOT NULL DEFAULT 0,"
  "  missed_count INTEGER NOT NULL DEFAULT 0,"
  "  last_call_id INTEGER NOT NULL DEFAULT 0,"
  "  reached_us INTEGER NOT NULL DEFAULT 0,"
  "  closed_at_us INTEGER NOT NULL DEFAULT 0,"
  "  number TEXT,"
  "  claimed_by TEXT,"
  "  claimed_at_us INTEGER NOT NULL DEFAULT 0,"
  "  closed_by TEXT,"
  "  closed_reason TEXT);"
  "CREATE INDEX missed_calls_waiting ON missed_calls (first_missed_us, client_id) "
  "  WHERE state = 0;",
};
