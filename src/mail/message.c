/*
 * message.c - an RFC 5322 message: headers, multipart/alternative with a
 * plain-text and an HTML part, both quoted-printable so no line exceeds 76
 * characters, and a UTF-8 subject as RFC 2047 encoded words.
 *
 * Hand-written: the encoders are small and exact; GMime would add a GLib
 * object system for three functions.
 */
#include "mail/mail.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

static const char HEX[] = "0123456789ABCDEF";

/* qp appends s quoted-printable (RFC 2045 6.7), lines ending CRLF. */
static void qp(struct buf *out, const char *s)
{
    size_t col = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        unsigned char c = *p;
        if (c == '\r')
            continue;
        if (c == '\n') {
            buf_append(out, "\r\n", 2);
            col = 0;
            continue;
        }
        bool end = p[1] == '\n' || p[1] == '\r' || p[1] == '\0';
        bool lit = (c >= 33 && c <= 126 && c != '=') ||
                   ((c == ' ' || c == '\t') && !end);
        size_t w = lit ? 1 : 3;
        if (col + w > 75) {
            buf_append(out, "=\r\n", 3);
            col = 0;
        }
        if (lit) {
            buf_append_char(out, (char)c);
        } else {
            char e[3] = {'=', HEX[c >> 4], HEX[c & 15]};
            buf_append(out, e, 3);
        }
        col += w;
    }
    buf_append(out, "\r\n", 2);
}

/* header_text appends v without CR, LF or other controls. */
static void header_text(struct buf *out, const char *v)
{
    for (; *v; v++)
        if ((unsigned char)*v >= 32 && *v != 127)
            buf_append_char(out, *v);
}

/* subject appends "Subject: ..." as encoded words when not plain ASCII,
 * each word at most 45 bytes of UTF-8 (60 of base64), never splitting a
 * character, folded onto continuation lines. */
static void subject(struct buf *out, const char *s)
{
    bool ascii = true;
    for (const char *p = s; *p; p++)
        if ((unsigned char)*p >= 127 || (unsigned char)*p < 32)
            ascii = false;
    buf_append_cstr(out, "Subject: ");
    if (ascii && strlen(s) <= 900) {
        buf_append_cstr(out, s);
        buf_append(out, "\r\n", 2);
        return;
    }
    char clean[1024];
    size_t n = 0;
    for (const char *p = s; *p && n < sizeof(clean) - 1; p++)
        if ((unsigned char)*p >= 32 && *p != 127)
            clean[n++] = *p;
    while (n > 0 && ((unsigned char)clean[n - 1] & 0xC0) == 0x80)
        n--; /* a cut character */
    if (n > 0 && (unsigned char)clean[n - 1] >= 0xC0)
        n--;
    size_t i = 0;
    bool first = true;
    while (i < n) {
        size_t k = n - i < 45 ? n - i : 45;
        while (i + k < n && ((unsigned char)clean[i + k] & 0xC0) == 0x80)
            k--;
        if (!first)
            buf_append(out, "\r\n ", 3);
        buf_append_cstr(out, "=?UTF-8?B?");
        mail_base64(out, (const unsigned char *)clean + i, k);
        buf_append_cstr(out, "?=");
        first = false;
        i += k;
    }
    buf_append(out, "\r\n", 2);
}

bool mail_addr_spec(const char *from, char *out, size_t cap)
{
    const char *lt = strrchr(from, '<');
    const char *p = lt ? lt + 1 : from;
    size_t n = lt ? strcspn(p, ">") : strlen(p);
    while (n > 0 && p[n - 1] == ' ')
        n--;
    while (n > 0 && *p == ' ')
        p++, n--;
    if (n == 0 || n >= cap || !memchr(p, '@', n))
        return false;
    memcpy(out, p, n);
    out[n] = '\0';
    return true;
}

void mail_build(struct buf *out, const struct mail_msg *m)
{
    char date[64];
    time_t t = (time_t)m->date;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", &tm);
    char boundary[80];
    size_t bl = strcspn(m->message_id + 1, "@>");
    snprintf(boundary, sizeof(boundary), "=_quire_%.*s",
             (int)(bl > 40 ? 40 : bl), m->message_id + 1);

    buf_printf(out, "Date: %s\r\nFrom: ", date);
    header_text(out, m->from);
    buf_append_cstr(out, "\r\nTo: ");
    header_text(out, m->to);
    buf_append(out, "\r\n", 2);
    if (m->reply_to && *m->reply_to) {
        buf_append_cstr(out, "Reply-To: ");
        header_text(out, m->reply_to);
        buf_append(out, "\r\n", 2);
    }
    subject(out, m->subject);
    buf_append_cstr(out, "Message-ID: ");
    header_text(out, m->message_id);
    buf_append_cstr(out, "\r\nMIME-Version: 1.0\r\n");
    if (m->unsubscribe_url) {
        /* folded: the URL alone may be near 78 columns */
        buf_append_cstr(out, "List-Unsubscribe:\r\n <");
        header_text(out, m->unsubscribe_url);
        buf_append_cstr(out, ">\r\nList-Unsubscribe-Post: "
                             "List-Unsubscribe=One-Click\r\n");
    }
    buf_printf(out,
               "Content-Type: multipart/alternative;\r\n boundary=\"%s\"\r\n"
               "\r\n--%s\r\n"
               "Content-Type: text/plain; charset=utf-8\r\n"
               "Content-Transfer-Encoding: quoted-printable\r\n\r\n",
               boundary, boundary);
    qp(out, m->text);
    buf_printf(out,
               "--%s\r\n"
               "Content-Type: text/html; charset=utf-8\r\n"
               "Content-Transfer-Encoding: quoted-printable\r\n\r\n",
               boundary);
    qp(out, m->html);
    buf_printf(out, "--%s--\r\n", boundary);
}
