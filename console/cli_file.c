/*
 * cli_file: read an input file named on the command line (stock, the
 * catalogue): a regular file only (not a FIFO, a device or a directory,
 * which could block or never end), at most max bytes, whole into memory.
 */
#include <errno.h>
#include <fcntl.h>
#include <libintl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "console/cli.h"
#include "scanners/i18n.h"


int
cli_read_file(const char *path, size_t max, char **data, size_t *len,
	      struct err *e)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	struct stat sb;
	size_t n = 0;
	char *buf;

	*data = NULL;
	*len = 0;
	if (fd < 0)
		return err_set(e, ERR_IO, _("Cannot open %s: %s"), path,
			       strerror(errno));
	if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode)) {
		close(fd);
		return err_set(e, ERR_INVALID, _("%s is not a regular file."),
			       path);
	}
	if ((uint64_t)sb.st_size > max) {
		close(fd);
		return err_set(e, ERR_INVALID, _("%s is too big: %lld bytes, "
			       "at most %zu are read."), path,
			       (long long)sb.st_size, max);
	}
	if ((buf = malloc((size_t)sb.st_size + 1)) == NULL) {
		close(fd);
		return err_set(e, ERR_INTERNAL, "out of memory");
	}
	while (n < (size_t)sb.st_size) {
		ssize_t r = read(fd, buf + n, (size_t)sb.st_size - n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			err_set(e, ERR_IO, _("Cannot read %s: %s"), path,
				strerror(errno));
			free(buf);
			close(fd);
			return e->code;
		}
		if (r == 0)
			break;	/* shrank while read: take what is there */
		n += (size_t)r;
	}
	close(fd);
	buf[n] = '\0';
	*data = buf;
	*len = n;
	return 0;
}
