/* sdcompat.c: libsystemd calls newer than systemd 239 (RHEL 8), looked up at run time.
 * The portable release links libsystemd.so.0 with symbols of LIBSYSTEMD_239 at most (tests/dist
 * checks it); a newer call is found with dlsym() and skipped when the host's libsystemd lacks it. */
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include <systemd/sd-bus.h>
#include <systemd/sd-journal.h>

#include "collect.h"

int
bus_set_call_timeout(sd_bus *bus, uint64_t usec)
{
	/* sd_bus_set_method_call_timeout: LIBSYSTEMD_240.  Without it, calls that take the bus's
	 * default timeout (property reads) wait up to sd-bus's own 25 s. */
	int (*set_timeout)(sd_bus *, uint64_t);

	*(void **)&set_timeout = dlsym(RTLD_DEFAULT, "sd_bus_set_method_call_timeout");
	if (set_timeout == NULL)
		return -ENOSYS;
	return set_timeout(bus, usec);
}

int
journal_open_fds(sd_journal **j, int *fds, unsigned n)
{
	/* sd_journal_open_files_fd() aborts in libsystemd 247 (Debian 11) and older: a file opened by
	 * fd has no path, and the journal's file table hashes paths ("Assertion 'q' failed at
	 * src/basic/hash-funcs.c:22, function path_hash_func()").  The same files through
	 * /proc/self/fd/N: the kernel reopens the very file each fd refers to (opened inside the root,
	 * so nothing escapes it), and sd_journal_open_files() is in every libsystemd since 209. */
	char **paths;
	int r;

	if (access("/proc/self/fd", X_OK) != 0)
		return sd_journal_open_files_fd(j, fds, n, 0);
	paths = xcalloc(n + 1, sizeof(*paths));
	for (unsigned i = 0; i < n; i++)
		paths[i] = xasprintf("/proc/self/fd/%d", fds[i]);
	r = sd_journal_open_files(j, (const char **)paths, 0);
	for (unsigned i = 0; i < n; i++)
		free(paths[i]);
	free(paths);
	return r;
}

static int (*get_seqnum)(sd_journal *, uint64_t *, sd_id128_t *);
static pthread_once_t get_seqnum_once = PTHREAD_ONCE_INIT;

static void
find_get_seqnum(void)
{
	*(void **)&get_seqnum = dlsym(RTLD_DEFAULT, "sd_journal_get_seqnum");
}

int
journal_get_seqnum(sd_journal *j, uint64_t *seqnum, sd_id128_t *seqnum_id)
{
	/* sd_journal_get_seqnum: LIBSYSTEMD_254.  journalctl -o json prints __SEQNUM and __SEQNUM_ID
	 * from 254 on; where the host's libsystemd has the call, the bundle has the fields too. */
	pthread_once(&get_seqnum_once, find_get_seqnum);
	if (get_seqnum == NULL)
		return -ENOSYS;
	return get_seqnum(j, seqnum, seqnum_id);
}
