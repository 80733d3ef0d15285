/* cgroup.h — what a cgroup path says about the service or container behind a process. */
#ifndef PS_CGROUP_H
#define PS_CGROUP_H

#include <stddef.h>

#include "../model/model.h"

struct cgroup_info {
	char *unit;	     /* innermost systemd unit (foo.service, session-3.scope), or NULL */
	char *container;     /* container id, or NULL */
	const char *runtime; /* static: "docker", "podman", "containerd", "cri-o", "kubernetes" */
};

/*
 * Classify a cgroup path such as "/system.slice/ssh.service" or
 * "/system.slice/docker-<64 hex>.scope". Any bytes are accepted; unknown shapes give
 * empty fields. 0 or -ENOMEM (fields are then NULL).
 */
int cgroup_classify(const char *path, size_t len, struct cgroup_info *out);

/* Fill unit, container and container_runtime of every process from its cgroup. 0 or -ENOMEM. */
int cgroup_enrich(struct ps_snapshot *snap);

#endif
