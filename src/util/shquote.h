/* SPDX-License-Identifier: GPL-2.0-or-later */
/* shquote.h — one word of a command line someone will paste into a shell as root (POSIX, cmd.exe,
 * PowerShell). */
#ifndef PS_SHQUOTE_H
#define PS_SHQUOTE_H

#include <stdbool.h>

#include "buf.h"

/*
 * Append s to out as one shell word: bare when every byte is plain ([A-Za-z0-9._@%+=:,/-]),
 * else in single quotes with each ' written '\'' (only when `quote`; a shell without POSIX
 * quoting gets plain words only). -EINVAL, out unchanged, when s cannot be given safely:
 * empty, a leading '-' (the command would read an option), a control byte or anything
 * outside printable ASCII (what the terminal shows would not be what runs), or a byte that
 * needs quoting without `quote`. -ENOMEM; else 0.
 */
int shq_word(struct buf *out, const char *s, bool quote);

/*
 * The same for cmd.exe: bare when alphanumeric or one of ._-$@+# (MSSQL$SQLEXPRESS), else in
 * double quotes ("Contoso Update Service"). -EINVAL for what cmd would change or split inside
 * double quotes (", % and !), and as shq_word for the rest. 0 or -ENOMEM.
 */
int shq_word_cmd(struct buf *out, const char *s);

/*
 * The same for PowerShell: bare when alphanumeric or one of ._- , else in single quotes (no
 * expansion of $ or `) with each ' doubled. -EINVAL as shq_word. 0 or -ENOMEM.
 */
int shq_word_pwsh(struct buf *out, const char *s);

#endif
