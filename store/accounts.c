/*
 * accounts: who may log in, and what protects an account. Names are
 * printable UTF-8 so that every screen and the audit show them as typed;
 * every account has a PIN (yescrypt hash); wrong PINs in a row lock the
 * account for a while; an admin disables, enables and sets PINs, a
 * supervisor unlocks. Every refusal and lockout goes to the audit log.
 */
#include <crypt.h>
#include <libintl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/db.h"
#include "scanners/i18n.h"


/* --- names and PINs ------------------------------------------------------ */

/* Decode one UTF-8 sequence at s (n bytes left) into *cp; its length, or
 * 0 if it is not valid (overlong, surrogate, beyond U+10FFFF, cut). */
static size_t
utf8_next(const unsigned char *s, size_t n, unsigned *cp)
{
	size_t len, i;
	unsigned c = s[0], min;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xC2 && c <= 0xDF)
		len = 2, c &= 0x1F, min = 0x80;
	else if (c >= 0xE0 && c <= 0xEF)
		len = 3, c &= 0x0F, min = 0x800;
	else if (c >= 0xF0 && c <= 0xF4)
		len = 4, c &= 0x07, min = 0x10000;
	else
		return 0;
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3F);
	}
	if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
		return 0;
	*cp = c;
	return len;
}

/* Characters that would hide or disguise a name on a screen or in the
 * audit: controls (C0, DEL, C1), spaces, and invisible format marks
 * (zero-width, bidirectional overrides). */
static bool
cp_refused(unsigned c)
{
	return c <= 0x20 || (c >= 0x7F && c <= 0xA0) || c == 0xAD ||
	       (c >= 0x2000 && c <= 0x200F) || (c >= 0x2028 && c <= 0x202F) ||
	       (c >= 0x205F && c <= 0x206F) || c == 0x3000 || c == 0xFEFF ||
	       (c >= 0xFFF9 && c <= 0xFFFB);
}

int
st_user_name_check(const char *name, struct err *e)
{
	const unsigned char *s = (const unsigned char *)name;
	size_t n = strlen(name), i = 0, len;
	int chars = 0;
	unsigned cp;

	while (i < n) {
		if ((len = utf8_next(s + i, n - i, &cp)) == 0)
			return err_set(e, ERR_INVALID, "%s", _("A user name "
				       "must be valid UTF-8 text."));
		if (cp_refused(cp))
			return err_set(e, ERR_INVALID, "%s", _("A user name "
				       "holds no spaces, control or invisible "
				       "characters."));
		i += len;
		chars++;
	}
	if (chars < 1 || chars > ST_USER_CHARS || n >= ST_NAME_MAX)
		return err_set(e, ERR_INVALID, _("A user name has 1 to %d "
			       "characters."), ST_USER_CHARS);
	return 0;
}

int
st_pin_check(const char *pin, int min_len, struct err *e)
{
	size_t n = pin != NULL ? strlen(pin) : 0, i;

	if (min_len < ST_PIN_MIN)
		min_len = ST_PIN_MIN;
	for (i = 0; i < n; i++)
		if (pin[i] < '0' || pin[i] > '9')
			n = 0;
	if (n < (size_t)min_len || n > ST_PIN_MAX)
		return err_set(e, ERR_INVALID, _("A PIN is %d to %d digits."),
			       min_len, ST_PIN_MAX);
	return 0;
}

int
db_audit_account(struct st_db *db, const struct st_actor *who,
		  enum st_action action, const char *name, const char *why)
{
	struct err ae, ne;
	/* A name that is not one (escape sequences, broken UTF-8) stays
	 * out of the log: whoever reads it must not be shown it. */
	bool shown = name != NULL && st_user_name_check(name, &ne) == 0;
	int rc;

	if ((rc = db_begin(db, &ae)) < 0)
		return rc;
	if ((rc = db_audit(db, who, action, false, 0, 0, shown ? name : NULL,
			   shown ? strlen(name) : 0, why, &ae)) < 0 ||
	    (rc = db_commit(db, &ae)) < 0)
		db_rollback(db);
	return rc;
}

/* --- login --------------------------------------------------------------- */

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ms since 1970 as UTC ISO 8601, the way the database writes times. */
static void
ms_text(int64_t ms, char out[32])
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out + 19, 13, ".%03dZ", (int)(ms % 1000));
}

