/* SPDX-License-Identifier: GPL-2.0-or-later */
/* win.h — what the Windows backend's files share: the service list and the user table. */
#ifndef PS_WIN_H
#define PS_WIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <wchar.h>

#include "decode.h"

/*
 * Every running Win32 service with its process id (EnumServicesStatusEx,
 * SC_ENUM_PROCESS_INFO): what `tasklist /svc` shows. *out for
 * win_services_free. 0 or -errno (-EACCES: the service manager refused).
 */
int win_services_list(struct win_service **out, size_t *n);

/*
 * The uid portsleuth shows for a token's user SID, remembering the SID so that
 * platform_user_name can name it (DOMAIN\\name, or the SID's string when no
 * account has it): 0 for SYSTEM (the machine's root), else the SID's RID (1001
 * for a local user, 20 for NETWORK SERVICE); a second SID with a RID already
 * taken (a domain user 1001 beside the local 1001) gets WIN_UID_OTHER + n, so
 * two accounts never share a uid or a name. `sid` is a PSID. 0 or -ENOMEM.
 */
int win_user_remember(const void *sid, uint32_t *uid);
enum { WIN_UID_OTHER = 0x40000000 };

/*
 * Why a file with security descriptor `sd` (a PSECURITY_DESCRIPTOR with owner and
 * access list) must not be used as configuration by user `user` (a PSID, NULL when
 * unknown): its owner is not that user, Administrators, SYSTEM or TrustedInstaller,
 * it has no access list, or an entry that applies to the file itself lets any other
 * account or group write it, change its access list or take it over. NULL when it
 * may be used (static text otherwise).
 */
const char *win_sd_untrusted_why(const void *sd, const void *user);

/*
 * Whether an entry of sd's access list that applies to the object itself (not
 * inherit-only) allows one of `rights` (access mask bits) to Everyone,
 * Authenticated Users or Users — every user of the machine; true for a NULL
 * access list. `sd` is a PSECURITY_DESCRIPTOR.
 */
bool win_sd_grants_everyone(const void *sd, unsigned long rights);

/* Whether the file name of path is one of Windows' own programs (svchost.exe, lsass.exe...). */
bool win_windows_name(const char *path);

/*
 * Whether the file at path may be taken for what its name says: true for any
 * name not Windows' own; for svchost.exe and the like only when Microsoft signed
 * it (signer: the verified signer's name, NULL when not verified) and it lies
 * under sysroot (%SystemRoot%, "C:\Windows").
 */
bool win_windows_program_ok(const char *path, const char *signer, const char *sysroot);

/*
 * What the version resource of the file at path says (GetFileVersionInfoW, from
 * version.dll looked up at run time). 0, -ENOENT (it has none), -ENOSYS (no
 * version.dll), -EIO or -ENOMEM.
 */
int win_file_version_read(const char *path, struct win_file_version *out);

/*
 * The http.sys URL reservations into snap->urlacls when a kernel (pid 4) socket
 * listens (httpsys.c); none when httpapi.dll cannot tell. 0 or -ENOMEM.
 */
int win_urlacls_read(struct ps_snapshot *snap);

struct wfw_policy;
/*
 * Append the `netsh interface portproxy` rules of the registry to pol->proxies
 * (portproxy.c); a value that is not a rule is skipped. 0 or -ENOMEM.
 */
int win_portproxy_read(struct wfw_policy *pol);

/*
 * The local addresses with their interface's network profile (INetworkListManager's
 * category of each adapter's network) and on-link prefix (GetAdaptersAddresses) into
 * pol->addrs; when the network list cannot be read, pol->addrs_why says why and the
 * addresses keep profile 0 (not known). 0 or -ENOMEM.
 */
int win_netprofiles_read(struct wfw_policy *pol);

/* *why = "WHAT could not be read: STEP failed: 0xHRESULT (the system's text)". -EIO or
 * -ENOMEM. */
int win_hr_why(char **why, const char *what, const char *step, long hr);

/* GetAdaptersAddresses(AF_UNSPEC, flags) into a new buffer *buf of *len bytes (free it): 0,
 * -ENODATA (no adapter), -EIO or -ENOMEM. */
int win_adapters_get(unsigned long flags, void **buf, size_t *len);

/* Whether a signing certificate's subject is Microsoft's ("Microsoft Windows", "Microsoft
 * Corporation", "Microsoft Windows Publisher"). */
bool win_signer_is_microsoft(const char *signer);

/* UTF-8 (or WTF-8) s as a new UTF-16 string for the W functions; NULL when it is neither, or out
 * of memory. */
wchar_t *win_to_wide(const char *s);

#endif
