/*
 * sign: CMS GOST signatures through OpenSSL's gost engine or an external
 * command (see sign.h).
 *
 * Must not: print anything, keep signed data or keys in temporary files
 * after a call, or run the external command through a shell.
 */
/* The ENGINE API is deprecated in OpenSSL 3 but is the only way to reach
 * Debian 12's gost engine (no GOST provider is packaged). */
#define OPENSSL_API_COMPAT 0x10101000L

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/cms.h>
#include <openssl/engine.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "sync/sign.h"
#include "sync/wire.h"

#define MAX_ARGS 64
#define MAX_SIG (16 * 1024 * 1024)

struct sy_sign {
	ENGINE *engine;		/* gost; NULL for the external back end */
	EVP_PKEY *key;
	X509 *cert;
	char *cmd_detached;	/* owned templates, or NULL */
	char *cmd_attached;
};

/* A key or certificate file must be a regular file only its owner reads. */
static int
check_private(const char *path, const char *what, struct err *e)
{
	struct stat st;

	if (path == NULL)
		return err_set(e, ERR_INVALID, "no %s file is configured",
			       what);
	if (stat(path, &st) < 0)
		return err_set(e, ERR_IO, "cannot open the %s file %s: %s",
			       what, path, strerror(errno));
	if (!S_ISREG(st.st_mode))
		return err_set(e, ERR_INVALID, "the %s file %s is not a "
			       "regular file", what, path);
	if (st.st_mode & 077)
		return err_set(e, ERR_DENIED, "the %s file %s can be read by "
			       "others (mode %03o); make it private with "
			       "chmod 600 %s", what, path,
			       (unsigned)(st.st_mode & 0777), path);
	if (st.st_uid != geteuid())
		return err_set(e, ERR_DENIED, "the %s file %s belongs to "
			       "another user", what, path);
	return 0;
}

static ENGINE *
load_gost(struct err *e)
{
	ENGINE *eng;

	ENGINE_load_builtin_engines();
	eng = ENGINE_by_id("gost");
	if (eng == NULL) {
		ERR_clear_error();
		err_set(e, ERR_INTERNAL, "the OpenSSL gost engine is not "
			"installed (Debian package libengine-gost-openssl)");
		return NULL;
	}
	if (!ENGINE_init(eng)) {
		ENGINE_free(eng);
		ERR_clear_error();
		err_set(e, ERR_INTERNAL, "cannot start the OpenSSL gost "
			"engine");
		return NULL;
	}
	/* GOST key and digest methods become reachable by OID. */
	ENGINE_set_default(eng, ENGINE_METHOD_ALL);
	return eng;
}

/* path opened for reading if it is a regular file (a FIFO must not hang
 * the run, nor a device feed it forever); NULL with errno set. */
static FILE *
open_regular(const char *path)
{
	struct stat sb;
	FILE *f;
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);

	if (fd < 0)
		return NULL;
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		close(fd);
		errno = EINVAL;
		return NULL;
	}
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	if ((f = fdopen(fd, "r")) == NULL)
		close(fd);
	return f;
}

static int
load_pem(struct sy_sign *s, const char *key_file, const char *cert_file,
	 struct err *e)
{
	FILE *f;
	int rc = 0;

	f = open_regular(key_file);
	if (f == NULL)
		return err_set(e, ERR_IO, "cannot open the key file %s: %s",
			       key_file, errno == EINVAL ? "not a regular "
			       "file" : strerror(errno));
	s->key = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	fclose(f);
	if (s->key == NULL) {
		rc = err_set(e, ERR_INVALID, "the key file %s holds no "
			     "usable PEM private key", key_file);
		goto out;
	}
	f = open_regular(cert_file);
	if (f == NULL) {
		rc = err_set(e, ERR_IO, "cannot open the certificate file "
			     "%s: %s", cert_file, errno == EINVAL ? "not a "
			     "regular file" : strerror(errno));
		goto out;
	}
	s->cert = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	if (s->cert == NULL) {
		rc = err_set(e, ERR_INVALID, "the certificate file %s holds "
			     "no PEM certificate", cert_file);
		goto out;
	}
	if (X509_check_private_key(s->cert, s->key) != 1)
		rc = err_set(e, ERR_INVALID, "the key in %s does not belong "
			     "to the certificate in %s", key_file, cert_file);
out:
	ERR_clear_error();
	return rc;
}

int
sy_sign_new(struct sy_sign **out, const struct sy_sign_opts *opts,
	    struct err *e)
{
	struct sy_sign *s;
	int rc;

