/*
 * emu.h: start tests/api/emulator.py as a child process and talk to its
 * control channel, for the sync tests (tests/unit/test_sy_*.c).
 *
 * Header-only (static functions) because each tests/unit/NAME.c is built
 * into its own program. Finds the emulator through SKLAD_SRC (set by the
 * Makefile), runs it with /usr/bin/python3 on a fresh temporary work dir
 * (its TLS CA, server certificate and GOST test keys live there) and
 * removes that dir when stopped.
 *
 * Must not: talk to anything but loopback, leave the child or the work
 * dir behind, or kill any process but its own child.
 */
#ifndef SKLAD_TESTS_EMU_H
#define SKLAD_TESTS_EMU_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#define EMU_BUF (8u << 20)

struct emu {
	pid_t pid;
	int to;			/* child's stdin */
	int from;		/* child's stdout */
	char *rbuf;		/* unread output, EMU_BUF bytes */
	size_t rlen;
	char dir[512];		/* work dir */
	int port;
	char v3[256], v4[256], ca[600], inn[16];
	char key256[600], cert256[600], key512[600], cert512[600];
	char trust[600];
};

/* Read one line from the child within timeout_ms into line; 0 or -1. */
static int __attribute__((unused))
emu_readline(struct emu *m, char *line, size_t lsz, int timeout_ms)
{
	for (;;) {
		char *nl = memchr(m->rbuf, '\n', m->rlen);
		struct pollfd p = { .fd = m->from, .events = POLLIN };
		ssize_t n;

		if (nl) {
			size_t k = (size_t)(nl - m->rbuf);

			if (k >= lsz)
				k = lsz - 1;
			memcpy(line, m->rbuf, k);
			line[k] = '\0';
			m->rlen -= (size_t)(nl - m->rbuf) + 1;
			memmove(m->rbuf, nl + 1, m->rlen);
			return 0;
		}
		if (poll(&p, 1, timeout_ms) <= 0)
			return -1;
		if (m->rlen + 1 >= EMU_BUF)
			return -1;
		n = read(m->from, m->rbuf + m->rlen, EMU_BUF - m->rlen - 1);
		if (n <= 0)
			return -1;
		m->rlen += (size_t)n;
	}
}

static int __attribute__((unused))
emu_rm_cb(const char *path, const struct stat *sb, int flag, struct FTW *f)
{
	(void)sb;
	(void)flag;
	(void)f;
	return remove(path);
}

/*
 * Start the emulator; extra: further arguments (NULL-terminated list,
 * may be NULL). 0 on success, -1 (with a message on stderr) if not.
 */
