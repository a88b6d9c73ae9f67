/*
 * places.c - the country and organization tagger (see places.h).
 *
 * Design: the text is cut into words (ASCII letters and digits, Latin
 * letters with diacritics folded by the generated table, everything else a
 * separator; a possessive 's is dropped, so "Russia's" and "Pakistan-Russia"
 * give "russia"). Each word keeps how it was written (capitalized, all
 * capitals) and whether only blanks separate it from the previous one. At
 * each word that starts some name, the longest name is looked up in an
 * open-addressing hash of the normalized keys: together, one pass with a
 * bounded number of probes per word, which does what Aho-Corasick would
 * for this dictionary (names are whole words) in far less code. Hand-written
 * because no Debian library tags place names.
 *
 * Scoring: title mentions weigh 4, intro 2, body 1 (1.5 in its first
 * quarter); capitals and regions 0.7 of that. An entity is kept when its score
 * reaches PLACES_MIN and a share of the best one; conditional mentions
 * (Georgia next to Russia, an acronym that is a word next to the full
 * name) count only when their condition holds at the end.
 */
#include "content/places.h"

#include "core/arena.h"
#include "core/xalloc.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define KEY_MAX 128  /* longest normalized name, in bytes */
#define WORDS_MAX 12 /* most words in one name */
/* Chosen on make eval-places (docs/places.md has the table). */
#define MIN_SCORE 1.5     /* one body mention is not enough, a title's is */
#define MIN_SHARE 0.3     /* and at least this share of the best entity */
#define ORG_MIN_SCORE 1.0 /* organizations are named once, then "the Fund" */
#define ORG_MIN_SHARE 0.12
#define DEMONYM_W 1.0  /* "Japanese" says Japan as often as "Japan" */
#define CAPITAL_W 0.7  /* "Washington", "Texas": often just a place */
#define CURRENCY_W 0.7 /* "yen": also said of other markets */
#define WEAK_MIN 0.7   /* weak evidence beats the home country */

/* --- the gazetteer's hash, built once ------------------------------- */

static int32_t *slots; /* name index + 1, 0 empty */
static size_t nslots;
static uint8_t *first_words; /* bloom-ish set of a name's first word */
#define FIRST_BITS (1u << 16)
static pthread_once_t built = PTHREAD_ONCE_INIT;

static uint32_t hash(const char *s, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (uint8_t)s[i]) * 16777619u;
    return h;
}

static void build(void)
{
    nslots = 1;
    while (nslots < places_n_names * 3)
        nslots <<= 1;
    slots = xcalloc(nslots, sizeof(*slots));
    first_words = xcalloc(FIRST_BITS / 8, 1);
    for (size_t i = 0; i < places_n_names; i++) {
        const char *k = places_names[i].key;
        size_t n = strlen(k);
        size_t j = hash(k, n) & (nslots - 1);
        while (slots[j])
            j = (j + 1) & (nslots - 1);
        slots[j] = (int32_t)i + 1;
        const char *sp = strchr(k, ' ');
        uint32_t f = hash(k, sp ? (size_t)(sp - k) : n) & (FIRST_BITS - 1);
        first_words[f / 8] |= (uint8_t)(1u << (f % 8));
    }
}

static int lookup(const char *k, size_t n)
{
    size_t j = hash(k, n) & (nslots - 1);
    while (slots[j]) {
        const char *key = places_names[slots[j] - 1].key;
        if (strncmp(key, k, n) == 0 && key[n] == '\0')
            return slots[j] - 1;
        j = (j + 1) & (nslots - 1);
    }
    return -1;
}

int places_find(bool is_org, const char *code)
{
    for (size_t i = 0; code && i < places_n_entities; i++)
        if (places_entities[i].is_org == (int)is_org &&
            strcmp(places_entities[i].code, code) == 0)
            return (int)i;
    return -1;
}

/* --- words ------------------------------------------------------------ */

struct word {
    uint32_t off, len; /* in the normalized buffer */
    uint8_t zone;      /* 0 title, 1 intro, 2 body */
    bool cap;          /* first letter upper case */
    bool upper;        /* every letter upper case */
    bool tight;        /* only blanks since the previous word */
    bool start;        /* first word of a sentence or zone */
    bool early;        /* body: in its first quarter */
    bool comma;        /* a comma since the previous word */
    bool dot;          /* a dot right after it */
};

