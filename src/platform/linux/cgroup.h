/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cgroup.h — what a cgroup path says about the service or container behind a process. */
#ifndef PS_CGROUP_H
#define PS_CGROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../../model/model.h"

struct cgroup_info {
	char *unit; /* innermost systemd unit (foo.service, session-3.scope), or NULL */
	const char
	    *unit_type;	   /* static: "system", "user" (under user@UID.service), "session", NULL */
	uint32_t unit_uid; /* unit_type "user": UID of the user manager */
	bool have_unit_uid;
	char *slice;	     /* innermost .slice, or NULL */
	char *container;     /* container id, or NULL */
	const char *runtime; /* static: "docker", "podman", "containerd", "cri-o", "kubernetes";
			      * below user@UID.service "rootless-docker", "rootless-podman",
			      * "rootless" (the user's own, never a rootful runtime's) */
	char *pod_uid;	     /* Kubernetes pod UID (with dashes), or NULL */
	const char *pod_qos; /* static: "guaranteed", "burstable", "besteffort", or NULL */
};

/*
 * Classify a cgroup path such as "/system.slice/ssh.service",
 * "/user.slice/user-1000.slice/user@1000.service/app.slice/foo.service" or
 * "/system.slice/docker-<64 hex>.scope". Any bytes are accepted (the path is not
 * NUL-terminated and may hold anything but '/' inside a component); unknown shapes
 * give empty fields. 0 or -ENOMEM (every field is then empty).
 */
int cgroup_classify(const char *path, size_t len, struct cgroup_info *out);

/* Release what cgroup_classify allocated and empty the fields. */
void cgroup_info_free(struct cgroup_info *ci);

#endif
