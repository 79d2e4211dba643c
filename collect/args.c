/* args.c: checking values of the command line that name things: unit names. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "collect.h"

/* The unit types systemd knows (systemd.unit(5)). */
static const char *const unit_types[] = {
	".service", ".socket", ".device", ".mount", ".automount", ".swap", ".target", ".path",
	".timer", ".slice", ".scope",
};

int
unit_name_normalise(const char *in, char **out, const char **why)
{
	size_t len = strlen(in), i;
	const char *type = NULL, *at;

	*out = NULL;
	if (len == 0) {
		*why = "is empty";
		return -EINVAL;
	}
	for (i = 0; i < len; i++) {
		char ch = in[i];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
		    ch == ':' || ch == '-' || ch == '_' || ch == '.' || ch == '@' || ch == '\\')) {
			*why = ch == '/' ? "is a path" :
			    ch == '*' || ch == '?' || ch == '[' ? "is a pattern; give one unit's name" :
			    "has characters a unit name cannot have (letters, digits, ':', '-', '_', '.', '@', '\\')";
			return -EINVAL;
		}
	}
	if (in[0] == '.' || in[0] == '-' || in[0] == '@') {
		*why = "cannot start with '.', '-' or '@'";
		return -EINVAL;
	}
	for (i = 0; i < ELEMENTSOF(unit_types); i++) {
		size_t tl = strlen(unit_types[i]);

		if (len > tl && strcmp(in + len - tl, unit_types[i]) == 0)
			type = in + len - tl;
	}
	/* Like systemctl: a name without a known type is a service. */
	*out = type ? xstrdup(in) : xasprintf("%s.service", in);
	len = strlen(*out);
	at = strchr(*out, '@');
	if (len > 255) {
		*why = "is longer than 255 characters";
		free(*out);
		*out = NULL;
		return -EINVAL;
	}
	if (at && (at[1] == '.' || strchr(at + 1, '@'))) {
		*why = at[1] == '.' ? "is a template; give an instance (name@instance.service)" :
		    "has more than one '@'";
		free(*out);
		*out = NULL;
		return -EINVAL;
	}
	return 0;
}