struct words {
    struct word *w;
    size_t n, cap;
    char *buf; /* normalized words, each followed by ' ' */
    size_t len, bufcap;
    bool caps[3]; /* zone written in capitals (a headline) */
};

static bool is_alnum(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9');
}

/* letter returns the folded form of the character at s (len bytes in
 * *used), NULL for a separator; *upper tells its case. */
static const char *letter(const unsigned char *s, size_t left, size_t *used,
                          bool *upper, char tmp[2])
{
    *used = 1;
    *upper = false;
    if (is_alnum(s[0])) {
        *upper = s[0] >= 'A' && s[0] <= 'Z';
        tmp[0] = (char)(*upper ? s[0] + 32 : s[0]);
        tmp[1] = '\0';
        return tmp;
    }
    if (s[0] >= 0xC3 && s[0] <= 0xC9 && left >= 2 && (s[1] & 0xC0) == 0x80) {
        uint32_t cp = ((uint32_t)(s[0] & 0x1F) << 6) | (s[1] & 0x3F);
        *used = 2;
        if (cp < 0xC0 || cp >= 0x250 || !places_fold[cp - 0xC0][0])
            return NULL;
        /* Latin-1 capitals are U+00C0..U+00DE; Extended-A alternates. */
        *upper = cp < 0x100 ? cp <= 0xDE && cp != 0xD7
                            : (cp < 0x180 && cp % 2 == 0);
        return places_fold[cp - 0xC0];
    }
    if (s[0] >= 0x80) { /* skip the whole sequence */
        size_t k = 1;
        while (k < left && (s[k] & 0xC0) == 0x80 && k < 4)
            k++;
        *used = k;
    }
    return NULL;
}

static void push_char(struct arena *a, struct words *ws, const char *c)
{
    size_t n = strlen(c);
    if (ws->len + n + 2 > ws->bufcap) {
        size_t cap = ws->bufcap * 2 + n + 64;
        char *nb = arena_alloc(a, cap);
        if (ws->len)
            memcpy(nb, ws->buf, ws->len);
        ws->buf = nb;
        ws->bufcap = cap;
    }
    memcpy(ws->buf + ws->len, c, n);
    ws->len += n;
}

static void split(struct arena *a, struct words *ws, const char *text,
                  uint8_t zone)
{
    if (!text)
        return;
    const unsigned char *s = (const unsigned char *)text;
    size_t len = strnlen(text, PLACES_TEXT_MAX);
    size_t lower = 0, upper_n = 0;
    bool tight = false, start = true, in = false, comma = false;
    struct word *cur = NULL;
    for (size_t i = 0; i < len;) {
        size_t used;
        bool up;
        char tmp[2];
        const char *f = letter(s + i, len - i, &used, &up, tmp);
        if (f && !in) {
            if (ws->n == ws->cap) {
                size_t cap = ws->cap * 2 + 64;
                struct word *nw = arena_alloc(a, cap * sizeof(*nw));
                if (ws->n)
                    memcpy(nw, ws->w, ws->n * sizeof(*nw));
                ws->w = nw;
                ws->cap = cap;
            }
            cur = &ws->w[ws->n++];
            *cur = (struct word){.off = (uint32_t)ws->len,
                                 .zone = zone,
                                 .cap = up,
                                 .upper = true,
                                 .tight = tight,
                                 .start = start,
                                 .comma = comma,
                                 .early = zone == 2 && i < len / 4};
            in = true;
            start = false;
            comma = false;
        }
        if (f) {
            bool alpha = !(s[i] >= '0' && s[i] <= '9');
            if (alpha && !up)
                cur->upper = false;
            if (alpha)
                up ? upper_n++ : lower++;
            push_char(a, ws, f);
        } else {
            unsigned char c = s[i];
            if (in) {
                cur->len = (uint32_t)(ws->len - cur->off);
                cur->dot = c == '.';
                push_char(a, ws, " ");
                in = false;
                tight = true;
            }
            if (c == ',')
                comma = true;
            /* a possessive: drop the 's after ' or U+2019 */
            bool apos = c == '\'' || (c == 0xE2 && i + 2 < len &&
                                      s[i + 1] == 0x80 && s[i + 2] == 0x99);
            size_t al = c == '\'' ? 1 : 3;
            if (apos && i + al < len &&
                (s[i + al] == 's' || s[i + al] == 'S') &&
                (i + al + 1 >= len || !is_alnum(s[i + al + 1]))) {
                i += al + 1;
                continue;
            }
            if (c == '.' || c == '!' || c == '?' || c == '\n' || c == ':')
                start = c != '.' || i + 1 >= len || s[i + 1] == ' ' ||
                        s[i + 1] == '\n';
            if (c == '.' && i >= 1 && i + 1 < len && is_alnum(s[i + 1]))
                start = false; /* "U.S." inside */
            if (c != ' ' && c != '\t')
                tight = false;
        }
        i += used;
    }
    if (in) {
        cur->len = (uint32_t)(ws->len - cur->off);
        push_char(a, ws, " ");
    }
    ws->caps[zone] = upper_n > 3 && lower * 10 < upper_n;
    /* "U.S.": a letter and a dot make no sentence end (the dot before the
     * next word marked start only when followed by a blank). */
}

