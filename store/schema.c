/*
 * schema: the one place the database layout is written down.
 *
 * Migrations are applied in order at open; PRAGMA user_version says how
 * many have been applied. A file with a higher version than this program
 * knows is refused (db.c), never guessed at. Never edit a migration that
 * has shipped: add the next one.
 *
 * Layout, in words:
 *
 *  gtins        one row per GTIN seen; codes refer to it by id, which keeps
 *               each stored code small (the budget is 150 bytes per
 *               code on disk, index and audit included). Row 0 is the
 *               pseudo-GTIN '' of SSCCs.
 *  codes        one tree of everything we hold: units, group packs, sets,
 *               cigarette packs, and boxes and pallets (SSCC). A code is
 *               (gtin_id, serial); parent_id is the pack it is in. state
 *               says whether it is in stock or has left.
 *  packs        the extra facts of a box or pallet: level, capacity, GTIN
 *               policy, life-cycle state, counts, who opened and closed it.
 *  deliveries,  an incoming transfer document: its expected codes as a tree
 *  delivery_items   (parent_item_id), each with what acceptance found.
 *  delivery_scans   every scan made during an acceptance and its verdict.
 *  shipments,   an outgoing document and the codes scanned onto it.
 *  shipment_items
 *  users        operators, supervisors, admins; PIN hashed with crypt(3).
 *  devices      scanners and terminals, by name, referenced by the audit.
 *  site         key/value settings: participant INN, GS1 company prefix,
 *               SSCC extension digit and serial counter, defaults.
 *  audit        append-only (triggers refuse UPDATE and DELETE): every scan
 *               and action, accepted or refused, with user, device, reason.
 *  products     the product catalogue: GTIN -> name, unit, product
 *               group (migration 4).
 *  code_checks  the state system's last answer about a code (status,
 *               owner, aggregate) and the problem it makes for acceptance
 *               or aggregation, for showing while scanning offline.
 *  label_jobs   labels for printers (migration 4): exact bytes, state,
 *               attempts, last error, when printed and confirmed.
 *  outbox       documents for the state system: exact body bytes, state,
 *               server id, attempts, last error; sendable = 0 for one
 *               sync keeps for export. depends_on (migration 1) is no
 *               longer written: outbox_deps holds what a document waits
 *               for, doc_codes which codes each document changes.
 *               Type STOCK_LOAD (stock.c) is no document: the record of
 *               a stock load, born confirmed, never sent; the packs it
 *               loaded point at it as their report.
 *
 * Times are UTC ISO 8601 with milliseconds ("2026-11-25T17:30:00.123Z").
 * Enumerations are stored as short text so the file reads well in the
 * sqlite3 shell, except in the two hot tables (codes, audit) where they are
 * small integers documented here:
 *   codes.kind:   1 unit, 2 group pack / tobacco block, 3 set,
 *                 4 cigarette pack, 5 box, 6 pallet
 *   codes.state:  0 in stock, 1 shipped
 *   audit.action: see enum st_action in store.h
 */
#include <stddef.h>

#include "store/db.h"

