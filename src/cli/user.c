/*
 * user.c - `quire user`: the back office's accounts from the shell, for
 * the first admin and for scripts.
 *
 *   quire user add EMAIL --name NAME --role ROLE [--password-stdin]
 *   quire user list | passwd EMAIL [--password-stdin] | role EMAIL ROLE
 *   quire user disable EMAIL
 *
 * Without --password-stdin the password is asked on the terminal, twice,
 * without echo. Every change is written to the audit log as "cli:USER".
 */
#include "cli/commands.h"

#include "admin/audit.h"
#include "admin/auth.h"
#include "content/email.h"
#include "core/arena.h"
#include "store/accounts.h"
#include "store/store.h"

#include <getopt.h>
#include <inttypes.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

const char *cli_who(void)
{
    static char who[128];
    const char *u = getenv("SUDO_USER");
    if (!u || !*u)
        u = getenv("USER");
    if (!u || !*u) {
        struct passwd *pw = getpwuid(getuid());
        u = pw ? pw->pw_name : "?";
    }
    snprintf(who, sizeof(who), "cli:%s", u);
    return who;
}

/* read_line reads one line from f into buf (no newline); false at EOF or
 * when the line is longer than the buffer. */
static bool read_line(FILE *f, char *buf, size_t n)
{
    if (!fgets(buf, (int)n, f))
        return false;
    size_t len = strlen(buf);
    if (len == n - 1 && buf[len - 1] != '\n')
        return false;
    while (len && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
        buf[--len] = '\0';
    return true;
}

/* ask reads a password from the terminal without echo. */
static bool ask(const char *prompt, char *buf, size_t n)
{
    FILE *tty = fopen("/dev/tty", "r+");
    if (!tty)
        return false;
    struct termios old, quiet;
    bool ok = tcgetattr(fileno(tty), &old) == 0;
    if (ok) {
        quiet = old;
        quiet.c_lflag &= ~(tcflag_t)ECHO;
        ok = tcsetattr(fileno(tty), TCSAFLUSH, &quiet) == 0;
    }
    if (ok) {
        fputs(prompt, tty);
        fflush(tty);
        ok = read_line(tty, buf, n);
        tcsetattr(fileno(tty), TCSAFLUSH, &old);
        fputs("\n", tty);
    }
    fclose(tty);
    return ok;
}

/* get_password fills hash from stdin or the terminal; 0 or exit status. */
static int get_password(bool from_stdin, char hash[AUTH_HASH_MAX])
{
    char pw[AUTH_PASSWORD_MAX + 2], again[AUTH_PASSWORD_MAX + 2];
    int status = 0;
    if (from_stdin) {
        if (!read_line(stdin, pw, sizeof(pw)))
            return cli_fail("no password on standard input (or longer than "
                            "%d bytes)",
                            AUTH_PASSWORD_MAX);
    } else {
        if (!ask("Password: ", pw, sizeof(pw)) ||
            !ask("Password again: ", again, sizeof(again)))
            return cli_fail("cannot read a password from the terminal; "
                            "use --password-stdin");
        if (strcmp(pw, again) != 0) {
            status = cli_fail("the two passwords differ");
            goto out;
        }
    }
    if (strlen(pw) < AUTH_PASSWORD_MIN) {
        status = cli_fail("the password is too short: use at least %d "
                          "characters",
                          AUTH_PASSWORD_MIN);
        goto out;
    }
    if (auth_init() != 0 || auth_password_hash(pw, hash) != 0)
        status = cli_fail("cannot hash the password (libsodium)");
out:
    memset(pw, 0, sizeof(pw));
    memset(again, 0, sizeof(again));
    return status;
}

static bool role_valid(const char *r)
{
    return strcmp(r, "admin") == 0 || strcmp(r, "editor") == 0 ||
           strcmp(r, "author") == 0;
}

static const char usage[] =
    "usage: quire user add EMAIL --name NAME --role ROLE [--password-stdin]\n"
    "       quire user list | passwd EMAIL [--password-stdin]\n"
    "       quire user role EMAIL ROLE | disable EMAIL";

static int user_add(struct cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {
        {"name", required_argument, NULL, 'n'},
        {"role", required_argument, NULL, 'r'},
        {"password-stdin", no_argument, NULL, 's'},
        {NULL, 0, NULL, 0},
    };
    const char *name = NULL, *role = NULL;
    bool from_stdin = false;
    int c;
    optind = 1;
    /* No '+': EMAIL may come before or after the options. */
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == 'n')
            name = optarg;
        else if (c == 'r')
            role = optarg;
        else if (c == 's')
            from_stdin = true;
        else
            return cli_fail("%s", usage);
    }
    if (optind != argc - 1 || !name || !role)
        return cli_fail("%s", usage);
    const char *email = argv[optind];
    if (!email_valid(email))
        return cli_fail("'%s' is not an email address", email);
    if (!*name || strlen(name) > 200)
        return cli_fail("a name must have 1 to 200 characters");
    if (!role_valid(role))
        return cli_fail("'%s' is not a role: use admin, editor or author",
                        role);
    char hash[AUTH_HASH_MAX];
    int status = get_password(from_stdin, hash);
    if (status != 0)
        return status;
    struct store *s;
    if (cli_open_store(cli, 0, &s) != 0)
        return 1;
    int64_t id;
    int rc =
        store_user_add(s, email, name, role, hash, (int64_t)time(NULL), &id);
    if (rc == ERR_EXISTS) {
        status = cli_fail("a user with the address %s exists", email);
    } else if (rc != 0) {
        status = cli_fail("cannot add the user: %s", store_last_error());
    } else {
        char obj[512];
        snprintf(obj, sizeof(obj), "user:%" PRId64 " %s role=%s", id, email,
                 role);
        audit_log(s, cli_who(), "user.add", obj);
        printf("%" PRId64 "\n", id);
    }
    store_close(s);
    return status;
}