static int __attribute__((unused))
emu_start(struct emu *m, const char *const *extra)
{
	const char *src = getenv("SKLAD_SRC");
	const char *tmp = getenv("TMPDIR");
	char script[600], line[4096];
	int in[2], out[2];
	json_t *j;
	json_error_t je;

	memset(m, 0, sizeof(*m));
	m->pid = -1;
	m->rbuf = malloc(EMU_BUF);
	if (m->rbuf == NULL)
		return -1;
	snprintf(script, sizeof(script), "%s/tests/api/emulator.py",
		 src ? src : ".");
	snprintf(m->dir, sizeof(m->dir), "%s/sklad-emu-XXXXXX",
		 tmp && *tmp ? tmp : "/tmp");
	if (mkdtemp(m->dir) == NULL) {
		perror("mkdtemp");
		return -1;
	}
	if (pipe2(in, O_CLOEXEC) < 0 || pipe2(out, O_CLOEXEC) < 0) {
		perror("pipe");
		return -1;
	}
	m->pid = fork();
	if (m->pid < 0)
		return -1;
	if (m->pid == 0) {
		const char *argv[32];
		int k = 0;

		dup2(in[0], 0);
		dup2(out[1], 1);
		argv[k++] = "/usr/bin/python3";
		argv[k++] = script;
		argv[k++] = "--workdir";
		argv[k++] = m->dir;
		while (extra && *extra && k < 30)
			argv[k++] = *extra++;
		argv[k] = NULL;
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	m->to = in[1];
	m->from = out[0];
	if (emu_readline(m, line, sizeof(line), 30000) < 0 ||
	    strncmp(line, "READY ", 6) != 0) {
		fprintf(stderr, "emulator did not start\n");
		return -1;
	}
	j = json_loads(line + 6, 0, &je);
	if (j == NULL)
		return -1;
	m->port = (int)json_integer_value(json_object_get(j, "port"));
	snprintf(m->v3, sizeof(m->v3), "%s",
		 json_string_value(json_object_get(j, "v3")));
	snprintf(m->v4, sizeof(m->v4), "%s",
		 json_string_value(json_object_get(j, "v4")));
	snprintf(m->ca, sizeof(m->ca), "%s",
		 json_string_value(json_object_get(j, "ca")));
	snprintf(m->inn, sizeof(m->inn), "%s",
		 json_string_value(json_object_get(j, "inn")));
	json_decref(j);
	snprintf(m->key256, sizeof(m->key256), "%s/client256.key", m->dir);
	snprintf(m->cert256, sizeof(m->cert256), "%s/client256.pem", m->dir);
	snprintf(m->key512, sizeof(m->key512), "%s/client512.key", m->dir);
	snprintf(m->cert512, sizeof(m->cert512), "%s/client512.pem", m->dir);
	snprintf(m->trust, sizeof(m->trust), "%s/trust.pem", m->dir);
	return 0;
}

/*
 * Send one control command (a JSON object) and return the reply parsed
 * (caller json_decref's it), or NULL.
 */
static json_t * __attribute__((unused))
emu_cmd(struct emu *m, const char *json)
{
	char *line = malloc(EMU_BUF);
	json_t *j = NULL;
	json_error_t je;
	size_t n = strlen(json);

	if (line && write(m->to, json, n) == (ssize_t)n &&
	    write(m->to, "\n", 1) == 1 &&
	    emu_readline(m, line, EMU_BUF, 30000) == 0)
		j = json_loads(line, 0, &je);
	free(line);
	return j;
}

/* Send a command and report whether it said ok. */
static int __attribute__((unused))
emu_ok(struct emu *m, const char *json)
{
	json_t *r = emu_cmd(m, json);
	int ok = r && json_is_true(json_object_get(r, "ok"));

	json_decref(r);
	return ok;
}

/* Number of documents the emulator has recorded. */
static int __attribute__((unused))
emu_ndocs(struct emu *m)
{
	json_t *r = emu_cmd(m, "{\"cmd\":\"state\"}");
	int n = r ? (int)json_array_size(json_object_get(r, "docs")) : -1;

	json_decref(r);
	return n;
}

/* How many logged requests had a path ending in suffix. */
static int __attribute__((unused))
emu_count(struct emu *m, const char *suffix)
{
	json_t *r = emu_cmd(m, "{\"cmd\":\"state\"}");
	json_t *log = json_object_get(r, "log");
	size_t i, sl = strlen(suffix);
	int n = 0;

	for (i = 0; i < json_array_size(log); i++) {
		const char *p = json_string_value(
			json_array_get(json_array_get(log, i), 1));
		size_t pl = p ? strlen(p) : 0;

		if (pl >= sl && strcmp(p + pl - sl, suffix) == 0)
			n++;
	}
	json_decref(r);
	return n;
}

/* Stop the child (closing its stdin ends it) and remove the work dir. */
static void __attribute__((unused))
emu_stop(struct emu *m)
{
	int i, st;

	if (m->to > 0)
		close(m->to);
	if (m->from > 0)
		close(m->from);
	m->to = m->from = -1;
	for (i = 0; m->pid > 0 && i < 100; i++) {
		if (waitpid(m->pid, &st, WNOHANG) == m->pid) {
			m->pid = -1;
			break;
		}
		usleep(20000);
	}
	if (m->pid > 0) {
		kill(m->pid, SIGKILL);
		waitpid(m->pid, &st, 0);
		m->pid = -1;
	}
	if (m->dir[0])
		nftw(m->dir, emu_rm_cb, 16, FTW_DEPTH | FTW_PHYS);
	m->dir[0] = '\0';
	free(m->rbuf);
	m->rbuf = NULL;
}

/* Milliseconds on the monotonic clock. */
static long long __attribute__((unused))
emu_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * Write a sync configuration at path that trusts the emulator's CA and
 * signs with its 256-bit test key: [true-api] with v3/v4 (the emulator's
 * when NULL), a token file in token_dir, then api_extra lines; then
 * sections (further INI text, may be ""). Aborts if it cannot write.
 */
static void __attribute__((unused))
emu_write_conf(const struct emu *m, const char *path, const char *v3,
	       const char *v4, const char *token_dir, const char *api_extra,
	       const char *sections)
{
	FILE *fp = fopen(path, "w");

	if (fp == NULL)
		abort();
	fprintf(fp, "[true-api]\nv3 = %s\nv4 = %s\nca_file = %s\n"
		"token_file = %s/token\n%s\n[sign]\nkey = %s\ncert = %s\n\n%s",
		v3 != NULL ? v3 : m->v3, v4 != NULL ? v4 : m->v4, m->ca,
		token_dir, api_extra, m->key256, m->cert256, sections);
	fclose(fp);
}

/* The whole file at path (at most 1 MiB) as a string in a static buffer,
 * "" when it cannot be read; valid until the next call. */
static __attribute__((unused)) char *
emu_slurp(const char *path)
{
	static char buf[1 << 20];
	FILE *fp = fopen(path, "r");
	size_t n = 0;

	if (fp != NULL) {
		n = fread(buf, 1, sizeof(buf) - 1, fp);
		fclose(fp);
	}
	buf[n] = '\0';
	return buf;
}

#endif
