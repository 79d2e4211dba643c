/* bench-redact.c: ns per journal line for redact_text_maybe() and redact_text() (tests/redact/bench.sh). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "redact.h"

static const char *const lines[] = {
	/* no trigger */
	"info\tagent\tobtaining discovery information from the Workload Onboarding Plane at onboarding.example.invalid:15443 ...",
	"error\tagent\tRPC failed: rpc error: code = Unavailable desc = connection error: desc = \"transport: Error while dialing dial tcp: lookup onboarding.example.invalid on 172.31.0.2:53: no such host\"",
	"debug\tagent\tdial tcp 192.0.2.10:15443: connect: connection refused; retrying in 5s (attempt 3 of 10)",
	/* a trigger word, nothing to redact */
	"info\tagent\tusing platform-specific credential procured by \"aws-ec2-credential\" plugin to request authorization for onboarding ...",
	"error\tagent\tRPC failed: rpc error: code = PermissionDenied desc = Not authorized by OnboardingPolicy (workload group vm-workload-group)",
	/* a secret */
	"debug\tagent\trequest to https://onboarding.example.invalid:15443/v1/onboard with Authorization: Bearer abcdEFGH0123456789xyz",
};

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);	/* CPU time: the machine is shared */
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

int
main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 1000000, i;
	size_t k, nl = sizeof(lines) / sizeof(lines[0]);
	struct redactor *r = redactor_new();
	volatile unsigned sink = 0;
	double t;

	for (k = 0; k < nl; k++) {
		size_t len = strlen(lines[k]);

		t = now();
		for (i = 0; i < n; i++)
			sink += redact_text_maybe(lines[k], len);
		printf("line %zu (%3zu bytes): maybe %6.1f ns", k, len, (now() - t) / n);
		t = now();
		for (i = 0; i < n; i++) {
			char *o;
			size_t ol;

			redact_text(r, lines[k], len, &o, &ol, NULL);
			sink += (unsigned)ol;
			free(o);
		}
		printf("  redact_text %6.1f ns\n", (now() - t) / n);
	}
	redactor_free(r);
	return sink == 0;
}
