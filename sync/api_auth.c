/*
 * api_auth: the sign-in and its token (see api.h, api_int.h).
 *
 * The sign-in is two calls run by the same machine as every request
 * (api.c): GET /auth/key, sign the challenge, POST /auth/simpleSignIn.
 * Calls that need a token wait for it; one sign-in runs at a time. The
 * token is cached in a private file so a nightly run does not sign in
 * again while it is valid.
 * Must not: log or return the token or the signature; trust a cache file
 * that others can read or write.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sync/api_int.h"
#include "sync/log.h"

#define TOKEN_MAGIC "sklad-token 1"
#define TOKEN_MARGIN_MS ((int64_t)5 * 60 * 1000)

/* ---- token cache ------------------------------------------------------ */

void
sy_api_token_wipe(struct sy_api *a)
{
	if (a->token) {
		memset(a->token, 0, strlen(a->token));
		free(a->token);
	}
	a->token = NULL;
	a->token_exp = 0;
}

/* Load a cached token that is private, well-formed and not near expiry. */
static void
token_load(struct sy_api *a)
{
	char buf[4096], *nl, *tok;
	struct stat st;
	long long exp;
	ssize_t n;
	int fd;

	if (a->token_file == NULL)
		return;
	fd = open(a->token_file, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
		  O_CLOEXEC);
	if (fd < 0)
		return;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    st.st_uid != geteuid() || (st.st_mode & 077) != 0) {
		/* once a run: every request would say it again */
		if (!a->token_warned++)
			sy_api_logf(a, SY_LOG_WARNING "token cache %s ignored: it must be a "
				    "private file (mode 600)", a->token_file);
		close(fd);
		return;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return;
	buf[n] = '\0';
	if (strncmp(buf, TOKEN_MAGIC "\n", sizeof(TOKEN_MAGIC)) != 0)
		return;
	if (sscanf(buf + sizeof(TOKEN_MAGIC), "%lld", &exp) != 1)
		return;
	nl = strchr(buf + sizeof(TOKEN_MAGIC), '\n');
	if (nl == NULL)
		return;
	tok = nl + 1;
	nl = strchr(tok, '\n');
	if (nl == NULL || nl == tok)
		return;
	*nl = '\0';
	if ((int64_t)exp - TOKEN_MARGIN_MS <= sy_api_wall_ms())
		goto out;
	sy_api_token_wipe(a);
	a->token = strdup(tok);
	a->token_exp = a->token ? (int64_t)exp : 0;
out:
	memset(buf, 0, sizeof(buf));
}

/* Write the token atomically into a new mode-0600 file. */
static void
token_save(struct sy_api *a)
{
	char tmp[4096];
	FILE *f;
	int fd;

	if (a->token_file == NULL || a->token == NULL)
		return;
	snprintf(tmp, sizeof(tmp), "%s.new", a->token_file);
	unlink(tmp);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		  0600);
	if (fd < 0) {
		sy_api_logf(a, SY_LOG_WARNING "cannot write the token cache %s: %s", tmp,
		      strerror(errno));
		return;
	}
	fchmod(fd, 0600);
	f = fdopen(fd, "w");
	if (f == NULL) {
		close(fd);
		unlink(tmp);
		return;
	}
	fprintf(f, "%s\n%lld\n%s\n", TOKEN_MAGIC, (long long)a->token_exp,
		a->token);
	if (fflush(f) != 0 || fsync(fileno(f)) != 0) {
		fclose(f);
		unlink(tmp);
		return;
	}
	fclose(f);
	if (rename(tmp, a->token_file) < 0)
		unlink(tmp);
}

void
sy_api_token_forget(struct sy_api *a)
{
	sy_api_token_wipe(a);
	if (a->token_file)
		unlink(a->token_file);
}

int
sy_api_have_token(struct sy_api *a)
{
	if (a->token && a->token_exp - TOKEN_MARGIN_MS > sy_api_wall_ms())
		return 1;
	sy_api_token_wipe(a);
	token_load(a);
	return a->token != NULL;
}

/* ---- the sign-in ------------------------------------------------------ */