static int user_list(struct store *s)
{
    struct arena a;
    struct user *u;
    size_t n;
    int status = 0;
    arena_init(&a, 4096);
    if (store_users_list(s, &a, &u, &n) != 0) {
        status = cli_fail("cannot list users: %s", store_last_error());
        goto out;
    }
    for (size_t i = 0; i < n; i++)
        printf("%" PRId64 "\t%s\t%s\t%s\t%s%s\n", u[i].id, u[i].email,
               u[i].name, u[i].role, u[i].disabled ? "disabled" : "active",
               u[i].totp_secret ? "\ttotp" : "");
out:
    arena_release(&a);
    return status;
}

/* find loads the user with email, reporting a failure. */
static int find(struct store *s, struct arena *a, const char *email,
                struct user *u)
{
    int rc = store_user_by_email(s, a, email, u);
    if (rc == ERR_NOT_FOUND)
        return cli_fail("no user with the address %s", email);
    if (rc != 0)
        return cli_fail("cannot read users: %s", store_last_error());
    return 0;
}

int cmd_user(struct cli *cli, int argc, char **argv)
{
    if (argc < 2)
        return cli_fail("%s", usage);
    const char *verb = argv[1];
    if (strcmp(verb, "add") == 0)
        return user_add(cli, argc - 1, argv + 1);
    bool list = strcmp(verb, "list") == 0 && argc == 2;
    bool passwd =
        strcmp(verb, "passwd") == 0 &&
        (argc == 3 || (argc == 4 && strcmp(argv[3], "--password-stdin") == 0));
    bool role = strcmp(verb, "role") == 0 && argc == 4;
    bool disable = strcmp(verb, "disable") == 0 && argc == 3;
    if (!list && !passwd && !role && !disable)
        return cli_fail("%s", usage);
    if (role && !role_valid(argv[3]))
        return cli_fail("'%s' is not a role: use admin, editor or author",
                        argv[3]);
    char hash[AUTH_HASH_MAX];
    if (passwd) {
        int st = get_password(argc == 4, hash);
        if (st != 0)
            return st;
    }
    struct store *s;
    if (cli_open_store(cli, 0, &s) != 0)
        return 1;
    if (list) {
        int st = user_list(s);
        store_close(s);
        return st;
    }
    struct arena a;
    arena_init(&a, 1024);
    struct user u;
    int64_t now = (int64_t)time(NULL);
    int status = find(s, &a, argv[2], &u);
    if (status != 0)
        goto out;
    int rc;
    const char *action;
    if (passwd) {
        rc = store_user_set_password(s, u.id, hash, NULL, now);
        action = "user.passwd";
    } else if (role) {
        rc = store_user_set_role(s, u.id, argv[3], now);
        action = "user.role";
    } else {
        rc = store_user_set_disabled(s, u.id, true, now);
        action = "user.disable";
    }
    if (rc != 0) {
        status = cli_fail("cannot change the user: %s", store_last_error());
        goto out;
    }
    char obj[512];
    snprintf(obj, sizeof(obj), "user:%" PRId64 " %s%s%s", u.id, u.email,
             role ? " role=" : "", role ? argv[3] : "");
    audit_log(s, cli_who(), action, obj);
out:
    arena_release(&a);
    store_close(s);
    return status;
}