/* --- matching and scoring --------------------------------------------- */

struct acc {
    double score;
    double cond; /* conditional mentions' score */
    int mentions;
    bool firm;       /* found through a name that needs nothing */
    const char *ctx; /* condition of cond (NULL: the entity firm) */
};

static bool word_is(const struct words *ws, size_t i, const char *w)
{
    size_t n = strlen(w);
    return ws->w[i].len == n && memcmp(ws->buf + ws->w[i].off, w, n) == 0;
}

/* accept decides whether a matched name is a mention here. */
static bool accept(const struct words *ws, size_t i, size_t nw,
                   const struct place_name *nm)
{
    const struct word *w = &ws->w[i];
    bool caps = ws->caps[w->zone];
    if (nm->flags & PLACE_BLOCK)
        return true;
    if (nm->flags & (PLACE_ACRONYM | PLACE_CTXACR)) {
        for (size_t k = 0; k < nw; k++)
            if (!ws->w[i + k].upper)
                return false;
        /* In a headline in capitals, "US" is as likely the pronoun. */
        if (caps && nw == 1 && w->len <= 2 && !(nm->flags & PLACE_CTXACR) &&
            strncmp(ws->buf + w->off, "us", 2) == 0)
            return false;
        return true;
    }
    if (nm->flags & PLACE_CURRENCY)
        return true; /* "200 mln stg": written in lower case */
    if (!caps && !w->cap)
        return false; /* "china", "turkey", "chad" */
    if ((nm->flags & PLACE_ABBREV) && (!w->comma || !ws->w[i + nw - 1].dot))
        return false;
    if ((nm->flags & PLACE_PERSON) && !caps) {
        /* "Michael Jordan", "Chad Smith": a capitalized neighbour that is
         * not a sentence's first word nor a name itself. */
        if (w->tight && i > 0 && ws->w[i - 1].cap && !w->start &&
            !ws->w[i - 1].upper && !word_is(ws, i - 1, "the") &&
            !word_is(ws, i - 1, "in") && !word_is(ws, i - 1, "and"))
            return false;
        size_t j = i + nw;
        if (j < ws->n && ws->w[j].tight && ws->w[j].cap && !ws->w[j].start &&
            ws->w[j].zone == w->zone && !ws->w[j].upper)
            return false;
    }
    return true;
}

static bool has_code(const struct acc *acc, const char *list)
{
    while (list && *list) {
        const char *e = strchr(list, ',');
        size_t n = e ? (size_t)(e - list) : strlen(list);
        char code[16];
        if (n < sizeof(code)) {
            memcpy(code, list, n);
            code[n] = '\0';
            int k = places_find(false, code);
            if (k >= 0 && acc[k].firm)
                return true;
        }
        list = e ? e + 1 : NULL;
    }
    return false;
}

static int by_score(const void *x, const void *y)
{
    const struct place_hit *a = x, *b = y;
    if (a->score != b->score)
        return a->score < b->score ? 1 : -1;
    return strcmp(places_entities[a->entity].code,
                  places_entities[b->entity].code);
}

