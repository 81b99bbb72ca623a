/*
 * users: site settings, users and roles, login, refusals before any
 * operation. PINs are kept only as crypt(3) hashes (yescrypt, the Debian
 * default), compared with crypt() itself.
 */
#include <crypt.h>
#include <libintl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/db.h"
#include "scanners/i18n.h"

static const char *const role_names[] = {
	[ST_OPERATOR] = "operator", [ST_SUPERVISOR] = "supervisor",
	[ST_ADMIN] = "admin",
};

const char *
st_role_name(enum st_role role)
{
	return (unsigned)role <= ST_ADMIN ? role_names[role] : "unknown";
}

int
st_role_parse(const char *name)
{
	int i;

	for (i = 0; i <= ST_ADMIN; i++)
		if (strcmp(role_names[i], name) == 0)
			return i;
	return -1;
}

static bool
all_digits(const char *s, size_t min, size_t max)
{
	size_t n = strlen(s), i;

	if (n < min || n > max)
		return false;
	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

static int
put_setting(struct st_db *db, const char *key, const char *value,
	    struct err *e)
{
	static const char sql[] =
		"INSERT OR REPLACE INTO site(key, value) VALUES (?1, ?2)";
	sqlite3_stmt *st = db_stmt(db, sql, e);

	if (st == NULL)
		return e->code;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, value, -1, SQLITE_TRANSIENT);
	return db_done(db, st, e, "setting");
}

int
db_pin_hash(const char *pin, char *out, size_t n, struct err *e)
{
	char salt[CRYPT_GENSALT_OUTPUT_SIZE];
	struct crypt_data cd;
	const char *h;

	memset(&cd, 0, sizeof(cd));
	if (crypt_gensalt_rn("$y$", 0, NULL, 0, salt, sizeof(salt)) == NULL ||
	    (h = crypt_r(pin, salt, &cd)) == NULL || h[0] == '*' ||
	    strlen(h) >= n)
		return err_set(e, ERR_INTERNAL, "cannot hash the PIN");
	snprintf(out, n, "%s", h);
	explicit_bzero(&cd, sizeof(cd));
	return 0;
}

static int
insert_user(struct st_db *db, const char *name, enum st_role role,
	    const char *pin, int min_len, struct err *e)
{
	static const char sql[] =
		"INSERT INTO users(name, role, pin_hash, created_at)"
		" VALUES (?1, ?2, ?3, ?4)";
	sqlite3_stmt *st;
	char now[32], hash[256];
	int rc;

	if ((rc = st_user_name_check(name, e)) < 0 ||
	    (rc = st_pin_check(pin, min_len, e)) < 0 ||
	    (rc = db_pin_hash(pin, hash, sizeof(hash), e)) < 0)
		return rc;
	if ((st = db_stmt(db, sql, e)) == NULL)
		return e->code;
	db_now(now);
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, st_role_name(role), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, hash, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 4, now, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(st) != SQLITE_DONE) {
		int busy = sqlite3_errcode(db->h) == SQLITE_CONSTRAINT;

		sqlite3_reset(st);
		if (busy)
			return err_set(e, ERR_EXISTS, _("User %s already exists."), name);
		return db_fail(db, e, "user");
	}
	sqlite3_reset(st);
	return 0;
}

/* The account settings of a new site; 0 in s means the default. */
static int
put_limits(struct st_db *db, const struct st_site *s, struct err *e)
{
	char num[16];
	int rc;

	snprintf(num, sizeof(num), "%d", s->pin_min_length > 0 ?
		 s->pin_min_length : ST_PIN_MIN);
	if ((rc = put_setting(db, "pin_min_length", num, e)) < 0)
		return rc;
	snprintf(num, sizeof(num), "%d", s->lock_after > 0 ? s->lock_after :
		 5);
	if ((rc = put_setting(db, "lock_after", num, e)) < 0)
		return rc;
	snprintf(num, sizeof(num), "%d", s->lock_seconds > 0 ?
		 s->lock_seconds : 300);
	return put_setting(db, "lock_seconds", num, e);
}

