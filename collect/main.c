/* main.c: triage-collect's command line (a stub until the collector lands). */
#include <err.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

static void
usage(FILE *f)
{
	fprintf(f, "usage: triage-collect [-o PATH] [-u UNIT] [--since TIME] [--until TIME]\n"
	    "       [--max-size SIZE] [--root DIR] [--journal-dir DIR] [--log-file PATH|-]\n"
	    "       [--no-probe] [--profile FILE] [--dry-run] [-q] [-v]\n");
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
			printf("triage-collect %s\n", TRIAGE_VERSION);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	errx(1, "collection is not implemented yet");
}
