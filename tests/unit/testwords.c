/* SPDX-License-Identifier: GPL-2.0-or-later */
/* testwords.c — the Linux and Windows backends' words (their ops.c), which unit tests write their
 * expected evidence and advice texts in, on every platform the unit tests run on. */
#include "testutil.h"

#include "../../src/platform/linux/words.h"
#include "../../src/platform/windows/words.h"

const struct ps_os_words test_linux_words = PS_LINUX_WORDS_INIT;

const struct ps_os_words test_windows_words = PS_WINDOWS_WORDS_INIT;
