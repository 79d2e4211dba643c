/* main.c: triage-analyze's command line (a stub until the collector lands). */
#include <err.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

static void
usage(FILE *f)
{
	fprintf(f, "usage: triage-analyze [-r RULES] [-f markdown|html|json] [-o PATH] [--fail-on LEVEL] BUNDLE\n"
	    "       triage-analyze --check-rules [-r RULES] | --list-rules\n");
}

int
main(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("triage-analyze %s\n", TRIAGE_VERSION);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	errx(1, "analysis is not implemented yet");
}