	*out = NULL;
	if (opts == NULL)
		return err_set(e, ERR_INVALID, "no signing configuration");
	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return err_set(e, ERR_INTERNAL, "out of memory");
	if (opts->command_detached) {
		s->cmd_detached = strdup(opts->command_detached);
		if (opts->command_attached)
			s->cmd_attached = strdup(opts->command_attached);
		if (s->cmd_detached == NULL ||
		    (opts->command_attached && s->cmd_attached == NULL)) {
			rc = err_set(e, ERR_INTERNAL, "out of memory");
			goto out;
		}
		*out = s;
		return 0;
	}
	rc = check_private(opts->key_file, "key", e);
	if (rc == 0)
		rc = check_private(opts->cert_file, "certificate", e);
	if (rc < 0)
		goto out;
	s->engine = load_gost(e);
	if (s->engine == NULL) {
		rc = ERR_INTERNAL;
		goto out;
	}
	rc = load_pem(s, opts->key_file, opts->cert_file, e);
	if (rc < 0)
		goto out;
	*out = s;
	return 0;
out:
	sy_sign_free(&s);
	return rc;
}

void
sy_sign_free(struct sy_sign **pp)
{
	struct sy_sign *s;

	if (pp == NULL || *pp == NULL)
		return;
	s = *pp;
	EVP_PKEY_free(s->key);
	X509_free(s->cert);
	if (s->engine) {
		ENGINE_finish(s->engine);
		ENGINE_free(s->engine);
	}
	free(s->cmd_detached);
	free(s->cmd_attached);
	free(s);
	*pp = NULL;
}

static int
sign_openssl(struct sy_sign *s, const void *data, size_t len,
	     enum sy_sign_form form, char **b64, struct err *e)
{
	BIO *in = NULL;
	CMS_ContentInfo *cms = NULL;
	unsigned char *der = NULL;
	unsigned int flags = CMS_BINARY | CMS_CADES | CMS_NOSMIMECAP;
	int n, rc = 0;

	if (len > (size_t)0x7fffffff)
		return err_set(e, ERR_INVALID, "too much data to sign");
	if (form == SY_SIGN_DETACHED)
		flags |= CMS_DETACHED;
	in = BIO_new_mem_buf(len ? data : "", (int)len);
	if (in == NULL) {
		rc = err_set(e, ERR_INTERNAL, "out of memory");
		goto out;
	}
	cms = CMS_sign(s->cert, s->key, NULL, in, flags);
	if (cms == NULL) {
		rc = err_set(e, ERR_INTERNAL, "OpenSSL could not sign: %s",
			     ERR_reason_error_string(ERR_peek_error()));
		goto out;
	}
	n = i2d_CMS_ContentInfo(cms, &der);
	if (n <= 0) {
		rc = err_set(e, ERR_INTERNAL, "OpenSSL could not encode the "
			     "signature");
		goto out;
	}
	*b64 = sy_wire_b64_encode(der, (size_t)n);
	if (*b64 == NULL)
		rc = err_set(e, ERR_INTERNAL, "out of memory");
out:
	ERR_clear_error();
	OPENSSL_free(der);
	CMS_ContentInfo_free(cms);
	BIO_free(in);
	return rc;
}

