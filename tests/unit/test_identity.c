/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_identity.c — interpreters and the script they run, from their arguments. */
#include <string.h>

#include "../../src/enrich/identity.h"
#include "test.h"

/* The script identity_script_arg finds in argv (given with \0 separators), or "" for none. */
static const char *script_of(const char *base, const char *argv, size_t len)
{
	static char out[256];
	const char *a;
	size_t n;
	if (!identity_script_arg(base, argv, len, &a, &n))
		return "";
	memcpy(out, a, n < 255 ? n : 255);
	out[n < 255 ? n : 255] = '\0';
	return out;
}

#define S(base, lit) script_of(base, lit, sizeof lit - 1)

TEST(identity_interpreters)
{
	static const char *const yes[] = {
	    "python3.11", "python3", "python", "perl",	 "perl5.36.0", "ruby3.1",  "node", "nodejs",
	    "sh",	  "bash",    "dash",   "php8.2", "lua5.4",     "tclsh8.6", "ksh93"};
	for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++)
		CHECK(identity_is_interpreter(yes[i]));
	static const char *const no[] = {
	    "sshd", "nginx", "python3-config", "shutdown", "bashbug", "perlbug", "", "nodex"};
	for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
		CHECK(!identity_is_interpreter(no[i]));
	CHECK(!identity_is_interpreter(NULL));
}

TEST(identity_script_from_arguments)
{
	/* a shebang run directly: the kernel passes the interpreter, its optional argument, the
	 * script */
	CHECK_STR(S("python3.11", "/usr/bin/python3\0/tmp/x/sshd\0-D"), "/tmp/x/sshd");
	CHECK_STR(S("python3.11", "/usr/bin/python3\0-u\0/tmp/x/sshd"), "/tmp/x/sshd");
	CHECK_STR(S("python3.11", "python3\0-W\0ignore\0app.py"), "app.py");
	CHECK_STR(S("python3.11", "python3\0-Wignore\0app.py"), "app.py");
	CHECK_STR(S("python3.11", "python3\0-X\0dev\0--\0-weird.py"), "-weird.py");
	CHECK_STR(S("perl", "/usr/bin/perl\0-w\0/srv/x.pl"), "/srv/x.pl");
	CHECK_STR(S("node", "node\0--require\0dotenv/config\0server.js"), "server.js");
	CHECK_STR(S("node", "node\0--max-old-space-size=4096\0server.js"), "server.js");
	CHECK_STR(S("bash", "/bin/bash\0-e\0/tmp/run.sh\0arg"), "/tmp/run.sh");
	CHECK_STR(S("dash", "sh\0+x\0/tmp/run.sh"), "/tmp/run.sh");
	/* inline code, a module, stdin: no script file */
	CHECK_STR(S("python3.11", "python3\0-c\0import x\0/tmp/x"), "");
	CHECK_STR(S("python3.11", "python3\0-Bc\0import x"), "");
	CHECK_STR(S("python3.11", "python3\0-m\0http.server\0/tmp/x"), "");
	CHECK_STR(S("perl", "perl\0-e\0print 1"), "");
	CHECK_STR(S("node", "node\0--eval=1"), "");
	CHECK_STR(S("bash", "bash\0-c\0exec /tmp/x"), "");
	CHECK_STR(S("bash", "bash\0-s"), "");
	CHECK_STR(S("python3.11", "python3\0-"), "");
	CHECK_STR(S("python3.11", "python3"), "");
	CHECK_STR(S("python3.11", "python3\0"), "");
	/* not an interpreter: nothing, whatever the arguments */
	CHECK_STR(S("sshd", "/usr/sbin/sshd\0/tmp/x"), "");
	/* a last argument without its NUL */
	CHECK_STR(script_of("ruby", "ruby\0/srv/a.rb", 14), "/srv/a.rb");
}

TEST(identity_dynamic_loader)
{
	/* ld.so run as a command: the program it loads is the first argument after its options */
	CHECK(identity_is_interpreter("ld-linux-x86-64.so.2"));
	CHECK(identity_is_interpreter("ld-musl-x86_64.so.1"));
	CHECK(!identity_is_interpreter("ld-linux-x86-64"));
	CHECK(!identity_is_interpreter("ldconfig"));
	CHECK_STR(S("ld-linux-x86-64.so.2", "/lib64/ld-linux-x86-64.so.2\0/tmp/w/evil\0-D"),
		  "/tmp/w/evil");
	CHECK_STR(
	    S("ld-linux-x86-64.so.2", "ld.so\0--library-path\0/tmp/l\0--argv0\0sshd\0/tmp/w/evil"),
	    "/tmp/w/evil");
	CHECK_STR(S("ld-linux-x86-64.so.2", "ld.so\0--list\0/usr/sbin/sshd"), "");
}

