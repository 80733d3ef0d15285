/* changes.c — what diff, watch, check and snapshot share: loading snapshots, collecting, argument
 * spelling. */
#include "changes.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "common.h"
#include "msg.h"
#include "pipe.h"

int cli_load_snapshot(const char *path, const struct ps_filter *filter, struct snapfile *f)
{
	char *data;
	size_t len;
	int rc = snapload_read_file(path, &data, &len);
	if (rc) {
		cli_err(rc, "cannot read snapshot %s", path);
		return rc == -ENOMEM ? EXIT_FAILURE_ : EXIT_USAGE;
	}
	struct snapload_error err;
	rc = snapload_parse(data, len, filter, f, &err);
	free(data);
	if (rc == -EBADMSG) {
		if (err.line == 1 && err.column == 1) /* not even JSON: another kind of file */
			cli_msg("%s is not a portsleuth snapshot (it is not JSON); 'portsleuth "
				"snapshot -o FILE' makes one",
				path);
		else if (err.line)
			cli_msg("%s:%zu:%zu: not a valid snapshot: %s", path, err.line, err.column,
				err.msg);
		else if (err.path[0])
			cli_msg("%s: at %s: %s", path, err.path, err.msg);
		else
			cli_msg("%s: %s", path, err.msg);
		return EXIT_USAGE;
	}
	if (rc) {
		cli_err(rc, "cannot load snapshot %s", path);
		return EXIT_FAILURE_;
	}
	if (f->skipped)
		cli_msg("%s: skipped %zu socket%s of protocols this version does not compare", path,
			f->skipped, f->skipped == 1 ? "" : "s");
	return 0;
}

bool cli_color_for(FILE *fp, int mode)
{
	if (mode != COLOR_AUTO)
		return mode == COLOR_ALWAYS;
	const char *nc = getenv("NO_COLOR"), *term = getenv("TERM");
	if ((nc && *nc) || (term && strcmp(term, "dumb") == 0))
		return false;
	return isatty(fileno(fp));
}

int cli_collect(struct cli_options *o, unsigned want, struct ps_snapshot *snap)
{
	struct pipeline pipe;
	int code = cli_pipeline_open(o, want, NULL, NULL, &pipe);
	if (code >= 0)
		return code;
	code = cli_pipeline_run(&pipe, snap);
	pipeline_close(&pipe);
	return code;
}

/* Options of cli_parse_options that take a separate value (so "-p -o" keeps its value). */
static bool takes_value(const char *a)
{
	static const char *const v[] = {"-p",	      "-c",	  "--pid",	"--command",
					"--user",     "--state",  "--color",	"--colour",
					"--services", "--output", "--format",	"--baseline",
					"--interval", "--count",  "--duration", "--log"};
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
		if (strcmp(a, v[i]) == 0)
			return true;
	return false;
}

char **cli_argv_output(int argc, char **argv)
{
	char **av = calloc((size_t)argc + 1, sizeof *av);
	if (!av)
		return NULL;
	bool rest = false;
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		struct buf b = {0};
		int rc;
		if (i == 0 || rest || a[0] != '-' || a[1] != 'o')
			rc = buf_puts(&b, a);
		else if (a[2] == '\0')
			rc = buf_puts(&b, "--output");
		else
			rc = buf_printf(&b, "--output=%s", a + 2);
		if (strcmp(a, "--") == 0)
			rest = true;
		if (rc || !(av[i] = buf_steal(&b))) {
			buf_free(&b);
			cli_argv_free(argc, av);
			return NULL;
		}
		if (!rest && i > 0 && takes_value(a) && i + 1 < argc) {
			if (!(av[i + 1] = strdup(argv[i + 1]))) {
				cli_argv_free(argc, av);
				return NULL;
			}
			i++;
		}
	}
	return av;
}

void cli_argv_free(int argc, char **av)
{
	if (!av)
		return;
	for (int i = 0; i < argc; i++)
		free(av[i]);
	free(av);
}