/* ms as local HH:MM for a person. */
static void
ms_clock(int64_t ms, char out[16])
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	localtime_r(&t, &tm);
	strftime(out, 16, "%H:%M", &tm);
}

/* A hash of nothing anyone types, with the site's usual cost. */
static int
hash_dummy(char *out, size_t n)
{
	char salt[CRYPT_GENSALT_OUTPUT_SIZE];
	struct crypt_data cd;
	const char *h;

	memset(&cd, 0, sizeof(cd));
	if (crypt_gensalt_rn("$y$", 0, NULL, 0, salt, sizeof(salt)) == NULL ||
	    (h = crypt_r("not a PIN", salt, &cd)) == NULL || h[0] == '*' ||
	    strlen(h) >= n)
		return -1;
	snprintf(out, n, "%s", h);
	return 0;
}

/*
 * Whether pin matches hash. Always runs one yescrypt, against a hash made
 * once per process when there is nothing to compare with (unknown user,
 * no PIN stored, no PIN given), so that a refusal takes as long as a
 * success and does not tell which names exist.
 */
static bool
pin_matches(const char *hash, const char *pin)
{
	static char dummy[256];
	struct crypt_data cd;
	const char *h;
	bool real = hash != NULL && hash[0] == '$' && pin != NULL;

	if (!real && dummy[0] == '\0' &&
	    hash_dummy(dummy, sizeof(dummy)) < 0)
		return false;
	memset(&cd, 0, sizeof(cd));
	h = crypt_r(pin != NULL ? pin : "", real ? hash : dummy, &cd);
	real = real && h != NULL && strcmp(h, hash) == 0;
	explicit_bzero(&cd, sizeof(cd));
	return real;
}

/* What login and the user commands need to know of one account. */
struct acct {
	bool found;
	int64_t id;
	enum st_role role;
	char hash[256];
	bool disabled;
	int64_t locked_until;	/* ms since 1970; 0 = not locked */
};

static int
acct_read(struct st_db *db, const char *name, struct acct *a, struct err *e)
{
	static const char sql[] =
		"SELECT id, role, pin_hash, disabled, locked_until_ms"
		" FROM users WHERE name = ?1";
	sqlite3_stmt *st = db_stmt(db, sql, e);
	char role[16];
	int rc;

	memset(a, 0, sizeof(*a));
	if (st == NULL)
		return e->code;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	if ((rc = db_row(db, st, e, "user")) == 1) {
		a->found = true;
		a->id = sqlite3_column_int64(st, 0);
		db_text(st, 1, role, sizeof(role));
		a->role = (enum st_role)st_role_parse(role);
		db_text(st, 2, a->hash, sizeof(a->hash));
		a->disabled = sqlite3_column_int(st, 3) != 0;
		a->locked_until = sqlite3_column_int64(st, 4);
	}
	sqlite3_reset(st);
	return rc < 0 ? rc : 0;
}

/* Run one UPDATE of users keyed by ?1 = id, ?2 = arg (if it has one:
 * binding a parameter the statement lacks is a no-op). */
static int
acct_update(struct st_db *db, const char *sql, int64_t id, int64_t arg,
	    struct err *e)
{
	sqlite3_stmt *st = db_stmt(db, sql, e);

	if (st == NULL)
		return e->code;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, arg);
	return db_done(db, st, e, "user");
}

/* Record a refused login (audit_why for the admin who reads the audit,
 * msg for the person at the station), commit, and return ERR_DENIED. */
static int
login_refuse(struct st_db *db, const struct st_actor *who, const char *name,
	     const char *audit_why, const char *msg, struct err *e)
{
	struct err ae;

	if (db_audit(db, who, ST_ACT_LOGIN, false, 0, 0, name,
		     name != NULL ? strlen(name) : 0, audit_why, &ae) < 0 ||
	    db_commit(db, &ae) < 0)
		db_rollback(db);
	return err_set(e, ERR_DENIED, "%s", msg);
}

