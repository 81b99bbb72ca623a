/*
 * slow_fsync: an LD_PRELOAD shim that makes fsync and fdatasync take
 * SLOW_FSYNC_MS milliseconds longer, as on the eMMC and SD cards of rugged
 * terminals (50-500 ms). For the VM test of a console whose commits wait
 * on storage while its scanner goes on typing (vm_scanners, console_*).
 *
 *   LD_PRELOAD=build/tests/vm/slow_fsync.so SLOW_FSYNC_MS=300 sklad ...
 *
 * Test-only: it must not change what the calls do, only when they return.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdlib.h>
#include <time.h>

/* Exported through LD_PRELOAD only; declared here for -Wmissing-prototypes. */
int fsync(int fd);
int fdatasync(int fd);

static void
delay(void)
{
	const char *v = getenv("SLOW_FSYNC_MS");
	long ms = v != NULL ? atol(v) : 0;
	struct timespec ts;

	if (ms <= 0)
		return;
	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (ms % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) != 0)
		;
}

int
fsync(int fd)
{
	static int (*real)(int);

	if (real == NULL)
		real = (int (*)(int))dlsym(RTLD_NEXT, "fsync");
	delay();
	return real(fd);
}

int
fdatasync(int fd)
{
	static int (*real)(int);

	if (real == NULL)
		real = (int (*)(int))dlsym(RTLD_NEXT, "fdatasync");
	delay();
	return real(fd);
}
