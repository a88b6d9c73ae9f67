/*
 * mail.c - `quire mail test ADDRESS`: one message through the configured
 * SMTP server, and the outcome printed, so an operator can check the
 * [mail] settings before the first campaign.
 */
#include "cli/cli.h"
#include "cli/commands.h"

#include "content/email.h"
#include "core/buf.h"
#include "mail/mail.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void cli_mail_config(struct cli *cli, struct mail_config *mc,
                     const char *fallback_base)
{
    *mc = (struct mail_config){
        .smtp_url = cli->cfg.smtp_url,
        .smtp_user = cli->cfg.smtp_user,
        .smtp_password = cli->cfg.smtp_password,
        .from = cli->cfg.mail_from,
        .reply_to = cli->cfg.mail_reply_to,
        .rate = cli->cfg.mail_rate,
        .workers = cli->cfg.mail_workers,
        .theme_dir = cli->cfg.theme,
        .fallback_base = fallback_base,
        .dkim_domain = cli->cfg.dkim_domain,
        .dkim_selector = cli->cfg.dkim_selector,
        .dkim_key_file = cli->cfg.dkim_key_file,
        .dkim_ed25519_selector = cli->cfg.dkim_ed25519_selector,
        .dkim_ed25519_key_file = cli->cfg.dkim_ed25519_key_file,
    };
}

/* print_record prints the TXT record of one key. */
static void print_record(const char *selector, const char *domain,
                         const char *k, const struct buf *p64)
{
    /* A TXT string holds 255 bytes: longer keys are split in quoted parts. */
    printf("%s._domainkey.%s. IN TXT ( \"v=DKIM1; k=%s; \"", selector, domain,
           k);
    printf("\n  \"p=");
    size_t col = 2;
    for (size_t i = 0; i < p64->len; i++) {
        if (col == 250) {
            printf("\"\n  \"");
            col = 0;
        }
        putchar(p64->ptr[i]);
        col++;
    }
    printf("\" )\n");
}

/* dkim_record prints the TXT record to publish for each configured key
 * (the RSA one, then the Ed25519 one after an empty line), after checking
 * the whole DKIM configuration as `quire serve` does. */
static int dkim_record(struct cli *cli)
{
    const struct config *c = &cli->cfg;
    if (!*c->dkim_domain || !*c->dkim_selector || !*c->dkim_key_file)
        return cli_fail("set mail.dkim_domain, mail.dkim_selector and "
                        "mail.dkim_key_file in %s first",
                        cli->config_path);
    struct mail_config mc;
    cli_mail_config(cli, &mc, NULL);
    char err[512];
    struct mail_dkim *d = mail_dkim_new(&mc, err, sizeof(err));
    if (!d)
        return cli_fail("%s", err);
    mail_dkim_free(d);
    struct {
        const char *sel, *file, *k;
        enum mail_dkim_alg alg;
    } keys[] = {
        {c->dkim_selector, c->dkim_key_file, "rsa", MAIL_DKIM_RSA},
        {c->dkim_ed25519_selector, c->dkim_ed25519_key_file, "ed25519",
         MAIL_DKIM_ED25519},
    };
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        if (!*keys[i].file)
            continue;
        char *pem = mail_read_small_file(keys[i].file, 64 << 10);
        if (!pem)
            return cli_fail("%s: cannot read the key", keys[i].file);
        struct buf b;
        buf_init(&b, 1 << 16);
        int rc = mail_dkim_public_key(pem, keys[i].alg, &b);
        free(pem);
        if (rc != 0) {
            buf_release(&b);
            return cli_fail("%s: not an %s private key in PEM", keys[i].file,
                            i == 0 ? "RSA" : "Ed25519");
        }
        if (i > 0)
            putchar('\n');
        print_record(keys[i].sel, c->dkim_domain, keys[i].k, &b);
        buf_release(&b);
    }
    return 0;
}

int cmd_mail(struct cli *cli, int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "dkim-record") == 0)
        return dkim_record(cli);
    if (argc != 3 || strcmp(argv[1], "test") != 0)
        return cli_fail("usage: quire mail test ADDRESS | dkim-record");
    if (!email_valid(argv[2]))
        return cli_fail("'%s' is not an e-mail address", argv[2]);
    struct mail_config mc;
    cli_mail_config(cli, &mc, NULL);
    char from[320], mid[400], reply[512];
    if (!*mc.smtp_url)
        return cli_fail("set mail.smtp_url in %s first", cli->config_path);
    if (!mail_addr_spec(mc.from, from, sizeof(from)))
        return cli_fail("set mail.mail_from in %s first", cli->config_path);
    snprintf(mid, sizeof(mid), "<test.%lld.%d@%s>", (long long)time(NULL),
             rand() % 100000, strchr(from, '@') + 1);
    struct mail_msg m = {
        .from = mc.from,
        .reply_to = mc.reply_to,
        .to = argv[2],
        .subject = "Quire test message",
        .message_id = mid,
        .text = "This is a test message from Quire: the SMTP settings work.\n",
        .html = "<p>This is a test message from Quire: the SMTP settings "
                "work.</p>\n",
        .date = (int64_t)time(NULL),
    };
    struct buf b;
    buf_init(&b, 1 << 20);
    mail_build(&b, &m);
    if (*mc.dkim_domain) {
        struct mail_dkim *d = mail_dkim_new(&mc, reply, sizeof(reply));
        int rc = d ? mail_dkim_sign(d, &b, reply, sizeof(reply)) : ERR_INVALID;
        mail_dkim_free(d);
        if (rc != 0) {
            buf_release(&b);
            return cli_fail("%s", reply);
        }
    }
    struct smtp *c = smtp_new(&mc);
    enum smtp_outcome o =
        smtp_send(c, argv[2], b.ptr, b.len, reply, sizeof(reply));
    smtp_free(c);
    buf_release(&b);
    if (o == SMTP_SENT) {
        printf("sent %s to %s via %s: %s\n", mid, argv[2], mc.smtp_url, reply);
        return 0;
    }
    return cli_fail("%s failure from %s: %s",
                    o == SMTP_PERM ? "permanent" : "temporary", mc.smtp_url,
                    reply);
}
