/* knowledge.c — registry and package database setup shared by the list and explain commands. */
#include "knowledge.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../util/trust.h"
#include "cli.h"

int cli_knowledge_load(const struct cli_options *o, struct cli_knowledge *k)
{
	memset(k, 0, sizeof *k);
	struct registry_paths paths;
	char home[4096];
	registry_default_paths(&paths, o->ports_file, o->services_file, home, sizeof home);
	int rc = registry_load(&k->reg, &paths);
	if (rc == -ENOMEM) {
		fprintf(stderr, "portsleuth: out of memory\n");
		return EXIT_FAILURE_;
	}
	if (rc) {
		fprintf(stderr, "portsleuth: cannot read ");
		cli_put(stderr, o->ports_file);
		fprintf(stderr, ": %s\n", strerror(-rc));
		return EXIT_USAGE;
	}
	if (o->services_file && !k->reg.have_etc) {
		fprintf(stderr, "portsleuth: cannot read ");
		cli_put(stderr, o->services_file);
		fprintf(stderr, "\n");
		return EXIT_USAGE;
	}
	for (size_t i = 0; i < k->reg.nwarnings; i++) {
		const struct reg_warning *w = &k->reg.warnings[i];
		fprintf(stderr, "portsleuth: ");
		cli_put(stderr, w->path);
		if (w->user_file)
			fprintf(stderr, ":%zu: skipped malformed line (%s)\n", w->line, w->why);
		else /* services-format files: a count and the first bad line */
			fprintf(stderr, ": skipped %zu malformed line%s (first: line %zu)\n", w->more + 1,
				w->more ? "s" : "", w->line);
	}
	if (k->reg.ignored_path) {
		fprintf(stderr, "portsleuth: ignoring ");
		cli_put(stderr, k->reg.ignored_path);
		fprintf(stderr, " (found through HOME or XDG_CONFIG_HOME): %s\n", k->reg.ignored_why);
	}
	/* for tests: another dpkg database; it decides what counts as packaged, so only a trusted one */
	const char *infodir = trust_getenv("PORTSLEUTH_DPKG_INFO");
	struct stat st;
	const char *why = NULL;
	if (infodir && *infodir && stat(infodir, &st) == 0 && (why = trust_untrusted_why(&st))) {
		fprintf(stderr, "portsleuth: ignoring PORTSLEUTH_DPKG_INFO ");
		cli_put(stderr, infodir);
		fprintf(stderr, ": %s\n", why);
	}
	if (!(k->pkg = pkgdb_new(infodir && *infodir && !why ? infodir : "/var/lib/dpkg/info"))) {
		fprintf(stderr, "portsleuth: out of memory\n");
		return EXIT_FAILURE_;
	}
	return -1;
}

int cli_knowledge_judge(struct cli_knowledge *k, const struct ps_snapshot *snap)
{
	if (k->judged)
		verdicts_free(&k->v);
	k->judged = true;
	int rc = verdicts_compute(snap, &k->reg, k->pkg, &k->v);
	if (rc) {
		fprintf(stderr, "portsleuth: cannot judge the sockets: %s\n", strerror(-rc));
		return EXIT_FAILURE_;
	}
	return 0;
}

void cli_knowledge_free(struct cli_knowledge *k)
{
	if (k->judged)
		verdicts_free(&k->v);
	registry_free(&k->reg);
	pkgdb_free(k->pkg);
	memset(k, 0, sizeof *k);
}