int
st_site_init(struct st_db *db, const struct st_site *s, const char *admin,
	     const char *admin_pin, struct err *e)
{
	struct st_site old;
	char num[16];
	int rc;

	if (!all_digits(s->inn, 10, 12) || strlen(s->inn) == 11)
		return err_set(e, ERR_INVALID, "%s", _("The INN has 10 digits (a company) or 12 (an "
			       "individual entrepreneur)."));
	if (!all_digits(s->gcp, 6, 12))
		return err_set(e, ERR_INVALID, "%s", _("The GS1 company prefix has 6 to 12 digits."));
	if (s->extension < 0 || s->extension > 9)
		return err_set(e, ERR_INVALID, "%s", _("The SSCC extension is one digit, 0 to 9."));
	if (s->pin_min_length != 0 && (s->pin_min_length < ST_PIN_MIN ||
					s->pin_min_length > ST_PIN_MAX))
		return err_set(e, ERR_INVALID, _("A PIN has at"
			       " least %d and at most %d digits."), ST_PIN_MIN,
			       ST_PIN_MAX);
	if ((rc = db_begin(db, e)) < 0)
		return rc;
	if ((rc = st_site_get(db, &old, e)) == 0) {
		db_rollback(db);
		return err_set(e, ERR_EXISTS, "%s", _("This database is already set up."));
	}
	snprintf(num, sizeof(num), "%d", s->extension);
	if ((rc = put_setting(db, "inn", s->inn, e)) < 0 ||
	    (rc = put_setting(db, "gcp", s->gcp, e)) < 0 ||
	    (rc = put_setting(db, "extension", num, e)) < 0 ||
	    (rc = put_setting(db, "product_group", s->product_group, e)) < 0 ||
	    (rc = put_setting(db, "require_crypto",
			      s->require_crypto ? "1" : "0", e)) < 0 ||
	    (rc = put_setting(db, "gtin_policy", s->gtin_policy, e)) < 0)
		goto fail;
	snprintf(num, sizeof(num), "%d", s->box_capacity);
	if ((rc = put_setting(db, "box_capacity", num, e)) < 0)
		goto fail;
	snprintf(num, sizeof(num), "%d", s->pallet_capacity);
	if ((rc = put_setting(db, "pallet_capacity", num, e)) < 0 ||
	    (rc = put_setting(db, "sscc_next", "1", e)) < 0 ||
	    (rc = put_limits(db, s, e)) < 0 ||
	    (rc = insert_user(db, admin, ST_ADMIN, admin_pin,
			      s->pin_min_length > 0 ? s->pin_min_length :
			      ST_PIN_MIN, e)) < 0 ||
	    (rc = db_commit(db, e)) < 0)
		goto fail;
	return 0;
fail:
	db_rollback(db);
	return rc;
}

/* The account settings; a value out of range keeps the safe default
 * (a site cannot configure PINs shorter than ST_PIN_MIN). */
static void
site_limit(struct st_site *out, const char *k, const char *v)
{
	int n = atoi(v);

	if (strcmp(k, "pin_min_length") == 0 && n >= ST_PIN_MIN &&
	    n <= ST_PIN_MAX)
		out->pin_min_length = n;
	else if (strcmp(k, "lock_after") == 0 && n >= 1 && n <= 100)
		out->lock_after = n;
	else if (strcmp(k, "lock_seconds") == 0 && n >= 1)
		out->lock_seconds = n;
}

