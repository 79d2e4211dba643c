/* fuzz_log_file.c: libFuzzer target for --log-file: any bytes through collect_log_fd() (framing, forms, spool, sink). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "collect.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

static struct options o;
static struct ctx c;

/* One context for the whole run: the built-in profile, a redactor, no bundle (c.bw NULL: nothing written). */
static void
setup(void)
{
	char *err = NULL;

	if (profile_parse(triage_builtin_profile, strlen(triage_builtin_profile), "built-in", &c.profile,
	    &err) < 0) {
		fprintf(stderr, "fuzz_log_file: the built-in profile: %s\n", err);
		abort();
	}
	o.verbosity = -1;
	c.opt = &o;
	c.rootfd = -1;
	c.red = redactor_new();
	c.max_size = 64 * 1024;	/* a small budget: the spool trims, the sink makes a second pass */
	c.start_usec = mono_usec();
	c.deadline_usec = UINT64_MAX / 2;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	int fd;

	if (len > (1 << 20))
		return 0;
	if (c.profile == NULL)
		setup();
	fd = memfd_create("fuzz-log", MFD_CLOEXEC);
	if (fd < 0)
		return 0;
	if (write(fd, data, len) != (ssize_t)len || lseek(fd, 0, SEEK_SET) != 0) {
		close(fd);
		return 0;
	}
	collect_log_fd(&c, fd, "fuzz");
	close(fd);
	strv_free(&c.problems);
	return 0;
}
