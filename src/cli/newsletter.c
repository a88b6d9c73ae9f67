/*
 * newsletter.c - `quire newsletter send | status`: queue an issue's digest
 * to every confirmed subscriber (one transaction; the server's sender
 * delivers it) and show each campaign's counts.
 */
#include "cli/cli.h"
#include "cli/commands.h"

#include "content/date.h"
#include "core/arena.h"
#include "mail/mail.h"
#include "render/mustache.h"
#include "store/store.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static const char USAGE[] =
    "usage: quire newsletter send --issue YYYY-MM-DD [--subject TEXT]"
    " | status";

static int send_issue(struct cli *cli, const char *date, const char *subject)
{
    char err[512], from[320];
    if (!date_valid_ymd(date))
        return cli_fail("--issue: '%s' is not a date (YYYY-MM-DD)", date);
    if (subject && (strlen(subject) > 500 || strpbrk(subject, "\r\n")))
        return cli_fail("--subject: at most 500 characters on one line");
    if (!mail_addr_spec(cli->cfg.mail_from, from, sizeof(from)))
        return cli_fail("set mail.mail_from in %s first", cli->config_path);
    struct tpl_set *tpl = mail_load_templates(cli->cfg.theme, err, sizeof(err));
    if (!tpl)
        return cli_fail("theme: %s", err);
    struct store *s;
    if (cli_open_store(cli, 0, &s) != 0) {
        tpl_set_free(tpl);
        return 1;
    }
    int status = 0;
    struct arena a;
    arena_init(&a, 1 << 16);
    struct mail_parts p;
    const char *base = mail_base_url(s, &a, NULL);
    int rc = mail_compose_digest(s, tpl, &a, date, base, subject, &p);
    if (rc == ERR_NOT_FOUND) {
        status = cli_fail("no issue of %s with published articles", date);
        goto out;
    }
    if (rc != 0) {
        status = cli_fail("cannot build the digest: %s", err_str(rc));
        goto out;
    }
    struct campaign c = {.issue_date = date,
                         .subject = p.subject,
                         .text_body = p.text,
                         .html_body = p.html};
    int64_t id, n;
    rc = store_campaign_queue(s, &c, strchr(from, '@') + 1, (int64_t)time(NULL),
                              &id, &n);
    if (rc != 0) {
        status = cli_fail("cannot queue the campaign: %s", store_last_error());
        goto out;
    }
    printf("campaign %" PRId64 ": %" PRId64 " messages queued (\"%s\")\n", id,
           n, p.subject);
out:
    arena_release(&a);
    store_close(s);
    tpl_set_free(tpl);
    return status;
}

static int status_all(struct cli *cli)
{
    struct store *s;
    if (cli_open_store(cli, 0, &s) != 0)
        return 1;
    struct arena a;
    arena_init(&a, 1 << 16);
    struct campaign_status *v;
    size_t n;
    int64_t counts[3];
    int status = 0;
    if (store_campaigns_status(s, &a, &v, &n) != 0 ||
        store_subscriber_counts(s, counts) != 0) {
        status = cli_fail("cannot read the outbox: %s", store_last_error());
        goto out;
    }
    printf("subscribers: %" PRId64 " confirmed, %" PRId64 " pending, %" PRId64
           " unsubscribed\n",
           counts[SUB_CONFIRMED], counts[SUB_PENDING],
           counts[SUB_UNSUBSCRIBED]);
    printf(
        "campaign\tissue\tqueued\tsent\tretrying\tfailed\tskipped\tsubject\n");
    for (size_t i = 0; i < n; i++) {
        printf("%" PRId64 "\t%s\t%" PRId64 "\t%" PRId64 "\t%" PRId64
               "\t%" PRId64 "\t%" PRId64 "\t%s\n",
               v[i].id, v[i].issue_date ? v[i].issue_date : "-", v[i].queued,
               v[i].sent, v[i].retrying, v[i].failed, v[i].skipped,
               v[i].subject);
        struct outbox_failure *f;
        size_t nf;
        if (v[i].failed &&
            store_campaign_failures(s, &a, v[i].id, &f, &nf) == 0)
            for (size_t k = 0; k < nf; k++)
                printf("\tfailed: %s: %s\n", f[k].rcpt, f[k].error);
    }
out:
    arena_release(&a);
    store_close(s);
    return status;
}

int cmd_newsletter(struct cli *cli, int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "status") == 0)
        return status_all(cli);
    if (argc < 2 || strcmp(argv[1], "send") != 0)
        return cli_fail("%s", USAGE);
    const char *date = NULL, *subject = NULL;
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--issue") == 0 && i + 1 < argc)
            date = argv[++i];
        else if (strcmp(argv[i], "--subject") == 0 && i + 1 < argc)
            subject = argv[++i];
        else
            return cli_fail("%s", USAGE);
    }
    if (!date)
        return cli_fail("%s", USAGE);
    return send_issue(cli, date, subject);
}