/* One more wrong PIN for a: at the site's limit the account locks. */
static int
login_wrong(struct st_db *db, const struct st_actor *who, const char *name,
	    const struct acct *a, const struct st_site *site, struct err *e)
{
	static const char inc[] = "UPDATE users SET failed_pins ="
		" failed_pins + 1 WHERE id = ?1";
	static const char get[] = "SELECT failed_pins FROM users WHERE id = ?1";
	static const char lock[] = "UPDATE users SET failed_pins = 0,"
		" locked_until_ms = ?2 WHERE id = ?1";
	const char *why = a->hash[0] == '$' ? _("Wrong PIN.") :
		_("No PIN is set for this user: an admin sets one with "
		  "user pin.");
	char msg[ERR_MSG_MAX], at[16];
	int64_t failed = 0, until;
	int rc;

	if ((rc = acct_update(db, inc, a->id, 0, e)) < 0 ||
	    (rc = db_int(db, get, a->id, &failed, e)) < 0) {
		db_rollback(db);
		return rc;
	}
	if (failed < site->lock_after)
		return login_refuse(db, who, name, why,
				    _("Wrong user name or PIN."), e);
	until = now_ms() + (int64_t)site->lock_seconds * 1000;
	ms_clock(until, at);
	snprintf(msg, sizeof(msg), _("Too many wrong PINs: the account %s is "
		 "locked until %s. A supervisor can unlock it."), name, at);
	if ((rc = acct_update(db, lock, a->id, until, e)) < 0 ||
	    (rc = db_audit(db, who, ST_ACT_USER_LOCKED, false, 0, 0, name,
			   strlen(name), msg, e)) < 0) {
		db_rollback(db);
		return rc;
	}
	return login_refuse(db, who, name, why, msg, e);
}

int
st_login(struct st_db *db, const char *name, const char *pin,
	 const char *device, struct st_actor *out, struct err *e)
{
	static const char ok_sql[] = "UPDATE users SET failed_pins = 0,"
		" locked_until_ms = 0 WHERE id = ?1";
	static const char locked_sql[] =
		"SELECT locked_until_ms FROM users WHERE id = ?1";
	struct st_site site;
	struct acct a = { .found = false };
	struct err ne;
	bool valid, match;
	int rc;

	memset(out, 0, sizeof(*out));
	snprintf(out->user, sizeof(out->user), "%s", name);
	snprintf(out->device, sizeof(out->device), "%s",
		 device != NULL ? device : "");
	valid = st_user_name_check(name, &ne) == 0;
	if ((rc = st_site_get(db, &site, e)) < 0 ||
	    (valid && (rc = acct_read(db, name, &a, e)) < 0))
		return rc;
	/* The slow part runs before the write lock is taken: a wrong PIN
	 * costs the station its time, not every other station. */
	match = pin_matches(a.found ? a.hash : NULL, pin);
	if ((rc = db_begin(db, e)) < 0)
		return rc;
	if (!valid) {
		out->user[0] = '\0';
		return login_refuse(db, out, NULL, _("Not a valid user name."),
				    _("Wrong user name or PIN."), e);
	}
	if (!a.found)
		return login_refuse(db, out, name, _("Unknown user."),
				    _("Wrong user name or PIN."), e);
	out->user_id = a.id;
	out->role = a.role;
	/* Again under the write lock: attempts running side by side must
	 * not slip past a lock another one just set. */
	if ((rc = db_int(db, locked_sql, a.id, &a.locked_until, e)) < 0) {
		db_rollback(db);
		return rc;
	}
	if (a.locked_until > now_ms()) {
		char msg[ERR_MSG_MAX], at[16];

		ms_clock(a.locked_until, at);
		snprintf(msg, sizeof(msg), _("The account %s is locked until "
			 "%s after too many wrong PINs. A supervisor can unlock "
			 "it."), name, at);
		return login_refuse(db, out, name, msg, msg, e);
	}
	if (!match)
		return login_wrong(db, out, name, &a, &site, e);
	if (a.disabled)
		return login_refuse(db, out, name, _("The account is "
				    "disabled."), _("This account is disabled:"
				    " ask an admin."), e);
	if ((rc = acct_update(db, ok_sql, a.id, 0, e)) < 0 ||
	    (rc = db_audit(db, out, ST_ACT_LOGIN, true, 0, 0, NULL, 0, NULL,
			   e)) < 0 || (rc = db_commit(db, e)) < 0) {
		db_rollback(db);
		return rc;
	}
	return 0;
}

/* --- managing accounts --------------------------------------------------- */