/* End the sign-in: waiting calls see login_gen move. */
static void
login_end(struct sy_api *a, int rc, const struct err *e)
{
	a->login_rc = rc;
	if (e)
		a->login_err = *e;
	else
		err_clear(&a->login_err);
	a->login_gen++;
	a->login_phase = L_IDLE;
	a->login_call = NULL;
	free(a->ch.data);
	a->ch.data = NULL;
}

void
sy_api_login_start(struct sy_api *a)
{
	char url[1024];

	if (a->login_phase != L_IDLE)
		return;
	sy_api_token_wipe(a);
	sy_api_put(url, sizeof(url), "%s/auth/key", a->v3);
	a->login_call = sy_api_call_new(a, SY_OP_AUTH, "GET", url, NULL, 0, 0);
	if (a->login_call == NULL) {
		struct err e;

		err_set(&e, ERR_INTERNAL, "out of memory");
		a->login_gen++;
		a->login_rc = ERR_INTERNAL;
		a->login_err = e;
		return;
	}
	a->login_phase = L_KEY;
}

/* The sign-in call in flight finished: take the next step. */
void
sy_api_login_advance(struct sy_api *a)
{
	struct acall *c = a->login_call;
	struct err e;
	char url[1024], *sig = NULL, *body, *tok = NULL;
	int rc;

	if (c->rc < 0) {
		e = c->err;
		sy_api_call_free(a, c);
		login_end(a, e.code ? e.code : ERR_AUTH, &e);
		return;
	}
	if (c->r.act != SY_ACT_DONE) {
		if (c->r.act == SY_ACT_UNAVAILABLE)
			rc = err_set(&e, ERR_NET, "sign-in: the server is "
				     "unavailable (%s)", c->r.text[0] ?
				     c->r.text : "no answer");
		else
			rc = err_set(&e, ERR_AUTH, "sign-in: the server "
				     "refused (HTTP %ld): %s", c->r.status,
				     c->r.text);
		sy_api_call_free(a, c);
		login_end(a, rc, &e);
		return;
	}
	if (a->login_phase == L_KEY) {
		rc = sy_wire_parse_challenge(c->r.resp->body,
					     c->r.resp->body_len, &a->ch, &e);
		sy_api_call_free(a, c);
		if (rc == 0)
			rc = sy_sign_data(a->signer, a->ch.data,
					  strlen(a->ch.data), SY_SIGN_ATTACHED,
					  &sig, &e);
		if (rc < 0) {
			login_end(a, rc, &e);
			return;
		}
		body = sy_wire_signin_body(a->ch.uuid, sig, a->united);
		memset(sig, 0, strlen(sig));
		free(sig);
		sy_api_put(url, sizeof(url), "%s/auth/simpleSignIn", a->v3);
		a->login_call = body ? sy_api_call_new(a, SY_OP_AUTH, "POST", url,
						body, strlen(body), 0) : NULL;
		if (a->login_call == NULL) {
			err_set(&e, ERR_INTERNAL, "out of memory");
			login_end(a, ERR_INTERNAL, &e);
			return;
		}
		a->login_phase = L_SIGNIN;
		return;
	}
	rc = sy_wire_parse_token(c->r.resp->body, c->r.resp->body_len, &tok,
				 &e);
	sy_api_call_free(a, c);
	if (rc < 0) {
		login_end(a, ERR_AUTH, &e);
		return;
	}
	a->token = tok;
	a->token_exp = sy_api_wall_ms() + a->ttl_ms;
	token_save(a);
	sy_api_logf(a, "signed in; token valid for %lld min",
	      (long long)(a->ttl_ms / 60000));
	login_end(a, 0, NULL);
}

int
sy_api_login(struct sy_api *a, struct err *e)
{
	unsigned gen;

	if (a->login_phase == L_IDLE) {
		sy_api_login_start(a);
		if (a->login_phase == L_IDLE)
			goto out;	/* could not start */
	}
	gen = a->login_gen;
	sy_api_run(a, NULL, gen);
out:
	if (a->login_rc < 0 && e)
		*e = a->login_err;
	return a->login_rc;
}

int
sy_api_sign_document(struct sy_api *a, const void *body, size_t len,
		     char **sig_b64, struct err *e)
{
	return sy_sign_data(a->signer, body, len, SY_SIGN_DETACHED, sig_b64,
			    e);
}
