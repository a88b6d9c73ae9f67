/*
 * name.c - split a byline name into given, family and suffix.
 *
 * Works on words: maximal runs of non-whitespace. The slices returned run
 * from the first byte of a part's first word to the last byte of its last
 * word, so the spacing inside a part is the caller's own. There is no
 * library for this in Debian short of a full BibTeX implementation, and
 * the rule is a dozen lines, so it is written here.
 */
#include "content/name.h"

#include <stdbool.h>
#include <strings.h>

#define NAME_MAX_WORDS 32 /* words past this join the family name */

/* Particles that start a family name whatever their case. */
static const char *const particles[] = {
    "von", "van", "der", "den", "de",  "del", "della", "di",
    "da",  "du",  "la",  "le",  "ten", "ter", "bin",   "ibn",
    "al",  "el",  "dos", "das", "do",  "zu",  "af",    "av",
};

static const char *const suffixes[] = {"Jr", "Jr.", "Sr", "Sr.",
                                       "II", "III", "IV", "V"};

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
           c == '\v';
}

static bool word_in(struct str w, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (w.len == strlen(list[i]) && strncmp(w.ptr, list[i], w.len) == 0)
            return true;
    return false;
}

static bool is_listed(struct str w)
{
    for (size_t i = 0; i < sizeof(particles) / sizeof(particles[0]); i++)
        if (w.len == strlen(particles[i]) &&
            strncasecmp(w.ptr, particles[i], w.len) == 0)
            return true;
    return false;
}

/* A particle is a listed word or, as BibTeX's "von" part, a word that
 * starts with an ASCII lowercase letter. */
static bool is_particle(struct str w)
{
    return (w.ptr[0] >= 'a' && w.ptr[0] <= 'z') || is_listed(w);
}

static bool is_suffix(struct str w)
{
    return word_in(w, suffixes, sizeof(suffixes) / sizeof(suffixes[0]));
}

/* span is the slice from the start of word a to the end of word b. */
static struct str span(struct str a, struct str b)
{
    return (struct str){a.ptr, (size_t)(b.ptr + b.len - a.ptr)};
}

/* words cuts s into at most max words; the last takes the rest. */
static size_t words(struct str s, struct str *w, size_t max)
{
    size_t n = 0, i = 0;
    while (i < s.len && n < max) {
        while (i < s.len && is_space(s.ptr[i]))
            i++;
        if (i == s.len)
            break;
        size_t start = i;
        if (n + 1 == max) {
            i = s.len;
            while (i > start && is_space(s.ptr[i - 1]))
                i--;
        } else {
            while (i < s.len && !is_space(s.ptr[i]))
                i++;
        }
        w[n++] = (struct str){s.ptr + start, i - start};
    }
    return n;
}

static struct str trim_comma(struct str s)
{
    s = str_trim(s);
    while (s.len && s.ptr[s.len - 1] == ',')
        s.len--;
    return str_trim(s);
}

void name_split(struct str name, struct name_parts *out)
{
    struct str w[NAME_MAX_WORDS];
    *out = (struct name_parts){{"", 0}, {"", 0}, {"", 0}};
    if (!name.ptr)
        return;
    name = str_trim(name);

    /* "King, Jr." style: a suffix after the last comma. */
    const char *comma = memrchr(name.ptr, ',', name.len);
    if (comma) {
        struct str tail = str_trim(
            (struct str){comma + 1, (size_t)(name.ptr + name.len - comma - 1)});
        if (is_suffix(tail)) {
            out->suffix = tail;
            name =
                trim_comma((struct str){name.ptr, (size_t)(comma - name.ptr)});
            comma = memchr(name.ptr, ',', name.len);
        }
    }
    /* "Family, Given" as written. */
    if (comma) {
        comma = memchr(name.ptr, ',', name.len);
        out->family =
            trim_comma((struct str){name.ptr, (size_t)(comma - name.ptr)});
        out->given = str_trim(
            (struct str){comma + 1, (size_t)(name.ptr + name.len - comma - 1)});
        if (out->family.len == 0) { /* ", X": nothing before the comma */
            out->family = out->given;
            out->given = (struct str){"", 0};
        }
        return;
    }

    size_t n = words(name, w, NAME_MAX_WORDS);
    if (n == 0)
        return;
    if (n >= 2 && out->suffix.len == 0 && is_suffix(w[n - 1])) {
        out->suffix = w[n - 1];
        n--;
        w[n - 1] = trim_comma(w[n - 1]); /* "Smith, Jr" without the comma */
    }
    size_t f = n - 1;   /* first word of the family name */
    bool listed = true; /* every particle so far is a listed one */
    while (f > 0 && is_particle(w[f - 1])) {
        listed = listed && is_listed(w[f - 1]);
        f--;
    }
    if (f == 0 && !listed)
        f = 1; /* "bell hooks": lowercase, yet "bell" is a given name */
    out->family = span(w[f], w[n - 1]);
    if (f > 0)
        out->given = span(w[0], w[f - 1]);
}
