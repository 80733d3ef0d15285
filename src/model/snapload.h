/* SPDX-License-Identifier: GPL-2.0-or-later */
/* snapload.h — load a snapshot file (the --json document plus host, boot id, time) into a model. */
#ifndef PS_SNAPLOAD_H
#define PS_SNAPLOAD_H

#include <stddef.h>
#include <stdint.h>

#include "diff.h"
#include "filter.h"
#include "model.h"
#include "verdict.h"

/* The newest snapshot schema this build reads; higher numbers are refused. */
#define SNAPLOAD_SCHEMA_MAX 1

/* A loaded snapshot: the model, each socket's exposure, and where and when it was taken. */
struct snapfile {
	struct ps_snapshot snap; /* sockets in file order; one process entry per owner */
	uint8_t *exposure;	 /* per socket: enum ps_exposure (the file's "exposure.scope", else
				    classified) */
	struct diff_fw *fw; /* per socket: "exposure.firewall" (verdict PS_FW__COUNT when absent) */
	size_t fw_n;	    /* fw[0..fw_n) hold values (sockets dropped by a filter included) */
	struct finding_list *findings; /* per socket: its "findings" (codes are copies, freed by
					  snapfile_free); NULL when no socket states any */
	size_t findings_n;	       /* findings[0..findings_n) hold values, as fw */
	char *host, *boot_id, *time;   /* NULL when the file does not say */
	int schema;
	size_t skipped; /* sockets of protocols this version does not compare */
};

/* What is wrong with a snapshot file: a syntax error (line > 0) or a JSON path and a reason. */
struct snapload_error {
	size_t line, column; /* 1-based position of a syntax error; 0 for a structural problem */
	char path[96]; /* JSON path of the bad value ("sockets[3].local.port"), "" for the whole */
	char msg[128];
};

/*
 * Read a snapshot document from buf[0..len). Only the sockets matching `f` (NULL:
 * all) are kept: socket-level parts first, then owner-level parts. Unknown keys are
 * ignored; missing optional keys take defaults; "schema" must be 1..SNAPLOAD_SCHEMA_MAX.
 * 0; -EBADMSG with err filled (out is then empty); -ENOMEM.
 */
int snapload_parse(const char *buf, size_t len, const struct ps_filter *f, struct snapfile *out,
		   struct snapload_error *err);

/*
 * Read a whole file into a new NUL-terminated buffer (*out, *len). Refuses files
 * larger than 1 GiB (-EFBIG). 0 or -errno.
 */
int snapload_read_file(const char *path, char **out, size_t *len);

/* Release everything in f; it is zeroed and reusable. */
void snapfile_free(struct snapfile *f);

#endif
