/* SPDX-License-Identifier: GPL-2.0-or-later */
/* testwords.c — the Linux and Windows backends' words (their ops.c), which unit tests write their
 * expected evidence and advice texts in, on every platform the unit tests run on. */
#include "testutil.h"

#include "../../src/platform/windows/words.h"

const struct ps_os_words test_linux_words = {
    .exe_link_pre = "/proc/",
    .exe_link_post = "/exe",
    .pkgdb_name = "dpkg database",
    .handle_word = "file descriptor",
    .pid_scope = "PID namespace",
    .kill_cmd = "kill",
    .service_suffix = ".service",
    .service_ctl = "systemctl",
    .user_manager = "--user -M",
    .stop_verb = "stop",
    .disable_verb = "disable --now",
    .posix_quote = true,
    .exe_set_call = "prctl PR_SET_MM_EXE_FILE",
    .mount_view = "mount namespace",
    .priv_scope = "user namespace",
};

const struct ps_os_words test_windows_words = PS_WINDOWS_WORDS_INIT;
