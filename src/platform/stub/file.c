/* file.c — stub: no safe file writer on this platform (its rules differ: reparse points, ACLs). */
#include <errno.h>
#include <stddef.h>

#include "../platform.h"

int platform_file_open_write(const char *path, unsigned flags, unsigned mode,
			     struct platform_file **out, const char **why)
{
	*why = NULL;
	(void)path;
	(void)flags;
	(void)mode;
	*out = NULL;
	return -ENOSYS;
}

int platform_file_write(struct platform_file *f, const void *data, size_t len)
{
	(void)f;
	(void)data;
	(void)len;
	return -ENOSYS;
}

int platform_file_commit(struct platform_file *f)
{
	return f ? -ENOSYS : 0;
}

void platform_file_abort(struct platform_file *f)
{
	(void)f;
}