int
st_site_get(struct st_db *db, struct st_site *out, struct err *e)
{
	static const char sql[] = "SELECT key, value FROM site";
	sqlite3_stmt *st = db_stmt(db, sql, e);
	int rc, seen = 0;

	memset(out, 0, sizeof(*out));
	snprintf(out->gtin_policy, sizeof(out->gtin_policy), "any");
	out->require_crypto = true;
	out->pin_min_length = ST_PIN_MIN;
	out->lock_after = 5;
	out->lock_seconds = 300;
	if (st == NULL)
		return e->code;
	while ((rc = db_row(db, st, e, "site")) == 1) {
		const char *k = (const char *)sqlite3_column_text(st, 0);
		const char *v = (const char *)sqlite3_column_text(st, 1);

		if (strcmp(k, "inn") == 0) {
			snprintf(out->inn, sizeof(out->inn), "%s", v);
			seen = 1;
		} else if (strcmp(k, "gcp") == 0) {
			snprintf(out->gcp, sizeof(out->gcp), "%s", v);
		} else if (strcmp(k, "extension") == 0) {
			out->extension = atoi(v);
		} else if (strcmp(k, "product_group") == 0) {
			snprintf(out->product_group,
				 sizeof(out->product_group), "%s", v);
		} else if (strcmp(k, "box_capacity") == 0) {
			out->box_capacity = atoi(v);
		} else if (strcmp(k, "pallet_capacity") == 0) {
			out->pallet_capacity = atoi(v);
		} else if (strcmp(k, "require_crypto") == 0) {
			out->require_crypto = atoi(v) != 0;
		} else if (strcmp(k, "gtin_policy") == 0) {
			snprintf(out->gtin_policy, sizeof(out->gtin_policy),
				 "%s", v);
		} else {
			site_limit(out, k, v);
		}
	}
	sqlite3_reset(st);
	if (rc < 0)
		return rc;
	if (!seen)
		return err_set(e, ERR_NOTFOUND, "%s", _("The site is not set up: run `sklad init`."));
	return 0;
}

int
st_user_add(struct st_db *db, const struct st_actor *who, const char *name,
	    enum st_role role, const char *pin, struct err *e)
{
	struct st_site site;
	int rc;

	if ((rc = db_begin(db, e)) < 0)
		return rc;
	if (who->role < ST_ADMIN) {
		char why[ERR_MSG_MAX];

		snprintf(why, sizeof(why), "%s", _("Only an admin may add users."));
		db_audit(db, who, ST_ACT_USER_ADD, false, 0, 0, name,
			 strlen(name), why, e);
		db_commit(db, e);
		return err_set(e, ERR_DENIED, "%s", why);
	}
	if ((rc = st_site_get(db, &site, e)) < 0 ||
	    (rc = insert_user(db, name, role, pin, site.pin_min_length,
			      e)) < 0 ||
	    (rc = db_audit(db, who, ST_ACT_USER_ADD, true, 0, 0, name,
			   strlen(name), NULL, e)) < 0 ||
	    (rc = db_commit(db, e)) < 0) {
		db_rollback(db);
		/* A bad name or PIN, or a name taken: refused, so audited. */
		if (rc == ERR_INVALID || rc == ERR_EXISTS)
			db_audit_account(db, who, ST_ACT_USER_ADD, name,
					 e->msg);
		return rc;
	}
	return 0;
}

int
st_audit_refusal(struct st_db *db, const struct st_actor *who,
		 const char *scan, size_t len, const char *reason,
		 struct err *e)
{
	int rc;

	if ((rc = db_begin(db, e)) < 0)
		return rc;
	if ((rc = db_audit(db, who, ST_ACT_SCAN_REFUSED, false, 0, 0, scan,
			   len, reason, e)) < 0 ||
	    (rc = db_commit(db, e)) < 0) {
		db_rollback(db);
		return rc;
	}
	return 0;
}

int
st_audit_denied(struct st_db *db, const struct st_actor *who,
		enum st_action act, const char *subject, const char *why,
		struct err *e)
{
	int rc = db_audit_account(db, who, act, subject, why);

	return rc < 0 ? err_set(e, rc, "%s", _("The refusal could not be "
				"recorded in the audit log.")) : 0;
}
