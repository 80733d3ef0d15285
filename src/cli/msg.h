/* SPDX-License-Identifier: GPL-2.0-or-later */
/* msg.h — every diagnostic portsleuth prints: "portsleuth: " and the message, escaped, on stderr.
 */
#ifndef PS_CLI_MSG_H
#define PS_CLI_MSG_H

/*
 * Print "portsleuth: MESSAGE\n" to stderr. The formatted message is escaped as
 * terminal text (esc_text), so paths, arguments and file contents given as %s
 * never put a control byte on the terminal.
 */
void cli_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#include <stdbool.h>

/* -q: notes (cli_note) are not printed; errors (cli_msg, cli_err) still are. */
extern bool cli_quiet;

/* A note (what could not be seen, what was left out): cli_msg unless -q. */
void cli_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The same with ": " and the text of -errno `err` appended (nothing when err is 0). */
void cli_err(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * "portsleuth: cannot write PATH: REASON" for a failure of platform_file_*: `why`
 * is a refusal's reason (static text) or NULL for the text of -errno `err`.
 */
void cli_file_error(const char *path, int err, const char *why);

#endif