/* Refuse who's action on name, audited; returns code. */
static int
manage_refuse(struct st_db *db, const struct st_actor *who,
	      enum st_action action, const char *name, int code,
	      const char *msg, struct err *e)
{
	struct err ae;

	if (db_audit(db, who, action, false, 0, 0, name, strlen(name), msg,
		     &ae) < 0 || db_commit(db, &ae) < 0)
		db_rollback(db);
	return err_set(e, code, "%s", msg);
}

/* Begin, and read the account name into *a; ERR_NOTFOUND (audited) if
 * there is none. On failure no transaction is left open. */
static int
manage_begin(struct st_db *db, const struct st_actor *who,
	     enum st_action action, const char *name, struct acct *a,
	     struct err *e)
{
	char msg[ERR_MSG_MAX];
	int rc;

	if ((rc = db_begin(db, e)) < 0)
		return rc;
	if ((rc = acct_read(db, name, a, e)) < 0) {
		db_rollback(db);
		return rc;
	}
	if (a->found)
		return 0;
	snprintf(msg, sizeof(msg), _("No user %s."), name);
	return manage_refuse(db, who, action, name, ERR_NOTFOUND, msg, e);
}

/* Apply sql to a, audit it as done, commit. */
static int
manage_apply(struct st_db *db, const struct st_actor *who,
	     enum st_action action, const char *name, const char *sql,
	     const struct acct *a, int64_t arg, struct err *e)
{
	int rc;

	if ((rc = acct_update(db, sql, a->id, arg, e)) < 0 ||
	    (rc = db_audit(db, who, action, true, 0, 0, name, strlen(name),
			   NULL, e)) < 0 ||
	    (rc = db_commit(db, e)) < 0) {
		db_rollback(db);
		return rc;
	}
	return 0;
}

int
st_user_pin(struct st_db *db, const struct st_actor *who, const char *name,
	    const char *pin, struct err *e)
{
	static const char sql[] = "UPDATE users SET pin_hash = ?2,"
		" failed_pins = 0, locked_until_ms = 0 WHERE id = ?1";
	struct st_site site;
	struct acct a;
	char hash[256];
	sqlite3_stmt *st;
	int rc;

	if ((rc = st_site_get(db, &site, e)) < 0)
		return rc;
	if ((rc = st_pin_check(pin, site.pin_min_length, e)) < 0) {
		db_audit_account(db, who, ST_ACT_USER_PIN, name, e->msg);
		return rc;
	}
	if ((rc = db_pin_hash(pin, hash, sizeof(hash), e)) < 0 ||
	    (rc = manage_begin(db, who, ST_ACT_USER_PIN, name, &a, e)) < 0)
		return rc;
	if (a.id != who->user_id && who->role != ST_ADMIN &&
	    !(who->role == ST_SUPERVISOR && a.role == ST_OPERATOR))
		return manage_refuse(db, who, ST_ACT_USER_PIN, name,
				     ERR_DENIED, _("Only an admin sets another"
				     " user's PIN (a supervisor, an "
				     "operator's)."), e);
	if ((st = db_stmt(db, sql, e)) == NULL) {
		db_rollback(db);
		return e->code;
	}
	sqlite3_bind_int64(st, 1, a.id);
	sqlite3_bind_text(st, 2, hash, -1, SQLITE_TRANSIENT);
	if ((rc = db_done(db, st, e, "user")) < 0 ||
	    (rc = db_audit(db, who, ST_ACT_USER_PIN, true, 0, 0, name,
			   strlen(name), NULL, e)) < 0 ||
	    (rc = db_commit(db, e)) < 0) {
		db_rollback(db);
		return rc;
	}
	return 0;
}

int
st_user_disable(struct st_db *db, const struct st_actor *who,
		const char *name, bool disabled, struct err *e)
{
	static const char sql[] =
		"UPDATE users SET disabled = ?2 WHERE id = ?1";
	enum st_action act = disabled ? ST_ACT_USER_DISABLE :
		ST_ACT_USER_ENABLE;
	struct acct a;
	int rc;

	if ((rc = manage_begin(db, who, act, name, &a, e)) < 0)
		return rc;
	if (who->role < ST_ADMIN)
		return manage_refuse(db, who, act, name, ERR_DENIED,
				     _("Only an admin may disable or enable "
				       "users."), e);
	if (a.id == who->user_id)
		return manage_refuse(db, who, act, name, ERR_REFUSED,
				     _("You cannot disable or enable your own "
				       "account."), e);
	return manage_apply(db, who, act, name, sql, &a, disabled, e);
}

