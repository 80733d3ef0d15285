/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz_containers.c — container runtime state: Docker's config.v2.json and Podman's
 * containers.json. */
#include "../../src/platform/linux/containers.h"
#include "../../src/util/json_parse.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = tu_exact(data, size);
	char *name = NULL;
	int has_ip = 0;
	(void)containers_parse_docker_config(buf, size, "172.17.0.2", &name, &has_ip);
	free(name);
	name = NULL;
	(void)containers_parse_docker_config(buf, size, NULL, &name, &has_ip);
	free(name);
	/* Podman's list is read with the strict JSON reader and walked by key */
	struct json *doc = NULL;
	struct json_error err;
	if (json_parse(buf, size, &doc, &err) == 0) {
		for (size_t i = 0; doc->type == JSON_ARRAY && i < doc->n; i++) {
			(void)json_get_str(doc->items[i], "id");
			(void)json_get(doc->items[i], "names");
		}
		json_free(doc);
	}
	free(buf);
	return 0;
}
