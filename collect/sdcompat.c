/* sdcompat.c: libsystemd calls newer than systemd 239 (RHEL 8), looked up at run time.
 * The portable release links libsystemd.so.0 with symbols of LIBSYSTEMD_239 at most (tests/dist
 * checks it); a newer call is found with dlsym() and skipped when the host's libsystemd lacks it. */
#include <dlfcn.h>
#include <errno.h>
#include <stdint.h>

#include <systemd/sd-bus.h>

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