static const char *const migrations[] = {
	/* 1: the first layout */
	"CREATE TABLE gtins ("
	"  id INTEGER PRIMARY KEY,"
	"  gtin TEXT NOT NULL UNIQUE);"
	"INSERT INTO gtins(id, gtin) VALUES (0, '');"

	"CREATE TABLE codes ("
	"  id INTEGER PRIMARY KEY,"
	"  gtin_id INTEGER NOT NULL REFERENCES gtins(id),"
	"  serial TEXT NOT NULL,"
	"  kind INTEGER NOT NULL CHECK (kind BETWEEN 1 AND 6),"
	"  parent_id INTEGER REFERENCES codes(id),"
	"  state INTEGER NOT NULL DEFAULT 0,"
	"  UNIQUE (gtin_id, serial));"
	"CREATE INDEX codes_parent ON codes(parent_id)"
	"  WHERE parent_id IS NOT NULL;"
	/* Each code as documents write it: КИ 01+GTIN+21+serial, a
	 * cigarette pack GTIN+serial, an SSCC its 18 digits. */
	"CREATE VIEW code_text AS SELECT c.id AS id, CASE"
	"  WHEN c.kind = 4 THEN g.gtin || c.serial"
	"  WHEN c.kind >= 5 THEN c.serial"
	"  ELSE '01' || g.gtin || '21' || c.serial END AS code"
	"  FROM codes c JOIN gtins g ON g.id = c.gtin_id;"

	"CREATE TABLE packs ("
	"  code_id INTEGER PRIMARY KEY REFERENCES codes(id),"
	"  level TEXT NOT NULL CHECK (level IN ('box', 'pallet')),"
	"  capacity INTEGER NOT NULL DEFAULT 0,"
	"  gtin_policy TEXT NOT NULL DEFAULT 'any',"
	"  gtin TEXT,"
	"  require_crypto INTEGER NOT NULL DEFAULT 1,"
	"  state TEXT NOT NULL CHECK (state IN ('open', 'closed',"
	"    'submitted', 'confirmed', 'disbanded')),"
	"  count INTEGER NOT NULL DEFAULT 0,"
	"  opened_by INTEGER REFERENCES users(id),"
	"  opened_at TEXT NOT NULL,"
	"  closed_by INTEGER REFERENCES users(id),"
	"  closed_at TEXT,"
	"  document_id INTEGER REFERENCES outbox(id));"
	"CREATE INDEX packs_open ON packs(state) WHERE state = 'open';"

	"CREATE TABLE users ("
	"  id INTEGER PRIMARY KEY,"
	"  name TEXT NOT NULL UNIQUE,"
	"  role TEXT NOT NULL CHECK (role IN ('operator', 'supervisor',"
	"    'admin')),"
	"  pin_hash TEXT,"
	"  created_at TEXT NOT NULL,"
	"  disabled INTEGER NOT NULL DEFAULT 0);"

	"CREATE TABLE devices ("
	"  id INTEGER PRIMARY KEY,"
	"  name TEXT NOT NULL UNIQUE);"

	"CREATE TABLE site ("
	"  key TEXT PRIMARY KEY,"
	"  value TEXT NOT NULL) WITHOUT ROWID;"

	"CREATE TABLE deliveries ("
	"  id INTEGER PRIMARY KEY,"
	"  number TEXT NOT NULL,"
	"  doc_date TEXT,"
	"  sender_inn TEXT,"
	"  receiver_inn TEXT,"
	"  turnover_type TEXT,"
	"  transfer_date TEXT,"
	"  source TEXT NOT NULL,"
	/* 'importing': rows still being written in steps (delivery.c);
	 * acceptance does not see such a delivery */
	"  state TEXT NOT NULL CHECK (state IN ('importing', 'expected',"
	"    'accepting', 'accepted', 'partial')),"
	"  imported_at TEXT NOT NULL,"
	"  imported_by INTEGER REFERENCES users(id),"
	"  finished_at TEXT,"
	"  document_id INTEGER REFERENCES outbox(id),"
	/* the state system's id of the shipment document being accepted */
	"  release_order TEXT,"
	/* progress, kept current by every scan so that nobody counts
	 * 300 000 rows to show it: missing = expected - matched */
	"  expected INTEGER NOT NULL DEFAULT 0,"
	"  matched INTEGER NOT NULL DEFAULT 0,"
	"  surplus INTEGER NOT NULL DEFAULT 0,"
	"  duplicates INTEGER NOT NULL DEFAULT 0,"
	"  wrong_item INTEGER NOT NULL DEFAULT 0);"

	/* No REFERENCES here on purpose: delivery.c alone writes these
	 * rows, all of a delivery in one transaction, parents before
	 * children; the three foreign-key probes per row cost a 300 000-code
	 * import about a fifth of its speed (bench_import). */
	"CREATE TABLE delivery_items ("
	"  id INTEGER PRIMARY KEY,"
	"  delivery_id INTEGER NOT NULL,"	/* deliveries(id) */
	"  gtin_id INTEGER NOT NULL,"		/* gtins(id) */
	"  serial TEXT NOT NULL,"
	"  kind INTEGER NOT NULL,"
	"  parent_item_id INTEGER,"		/* delivery_items(id) */
	"  found INTEGER NOT NULL DEFAULT 0,"
	"  UNIQUE (delivery_id, gtin_id, serial));"
	"CREATE INDEX delivery_items_parent ON delivery_items(parent_item_id)"
	"  WHERE parent_item_id IS NOT NULL;"

	"CREATE TABLE delivery_scans ("
	"  id INTEGER PRIMARY KEY,"
	"  delivery_id INTEGER NOT NULL REFERENCES deliveries(id),"
	"  item_id INTEGER REFERENCES delivery_items(id),"
	"  code TEXT NOT NULL,"
	"  verdict TEXT NOT NULL CHECK (verdict IN ('matched', 'duplicate',"
	"    'surplus', 'wrong_item')),"
	"  units INTEGER NOT NULL DEFAULT 0,"
	"  at TEXT NOT NULL,"
	"  user_id INTEGER REFERENCES users(id));"
	"CREATE INDEX delivery_scans_code ON delivery_scans(delivery_id, code);"

	"CREATE TABLE shipments ("
	"  id INTEGER PRIMARY KEY,"
	"  receiver_inn TEXT NOT NULL,"
	"  number TEXT NOT NULL,"
	"  doc_date TEXT NOT NULL,"
	"  state TEXT NOT NULL CHECK (state IN ('open', 'finished')),"
	"  opened_by INTEGER REFERENCES users(id),"
	"  opened_at TEXT NOT NULL,"
	"  finished_at TEXT,"
	"  document_id INTEGER REFERENCES outbox(id),"
	"  codes INTEGER NOT NULL DEFAULT 0,"	/* top-level codes scanned */
	"  units INTEGER NOT NULL DEFAULT 0);"	/* every code, all levels */
	/* A code may leave more than once (returned, shipped again), but
	 * only once per shipment. */
	"CREATE TABLE shipment_items ("
	"  shipment_id INTEGER NOT NULL REFERENCES shipments(id),"
	"  code_id INTEGER NOT NULL REFERENCES codes(id),"
	"  at TEXT NOT NULL,"
	"  UNIQUE (code_id, shipment_id));"
	"CREATE INDEX shipment_items_shipment ON shipment_items(shipment_id);"

	"CREATE TABLE outbox ("
	"  id INTEGER PRIMARY KEY,"
	"  type TEXT NOT NULL,"
	"  product_group TEXT NOT NULL,"
	"  body BLOB NOT NULL,"
	"  codes INTEGER NOT NULL,"
	"  state TEXT NOT NULL CHECK (state IN ('pending', 'submitted',"
	"    'confirmed', 'rejected', 'failed')),"
	"  server_id TEXT,"
	"  attempts INTEGER NOT NULL DEFAULT 0,"
	"  last_error TEXT,"
	"  depends_on INTEGER REFERENCES outbox(id),"
	"  created_at TEXT NOT NULL,"
	"  updated_at TEXT NOT NULL,"
	/* sync's bookkeeping (store/outbox.c): the detached signature of
	 * body (base64), stored before the first send and reused; the wall
	 * clock (ms since 1970) of the first and last send attempt, which
	 * a lookup of a document whose fate is unknown needs; when the next
	 * send or status poll is due; how many polls so far (back-off);
	 * fate_unknown = 1 from the moment a send may have reached the
	 * server until its outcome is known ("sending"): such a document
	 * is never posted again before the server was asked. */
	"  signature TEXT,"
	"  sent_at TEXT,"
	"  first_sent_ms INTEGER,"
	"  last_sent_ms INTEGER,"
	"  next_at_ms INTEGER NOT NULL DEFAULT 0,"
	"  polls INTEGER NOT NULL DEFAULT 0,"
	"  fate_unknown INTEGER NOT NULL DEFAULT 0);"
	"CREATE INDEX outbox_state ON outbox(state);"

	/* What the state system last said about a code, per use (accept,
	 * aggregate), and the problem that made for it (code_check.c);
	 * problem NULL when none. */
	"CREATE TABLE code_checks ("
	"  code TEXT NOT NULL,"
	"  purpose TEXT NOT NULL CHECK (purpose IN ('accept', 'aggregate')),"
	"  found INTEGER NOT NULL,"
	"  error_code TEXT,"
	"  status TEXT,"
	"  status_ex TEXT,"
	"  owner_inn TEXT,"
	"  parent TEXT,"
	"  checked_at TEXT NOT NULL,"
	"  problem TEXT,"
	"  PRIMARY KEY (code, purpose)) WITHOUT ROWID;"

	"CREATE TABLE audit ("
	"  id INTEGER PRIMARY KEY,"
	"  at TEXT NOT NULL,"
	"  user_id INTEGER,"
	"  device_id INTEGER,"
	"  action INTEGER NOT NULL,"
	"  ok INTEGER NOT NULL,"
	"  code_id INTEGER,"
	"  pack_id INTEGER,"
	"  scan TEXT,"
	"  reason TEXT);"
	"CREATE INDEX audit_code ON audit(code_id) WHERE code_id IS NOT NULL;"
	/* Acceptance scans name codes not yet in stock by their text. */
	"CREATE INDEX audit_accept_scan ON audit(scan) WHERE action = 22;"
	"CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit BEGIN"
	"  SELECT RAISE(ABORT, 'the audit log is append-only'); END;"
	"CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit BEGIN"
	"  SELECT RAISE(ABORT, 'the audit log is append-only'); END;",

	/* 2: what each document waits for (doc_deps.c). doc_codes: the
	 * codes a document changes on the state system (the packs it forms,
	 * disbands or changes, the codes it frees, moves, ships or
	 * accepts), so that a later document about one of them waits for
	 * it; outbox_deps: every document that must be confirmed before
	 * doc_id is sent (depends_on held only one); outbox.sendable = 0:
	 * sync never sends it here (kept for export), so nothing waits for
	 * it; a shipment's turnover type (true-api.md §5.6). */
	"CREATE TABLE doc_codes ("
	"  code_id INTEGER NOT NULL REFERENCES codes(id),"
	"  doc_id INTEGER NOT NULL REFERENCES outbox(id),"
	"  PRIMARY KEY (code_id, doc_id)) WITHOUT ROWID;"
	"CREATE TABLE outbox_deps ("
	"  doc_id INTEGER NOT NULL REFERENCES outbox(id),"
	"  waits_for INTEGER NOT NULL REFERENCES outbox(id),"
	"  PRIMARY KEY (doc_id, waits_for)) WITHOUT ROWID;"
	"CREATE INDEX outbox_deps_waits ON outbox_deps(waits_for, doc_id);"
	"ALTER TABLE outbox ADD COLUMN sendable INTEGER NOT NULL DEFAULT 1;"
	/* lookups of a lost send, made after its settle time, that did not
	 * find it: a resend needs two in a row (sync/policy.h) */
	"ALTER TABLE outbox ADD COLUMN absent_looks INTEGER NOT NULL"
	"  DEFAULT 0;"
	"UPDATE outbox SET sendable = 0 WHERE type IN ('LP_SHIP_GOODS',"
	"  'LP_ACCEPT_GOODS') AND product_group <> 'furs';"
	"INSERT OR IGNORE INTO outbox_deps(doc_id, waits_for)"
	"  SELECT id, depends_on FROM outbox WHERE depends_on IS NOT NULL;"
	"INSERT OR IGNORE INTO doc_codes(code_id, doc_id)"
	"  SELECT code_id, document_id FROM packs"
	"  WHERE document_id IS NOT NULL;"
	"ALTER TABLE shipments ADD COLUMN turnover_type TEXT NOT NULL"
	"  DEFAULT 'SELLING';",

	/* 3: account protection (users.c): wrong PINs in a row, and until
	 * when (ms since 1970, UTC) the account is locked; 0 = not. */
	"ALTER TABLE users ADD COLUMN failed_pins INTEGER NOT NULL"
	"  DEFAULT 0;"
	"ALTER TABLE users ADD COLUMN locked_until_ms INTEGER NOT NULL"
	"  DEFAULT 0;",

	/* 4: the product catalogue (catalogue.c): what a GTIN is called,
	 * its unit of measure and product group, from the ERP's file or
	 * the state system's /product/info; source says which. Keyed by
	 * the GTIN's text so names may come before any code of it. */
	"CREATE TABLE products ("
	"  gtin TEXT PRIMARY KEY,"
	"  name TEXT NOT NULL,"
	"  unit TEXT,"
	"  product_group TEXT,"
	"  source TEXT NOT NULL,"
	"  updated_at TEXT NOT NULL) WITHOUT ROWID;",

	/* 5: documents other than furs pass goods on with a УПД (export.c,
	 * upd_read.c). A document sync never sends (sendable = 0) waits
	 * 'pending' to be exported and then is 'exported', with when and
	 * into which file: not 'failed', nothing for a person. The CHECK
	 * on state needs the table rebuilt (db.c migrates with foreign
	 * keys off and checks them before commit). delivery_lines: the
	 * lines (GTIN, name, quantity) of an imported УПД, for the product
	 * catalogue. upd_inbox: each incoming file of the exchange folder
	 * by content hash, so it is imported once even across crashes. */
	"CREATE TABLE outbox_new ("
	"  id INTEGER PRIMARY KEY,"
	"  type TEXT NOT NULL,"
	"  product_group TEXT NOT NULL,"
	"  body BLOB NOT NULL,"
	"  codes INTEGER NOT NULL,"
	"  state TEXT NOT NULL CHECK (state IN ('pending', 'submitted',"
	"    'confirmed', 'rejected', 'failed', 'exported')),"
	"  server_id TEXT,"
	"  attempts INTEGER NOT NULL DEFAULT 0,"
	"  last_error TEXT,"
	"  depends_on INTEGER REFERENCES outbox(id),"
	"  created_at TEXT NOT NULL,"
	"  updated_at TEXT NOT NULL,"
	"  signature TEXT,"
	"  sent_at TEXT,"
	"  first_sent_ms INTEGER,"
	"  last_sent_ms INTEGER,"
	"  next_at_ms INTEGER NOT NULL DEFAULT 0,"
	"  polls INTEGER NOT NULL DEFAULT 0,"
	"  fate_unknown INTEGER NOT NULL DEFAULT 0,"
	"  sendable INTEGER NOT NULL DEFAULT 1,"
	"  absent_looks INTEGER NOT NULL DEFAULT 0,"
	"  exported_at TEXT,"
	"  export_file TEXT);"
	"INSERT INTO outbox_new(id, type, product_group, body, codes, state,"
	"  server_id, attempts, last_error, depends_on, created_at,"
	"  updated_at, signature, sent_at, first_sent_ms, last_sent_ms,"
	"  next_at_ms, polls, fate_unknown, sendable, absent_looks)"
	"  SELECT id, type, product_group, body, codes, state, server_id,"
	"  attempts, last_error, depends_on, created_at, updated_at,"
	"  signature, sent_at, first_sent_ms, last_sent_ms, next_at_ms,"
	"  polls, fate_unknown, sendable, absent_looks FROM outbox;"
	"DROP TABLE outbox;"
	"ALTER TABLE outbox_new RENAME TO outbox;"
	"CREATE INDEX outbox_state ON outbox(state);"
	/* what sync gave up as 'kept for export' waits for its export */
	"UPDATE outbox SET state = 'pending', last_error = NULL"
	"  WHERE sendable = 0 AND state = 'failed';"
	"CREATE TABLE delivery_lines ("
	"  delivery_id INTEGER NOT NULL REFERENCES deliveries(id),"
	"  line INTEGER NOT NULL,"
	"  gtin TEXT,"
	"  name TEXT,"
	"  quantity TEXT,"
	"  PRIMARY KEY (delivery_id, line)) WITHOUT ROWID;"
	"CREATE INDEX delivery_lines_gtin ON delivery_lines(gtin)"
	"  WHERE gtin IS NOT NULL;"
	"CREATE TABLE upd_inbox ("
	"  hash TEXT PRIMARY KEY,"
	"  name TEXT NOT NULL,"
	"  state TEXT NOT NULL CHECK (state IN ('importing', 'done',"
	"    'failed')),"
	"  delivery_id INTEGER REFERENCES deliveries(id),"
	"  reason TEXT,"
	"  at TEXT NOT NULL) WITHOUT ROWID;",

	/* 6: label jobs (labels.c): the exact bytes of each label for a
	 * printer, kept until printed so that a printer that is off loses
	 * nothing; queued -> printed (or failed after too many tries, or
	 * voided by a supervisor). confirmed_at: the operator scanned the
	 * fresh label and it read as its SSCC. */
	"CREATE TABLE label_jobs ("
	"  id INTEGER PRIMARY KEY,"
	"  sscc TEXT NOT NULL,"
	"  printer TEXT NOT NULL,"
	"  format TEXT NOT NULL CHECK (format IN ('zpl', 'tspl', 'png')),"
	"  reason TEXT NOT NULL,"
	"  state TEXT NOT NULL CHECK (state IN ('queued', 'printed',"
	"    'failed', 'voided')),"
	"  attempts INTEGER NOT NULL DEFAULT 0,"
	"  last_error TEXT,"
	"  created_by INTEGER REFERENCES users(id),"
	"  created_at TEXT NOT NULL,"
	"  tried_at TEXT,"
	"  printed_at TEXT,"
	"  confirmed_at TEXT,"
	"  body BLOB NOT NULL);"
	"CREATE INDEX label_jobs_sscc ON label_jobs(sscc);"
	"CREATE INDEX label_jobs_queued ON label_jobs(state)"
	"  WHERE state = 'queued';",
};

const char *
st_schema_migration(int version)
{
	int n = (int)(sizeof(migrations) / sizeof(migrations[0]));

	return version >= 1 && version <= n ? migrations[version - 1] : NULL;
}

int
st_schema_version(void)
{
	return (int)(sizeof(migrations) / sizeof(migrations[0]));
}