static int
write_all(int fd, const void *data, size_t len)
{
	const char *p = data;

	while (len > 0) {
		ssize_t w = write(fd, p, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

static int
read_file(const char *path, char **buf, size_t *len)
{
	FILE *f = fopen(path, "rb");
	size_t cap = 4096, n = 0;
	char *b;

	*buf = NULL;
	if (f == NULL)
		return -1;
	b = malloc(cap + 1);
	while (b) {
		size_t r = fread(b + n, 1, cap - n, f);

		n += r;
		if (n < cap)
			break;
		if (cap >= MAX_SIG) {
			free(b);
			b = NULL;
			break;
		}
		cap *= 2;
		{
			char *nb = realloc(b, cap + 1);

			if (nb == NULL) {
				free(b);
				b = NULL;
			}
			b = nb;
		}
	}
	fclose(f);
	if (b == NULL)
		return -1;
	b[n] = '\0';
	*buf = b;
	*len = n;
	return 0;
}

/*
 * What an external command wrote -> base64 without line breaks. DER is
 * encoded; base64 and PEM text lose their armour and white space.
 */
static char *
normalise_sig(const char *buf, size_t len)
{
	char *out, *o;
	const char *p = buf, *end = buf + len;
	unsigned char *der;
	size_t dlen;

	if (len == 0)
		return NULL;
	if ((unsigned char)buf[0] == 0x30)
		return sy_wire_b64_encode(buf, len);
	out = malloc(len + 1);
	if (out == NULL)
		return NULL;
	o = out;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;

		if (!(le - p >= 5 && strncmp(p, "-----", 5) == 0))
			for (; p < le; p++)
				if (*p != '\r' && *p != ' ' && *p != '\t')
					*o++ = *p;
		p = nl ? nl + 1 : end;
	}
	*o = '\0';
	if (sy_wire_b64_decode(out, strlen(out), &der, &dlen) < 0 ||
	    dlen == 0 || der[0] != 0x30) {
		free(out);
		out = NULL;
	} else {
		free(der);
	}
	return out;
}

/* Run argv, wait for it; 0 if it exited 0. */
static int
run_command(char **argv, struct err *e)
{
	pid_t pid;
	int status;

	pid = fork();
	if (pid < 0)
		return err_set(e, ERR_IO, "cannot start the signing command: "
			       "%s", strerror(errno));
	if (pid == 0) {
		int nul = open("/dev/null", O_RDWR);

		if (nul >= 0) {
			dup2(nul, 0);
			dup2(nul, 1);
		}
		execvp(argv[0], argv);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return err_set(e, ERR_IO, "lost the signing command");
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return err_set(e, ERR_IO, "the signing command %s failed "
			       "(status %d)", argv[0],
			       WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	return 0;
}

/* Copy tmpl with {in}/{out} replaced into a fresh string. */
static char *
expand(const char *word, const char *in, const char *outp)
{
	size_t n = strlen(word) + 1;
	const char *p;
	char *r, *o;

	for (p = word; (p = strchr(p, '{')) != NULL; p++)
		n += strlen(in) + strlen(outp);
	r = malloc(n);
	if (r == NULL)
		return NULL;
	for (o = r, p = word; *p;) {
		if (strncmp(p, "{in}", 4) == 0) {
			o += sprintf(o, "%s", in);
			p += 4;
		} else if (strncmp(p, "{out}", 5) == 0) {
			o += sprintf(o, "%s", outp);
			p += 5;
		} else {
			*o++ = *p++;
		}
	}
	*o = '\0';
	return r;
}

static int
sign_external(const char *tmpl, const void *data, size_t len, char **b64,
	      struct err *e)
{
	const char *tmp = getenv("TMPDIR");
	char dir[256], inp[300], outp[300];
	char *copy = NULL, *argv[MAX_ARGS + 1] = { NULL };
	char *save = NULL, *w, *buf = NULL;
	size_t blen;
	int fd, argc = 0, rc = 0, have_dir = 0;

	if (tmp == NULL || *tmp == '\0' || strlen(tmp) > 200)
		tmp = "/tmp";
	snprintf(dir, sizeof(dir), "%s/sklad-sign-XXXXXX", tmp);
	if (mkdtemp(dir) == NULL)
		return err_set(e, ERR_IO, "cannot make a temporary directory: "
			       "%s", strerror(errno));
	have_dir = 1;
	snprintf(inp, sizeof(inp), "%s/in", dir);
	snprintf(outp, sizeof(outp), "%s/out", dir);
	fd = open(inp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0 || write_all(fd, data, len) < 0) {
		rc = err_set(e, ERR_IO, "cannot write a temporary file: %s",
			     strerror(errno));
		if (fd >= 0)
			close(fd);
		goto out;
	}
	close(fd);
	copy = strdup(tmpl);
	if (copy == NULL) {
		rc = err_set(e, ERR_INTERNAL, "out of memory");
		goto out;
	}
	for (w = strtok_r(copy, " \t", &save); w;
	     w = strtok_r(NULL, " \t", &save)) {
		if (argc == MAX_ARGS) {
			rc = err_set(e, ERR_INVALID, "the signing command has "
				     "too many words");
			goto out;
		}
		argv[argc] = expand(w, inp, outp);
		if (argv[argc++] == NULL) {
			rc = err_set(e, ERR_INTERNAL, "out of memory");
			goto out;
		}
	}
	if (argc == 0) {
		rc = err_set(e, ERR_INVALID, "the signing command is empty");
		goto out;
	}
	rc = run_command(argv, e);
	if (rc < 0)
		goto out;
	if (read_file(outp, &buf, &blen) < 0) {
		rc = err_set(e, ERR_IO, "the signing command wrote no "
			     "signature");
		goto out;
	}
	*b64 = normalise_sig(buf, blen);
	if (*b64 == NULL)
		rc = err_set(e, ERR_IO, "the signing command wrote something "
			     "that is not a CMS signature");
out:
	while (argc > 0)
		free(argv[--argc]);
	free(copy);
	free(buf);
	if (have_dir) {
		unlink(inp);
		unlink(outp);
		rmdir(dir);
	}
	return rc;
}

int
sy_sign_data(struct sy_sign *s, const void *data, size_t len,
	     enum sy_sign_form form, char **b64, struct err *e)
{
	*b64 = NULL;
	if (s == NULL || (data == NULL && len > 0))
		return err_set(e, ERR_INVALID, "nothing to sign with");
	if (s->cmd_detached) {
		const char *t = form == SY_SIGN_ATTACHED ? s->cmd_attached :
			s->cmd_detached;

		if (t == NULL)
			return err_set(e, ERR_INVALID, "no signing command for "
				       "attached signatures is configured");
		return sign_external(t, data, len, b64, e);
	}
	return sign_openssl(s, data, len, form, b64, e);
}