static enum identity_code code_of(const char *base, const char *argv, size_t len)
{
	const char *a;
	size_t n;
	return identity_code_of(base, argv, len, &a, &n);
}

#define K(base, lit) code_of(base, lit, sizeof lit - 1)

/* Where the code comes from: inline (-c, -e, --eval, sh -c), standard input, a script, else. */
TEST(identity_code_sources)
{
	CHECK_INT(K("python3", "python3\0-c\0import socket"), IDENT_INLINE);
	CHECK_INT(K("python3.11", "/usr/sbin/sshd\0-c\0code"), IDENT_INLINE); /* exec -a */
	CHECK_INT(K("python3", "python3\0-u\0-c\0code"), IDENT_INLINE);
	CHECK_INT(K("python3", "python3\0-Wignore\0-c\0code"), IDENT_INLINE);
	CHECK_INT(K("python3", "python3\0-"), IDENT_STDIN);
	CHECK_INT(K("python3", "python3"), IDENT_STDIN); /* python3 < file */
	CHECK_INT(K("python3", "python3\0-u"), IDENT_STDIN);
	CHECK_INT(K("python3", "python3\0-m\0http.server"), IDENT_OTHER);
	CHECK_INT(K("python3", "python3\0/opt/app/server.py"), IDENT_SCRIPT);
	CHECK_INT(K("python3", "python3\0-W\0-c\0x.py"), IDENT_SCRIPT); /* -c is -W's value */
	/* code from a pipe or an fd named like a file: nothing on disk to check */
	CHECK_INT(K("python3", "python3\0/dev/stdin"), IDENT_STDIN);
	CHECK_INT(K("python3", "python3\0/dev/fd/63"), IDENT_STDIN);	  /* python3 <(cat x) */
	CHECK_INT(K("python3", "python3\0/proc/self/fd/0"), IDENT_STDIN); /* also /proc/PID/fd */
	CHECK_INT(K("perl", "perl\0/dev/fd/0"), IDENT_STDIN);
	/* an option's value is not the script */
	CHECK_INT(K("python3", "python3\0--check-hash-based-pycs\0always\0-c\0x"), IDENT_INLINE);
	CHECK_INT(K("python3", "python3\0--check-hash-based-pycs=never\0/opt/a.py"), IDENT_SCRIPT);
	CHECK_INT(K("perl", "perl\0-e\0print 1"), IDENT_INLINE);
	CHECK_INT(K("perl", "perl\0-E\0say 1"), IDENT_INLINE);
	CHECK_INT(K("ruby", "ruby\0-e\0puts 1"), IDENT_INLINE);
	CHECK_INT(K("node", "node\0-e\0x"), IDENT_INLINE);
	CHECK_INT(K("node", "node\0--eval=x"), IDENT_INLINE);
	CHECK_INT(K("node", "node\0--require\0-e\0app.js"), IDENT_SCRIPT);
	CHECK_INT(K("sh", "sh\0-c\0exec x"), IDENT_INLINE);
	CHECK_INT(K("bash", "bash\0-xc\0x"), IDENT_INLINE);
	CHECK_INT(K("dash", "dash\0-s"), IDENT_STDIN);
	CHECK_INT(K("bash", "/bin/bash\0/usr/lib/x/start.sh"), IDENT_SCRIPT);
	CHECK_INT(K("ld-linux-x86-64.so.2", "ld.so\0--list\0/bin/true"), IDENT_OTHER);
	CHECK_INT(K("ld-linux-x86-64.so.2", "ld.so"), IDENT_OTHER);
	CHECK_INT(K("sshd", "sshd\0-c\0x"), IDENT_NONE); /* not an interpreter */
	CHECK_INT(K("python3", ""), IDENT_NONE);	 /* an emptied command line */
	CHECK_INT(code_of("python3", NULL, 0), IDENT_NONE);
	/* hostile bytes: no NUL at the end, a huge option run */
	CHECK_INT(K("python3", "python3\0-\xff\xfe"), IDENT_STDIN);
	char many[200];
	memset(many, 0, sizeof many);
	for (size_t i = 0; i + 1 < sizeof many; i += 3)
		many[i] = '-', many[i + 1] = 'u';
	CHECK_INT(code_of("python3", many, sizeof many), IDENT_OTHER); /* past the bounded look */
}
