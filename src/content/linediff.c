/*
 * linediff.c - the longest common subsequence of two texts' lines, by the
 * textbook dynamic programme (written by hand: see linediff.h), walked
 * back into kept, removed and added lines. Lines are compared by bytes;
 * the common head and tail are skipped first, so a small edit to a long
 * article costs a small table.
 */
#include "content/linediff.h"

#include "core/arena.h"
#include "core/xalloc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct lines {
    const char **p;
    size_t n;
};

static void split_lines(struct arena *a, const char *s, struct lines *l)
{
    size_t count = 0;
    for (const char *p = s; *p; p++)
        if (*p == '\n')
            count++;
    l->p = arena_alloc(a, (count + 1) * sizeof(*l->p));
    l->n = 0;
    while (*s) {
        const char *nl = strchr(s, '\n');
        size_t len = nl ? (size_t)(nl - s) : strlen(s);
        l->p[l->n++] = arena_strndup(a, s, len);
        s += len + (nl ? 1 : 0);
    }
}

static void push(struct diff_line *out, size_t *k, char op, const char *t)
{
    out[*k].op = op;
    out[*k].text = t;
    (*k)++;
}

int linediff(struct arena *a, const char *old, const char *new_text,
             struct diff_line **out, size_t *n)
{
    struct lines x, y;
    split_lines(a, old ? old : "", &x);
    split_lines(a, new_text ? new_text : "", &y);
    struct diff_line *d = arena_alloc(a, (x.n + y.n + 1) * sizeof(*d));
    size_t k = 0, head = 0, tail = 0;
    while (head < x.n && head < y.n && strcmp(x.p[head], y.p[head]) == 0)
        head++;
    while (tail < x.n - head && tail < y.n - head &&
           strcmp(x.p[x.n - 1 - tail], y.p[y.n - 1 - tail]) == 0)
        tail++;
    for (size_t i = 0; i < head; i++)
        push(d, &k, ' ', x.p[i]);
    size_t m = x.n - head - tail, w = y.n - head - tail;
    const char **xs = x.p + head, **ys = y.p + head;
    if (m && w && (m + 1) * (w + 1) <= LINEDIFF_MAX_CELLS) {
        /* len[i][j]: LCS length of xs[i..] and ys[j..]. */
        uint32_t *len = xcalloc((m + 1) * (w + 1), sizeof(*len));
#define L(i, j) len[(i) * (w + 1) + (j)]
        for (size_t i = m; i-- > 0;)
            for (size_t j = w; j-- > 0;)
                L(i, j) = strcmp(xs[i], ys[j]) == 0
                              ? L(i + 1, j + 1) + 1
                              : (L(i + 1, j) >= L(i, j + 1) ? L(i + 1, j)
                                                            : L(i, j + 1));
        size_t i = 0, j = 0;
        while (i < m && j < w) {
            if (strcmp(xs[i], ys[j]) == 0) {
                push(d, &k, ' ', xs[i]);
                i++, j++;
            } else if (L(i + 1, j) >= L(i, j + 1)) {
                push(d, &k, '-', xs[i++]);
            } else {
                push(d, &k, '+', ys[j++]);
            }
        }
#undef L
        free(len);
        while (i < m)
            push(d, &k, '-', xs[i++]);
        while (j < w)
            push(d, &k, '+', ys[j++]);
    } else {
        for (size_t i = 0; i < m; i++)
            push(d, &k, '-', xs[i]);
        for (size_t j = 0; j < w; j++)
            push(d, &k, '+', ys[j]);
    }
    for (size_t i = x.n - tail; i < x.n; i++)
        push(d, &k, ' ', x.p[i]);
    *out = d;
    *n = k;
    return 0;
}