int places_tag(struct arena *a, const char *title, const char *intro,
               const char *body, const char *home, struct place_hit *out,
               size_t cap, size_t *n)
{
    static const double zone_w[3] = {4.0, 2.0, 1.0};
    struct words ws = {0};
    *n = 0;
    pthread_once(&built, build);
    split(a, &ws, title, 0);
    split(a, &ws, intro, 1);
    split(a, &ws, body, 2);
    struct acc *acc = arena_zalloc(a, places_n_entities * sizeof(*acc));

    for (size_t i = 0; i < ws.n;) {
        const struct word *w = &ws.w[i];
        uint32_t f = hash(ws.buf + w->off, w->len) & (FIRST_BITS - 1);
        size_t best = 0;
        int found = -1;
        if (first_words[f / 8] & (1u << (f % 8))) {
            /* longest first: keys are the words joined by single blanks,
             * exactly as they sit in ws.buf */
            size_t last = i;
            while (last + 1 < ws.n && last + 1 - i < WORDS_MAX &&
                   ws.w[last + 1].zone == w->zone &&
                   ws.w[last + 1].off + ws.w[last + 1].len - w->off < KEY_MAX)
                last++;
            for (size_t j = last + 1; j > i; j--) {
                const struct word *e = &ws.w[j - 1];
                int k = lookup(ws.buf + w->off, e->off + e->len - w->off);
                if (k >= 0 && accept(&ws, i, j - i, &places_names[k])) {
                    found = k;
                    best = j - i;
                    break;
                }
            }
        }
        if (found < 0) {
            i++;
            continue;
        }
        const struct place_name *nm = &places_names[found];
        if (nm->entity >= 0) {
            double s = zone_w[w->zone] * (w->early ? 1.5 : 1.0);
            if (nm->flags & PLACE_DEMONYM)
                s *= DEMONYM_W;
            if (nm->flags & PLACE_CAPITAL)
                s *= CAPITAL_W;
            if (nm->flags & PLACE_CURRENCY)
                s *= CURRENCY_W;
            struct acc *c = &acc[nm->entity];
            c->mentions++;
            if (nm->ctx[0] || (nm->flags & PLACE_CTXACR)) {
                c->cond += s;
                if (nm->ctx[0])
                    c->ctx = nm->ctx;
            } else {
                c->score += s;
                c->firm = true;
            }
        }
        i += best;
    }

    double top[2] = {0, 0}; /* countries, organizations */
    for (size_t e = 0; e < places_n_entities; e++) {
        struct acc *c = &acc[e];
        int k = places_entities[e].is_org;
        if (c->cond > 0 && (c->firm || (c->ctx && has_code(acc, c->ctx))))
            c->score += c->cond;
        if (c->score > top[k])
            top[k] = c->score;
    }
    size_t m = 0;
    struct place_hit *all =
        arena_alloc(a, (places_n_entities + 1) * sizeof(*all));
    for (size_t e = 0; e < places_n_entities; e++) {
        const struct acc *c = &acc[e];
        int k = places_entities[e].is_org;
        if (c->score >= (k ? ORG_MIN_SCORE : MIN_SCORE) &&
            c->score >= top[k] * (k ? ORG_MIN_SHARE : MIN_SHARE))
            all[m++] = (struct place_hit){(int)e, c->score, c->mentions};
    }
    bool any_country = false;
    for (size_t k = 0; k < m; k++)
        any_country |= !places_entities[all[k].entity].is_org;
    if (!any_country && top[0] >= WEAK_MIN) {
        /* Only weak evidence ("an Alberta company", "in Frankfurt"): it
         * still says more than the home country would. */
        for (size_t e = 0; e < places_n_entities; e++)
            if (!places_entities[e].is_org && acc[e].score == top[0]) {
                all[m++] =
                    (struct place_hit){(int)e, acc[e].score, acc[e].mentions};
                any_country = true;
            }
    }
    int h = home && *home && !any_country ? places_find(false, home) : -1;
    if (h >= 0)
        all[m++] = (struct place_hit){h, PLACES_HOME_SCORE, 0};
    qsort(all, m, sizeof(*all), by_score);
    for (size_t k = 0; k < m && k < cap; k++)
        out[(*n)++] = all[k];
    return 0;
}

void places_norm(const char *text, char *out, size_t cap)
{
    struct arena a;
    struct words ws = {0};
    size_t o = 0;
    if (!cap)
        return;
    arena_init(&a, 4096);
    split(&a, &ws, text, 2);
    for (size_t i = 0; i < ws.n; i++) {
        size_t need = ws.w[i].len + (o ? 1 : 0);
        if (o + need + 1 > cap)
            break;
        if (o)
            out[o++] = ' ';
        memcpy(out + o, ws.buf + ws.w[i].off, ws.w[i].len);
        o += ws.w[i].len;
    }
    out[o] = '\0';
    arena_release(&a);
}