int
st_user_unlock(struct st_db *db, const struct st_actor *who,
	       const char *name, struct err *e)
{
	static const char sql[] = "UPDATE users SET failed_pins = 0,"
		" locked_until_ms = 0 WHERE id = ?1";
	struct acct a;
	int rc;

	if ((rc = manage_begin(db, who, ST_ACT_USER_UNLOCK, name, &a, e)) < 0)
		return rc;
	if (who->role < ST_SUPERVISOR)
		return manage_refuse(db, who, ST_ACT_USER_UNLOCK, name,
				     ERR_DENIED, _("Only a supervisor or an "
				     "admin may unlock an account."), e);
	return manage_apply(db, who, ST_ACT_USER_UNLOCK, name, sql, &a, 0, e);
}

int
st_user_list(struct st_db *db, const struct st_actor *who,
	     int (*fn)(void *arg, const struct st_user_info *u), void *arg,
	     struct err *e)
{
	static const char sql[] =
		"SELECT name, role, disabled, pin_hash LIKE '$%',"
		" failed_pins, locked_until_ms FROM users ORDER BY name";
	struct st_user_info u;
	sqlite3_stmt *st;
	int64_t now = now_ms(), until;
	char role[16];
	int rc;

	if (who->role < ST_SUPERVISOR)
		return err_set(e, ERR_DENIED, "%s", _("Only a supervisor or an"
			       " admin may list users."));
	if ((st = db_stmt(db, sql, e)) == NULL)
		return e->code;
	while ((rc = db_row(db, st, e, "users")) == 1) {
		memset(&u, 0, sizeof(u));
		db_text(st, 0, u.name, sizeof(u.name));
		db_text(st, 1, role, sizeof(role));
		u.role = (enum st_role)st_role_parse(role);
		u.disabled = sqlite3_column_int(st, 2) != 0;
		u.has_pin = sqlite3_column_int(st, 3) != 0;
		u.failed = sqlite3_column_int(st, 4);
		if ((until = sqlite3_column_int64(st, 5)) > now)
			ms_text(until, u.locked_until);
		if (fn(arg, &u) != 0)
			break;
	}
	sqlite3_reset(st);
	return rc < 0 ? rc : 0;
}

int
st_user_pin_missing(struct st_db *db, const char *name, const char *pin,
		    struct err *e)
{
	static const char sql[] = "UPDATE users SET pin_hash = ?2,"
		" failed_pins = 0, locked_until_ms = 0 WHERE id = ?1";
	struct st_actor who = { .user_id = 0 };
	struct st_site site;
	struct acct a;
	char hash[256];
	sqlite3_stmt *st;
	int rc;

	snprintf(who.device, sizeof(who.device), "set-pin");
	if ((rc = st_site_get(db, &site, e)) < 0 ||
	    (rc = st_pin_check(pin, site.pin_min_length, e)) < 0 ||
	    (rc = db_pin_hash(pin, hash, sizeof(hash), e)) < 0 ||
	    (rc = manage_begin(db, &who, ST_ACT_USER_PIN, name, &a, e)) < 0)
		return rc;
	/* Never a way around a PIN someone chose: only a blank one. */
	if (a.hash[0] != '\0')
		return manage_refuse(db, &who, ST_ACT_USER_PIN, name,
				     ERR_REFUSED, _("This account has a PIN: "
				     "change it with user pin."), e);
	if ((st = db_stmt(db, sql, e)) == NULL) {
		db_rollback(db);
		return e->code;
	}
	sqlite3_bind_int64(st, 1, a.id);
	sqlite3_bind_text(st, 2, hash, -1, SQLITE_TRANSIENT);
	if ((rc = db_done(db, st, e, "user")) < 0 ||
	    (rc = db_audit(db, &who, ST_ACT_USER_PIN, true, 0, 0, name,
			   strlen(name), NULL, e)) < 0 ||
	    (rc = db_commit(db, e)) < 0) {
		db_rollback(db);
		return rc;
	}
	return 0;
}
