/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * services.c — the services each process hosts (EnumServicesStatusEx with
 * process ids, what `tasklist /svc` shows) in the unit column; Windows has no
 * cgroups, socket activation or supervisor chain to report.
 */
/* <windows.h> comes before the headers that use its types: keep this order */
/* clang-format off */
#define WIN32_LEAN_AND_MEAN
#include <windows.h>
#include <winsvc.h>
/* clang-format on */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../../util/buf.h"
#include "../platform.h"
#include "backend.h"
#include "win.h"

int win_services_list(struct win_service **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	SC_HANDLE scm = OpenSCManagerW(NULL, NULL, SC_MANAGER_ENUMERATE_SERVICE);
	if (!scm)
		return GetLastError() == ERROR_ACCESS_DENIED ? -EACCES : -EIO;
	DWORD size = 64 * 1024, need = 0, count = 0, resume = 0;
	int rc = -EAGAIN;
	for (int tries = 0; tries < 4 && rc == -EAGAIN; tries++) {
		void *buf = malloc(size);
		if (!buf) {
			rc = -ENOMEM;
			break;
		}
		resume = 0;
		if (EnumServicesStatusExW(scm, SC_ENUM_PROCESS_INFO, SERVICE_WIN32, SERVICE_ACTIVE,
					  buf, size, &need, &count, &resume, NULL))
			rc = win_decode_services(buf, size, count, out, n);
		else if (GetLastError() == ERROR_MORE_DATA)
			size += need + 4096; /* services started meanwhile */
		else
			rc = -EIO;
		free(buf);
	}
	CloseServiceHandle(scm);
	return rc;
}

int win_units(struct ps_snapshot *snap)
{
	struct win_service *svc;
	size_t n;
	int rc = win_urlacls_read(snap); /* what http.sys serves on pid 4's ports */
	if (rc)
		return rc;
	rc = win_services_list(&svc, &n);
	if (rc)
		return rc == -ENOMEM ? rc : 0; /* the service manager refused: units stay empty */
	for (size_t i = 0; i < snap->nprocs && !rc; i++) {
		struct ps_proc *p = &snap->procs[i];
		struct buf b = {0};
		for (size_t j = 0; j < n && !rc; j++) {
			if (svc[j].pid != (uint32_t)p->pid || !p->pid)
				continue;
			if (b.len)
				rc = buf_puts(&b, ",");
			if (!rc)
				rc = buf_puts(&b, svc[j].name);
		}
		if (!rc && b.len) {
			p->unit =
			    b.data; /* "Dnscache,LanmanWorkstation,..." for a shared svchost */
			p->unit_type = "service";
		} else {
			buf_free(&b);
		}
	}
	win_services_free(svc, n);
	return rc;
}
