/*
 * slug.c - slugs from titles.
 *
 * Transliteration covers Latin-1 Supplement, Latin Extended-A and the few
 * Extended-B letters of Romanian and Azerbaijani: enough for the names and
 * places a journal of analysis prints in Latin script. Combining marks
 * (U+0300..U+036F) are dropped silently so decomposed "e + acute" gives "e"
 * like precomposed "é". Anything else that is not ASCII alphanumeric ends
 * the current word. The output is built in a fixed stack buffer because a
 * slug is short by definition; words beyond it are simply not emitted.
 */
#include "content/slug.h"

#include "core/utf8.h"
#include "core/arena.h"

#include <string.h>

/* U+00C0..U+00FF; "" for the two signs (× ÷), which separate words. */
static const char *const latin1[64] = {
    "a", "a", "a", "a", "a", "a", "ae", "c",  /* C0 */
    "e", "e", "e", "e", "i", "i", "i",  "i",  /* C8 */
    "d", "n", "o", "o", "o", "o", "o",  "",   /* D0 */
    "o", "u", "u", "u", "u", "y", "th", "ss", /* D8 */
    "a", "a", "a", "a", "a", "a", "ae", "c",  /* E0 */
    "e", "e", "e", "e", "i", "i", "i",  "i",  /* E8 */
    "d", "n", "o", "o", "o", "o", "o",  "",   /* F0 */
    "o", "u", "u", "u", "u", "y", "th", "y",  /* F8 */
};

/* U+0100..U+017F, one letter each except the ligatures handled below. */
static const char latin_ext_a[128 + 1] =
    "aaaaaaccccccccdd" /* 0100 */
    "ddeeeeeeeeeegggg" /* 0110 */
    "gggghhhhiiiiiiii" /* 0120 */
    "iiiijjkkklllllll" /* 0130: 0132/0133 are "ij" */
    "lllnnnnnnnnnoooo" /* 0140 */
    "oooorrrrrrssssss" /* 0150: 0152/0153 are "oe" */
    "sstttttt"
    "uuuuuuuu"          /* 0160 */
    "uuuuwwyyyzzzzzzs"; /* 0170 */

/* translit returns the ASCII for cp, "" for a separator, NULL to skip. */
static const char *translit(uint32_t cp, char ascii[2])
{
    if (cp < 0x80) {
        char c = (char)cp;
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
            ascii[0] = c;
            ascii[1] = '\0';
            return ascii;
        }
        return c == '\'' ? NULL : "";
    }
    if (cp >= 0xC0 && cp <= 0xFF)
        return latin1[cp - 0xC0];
    if (cp == 0x132 || cp == 0x133)
        return "ij";
    if (cp == 0x152 || cp == 0x153)
        return "oe";
    if (cp >= 0x100 && cp <= 0x17F) {
        ascii[0] = latin_ext_a[cp - 0x100];
        ascii[1] = '\0';
        return ascii;
    }
    switch (cp) {
    case 0x0218:
    case 0x0219:
    case 0x015E:
    case 0x015F: return "s";
    case 0x021A:
    case 0x021B: return "t";
    case 0x018F:
    case 0x0259: return "e";
    case 0x0192: return "f";
    case 0x2019:
    case 0x02BC: return NULL; /* typographic apostrophes */
    }
    if (cp >= 0x0300 && cp <= 0x036F)
        return NULL; /* combining diacritics */
    return "";
}

char *slug_from_title(struct arena *a, const char *title)
{
    char out[SLUG_TARGET * 2 + 8];
    size_t n = 0;
    bool full = false;
    size_t len = title ? strlen(title) : 0;

    for (size_t i = 0; i < len && !full;) {
        uint32_t cp;
        size_t k = utf8_decode(title + i, len - i, &cp);
        if (k == 0) {
            cp = 0xFFFD; /* a separator */
            k = 1;
        }
        i += k;
        char ascii[2];
        const char *t = translit(cp, ascii);
        if (!t)
            continue;
        if (*t == '\0') {
            if (n > 0 && out[n - 1] != '-')
                out[n++] = '-';
            continue;
        }
        size_t tl = strlen(t);
        if (n + tl >= sizeof(out) - 1) {
            full = true;
            break;
        }
        memcpy(out + n, t, tl);
        n += tl;
    }
    while (n > 0 && out[n - 1] == '-')
        n--;
    if (n > SLUG_TARGET) {
        /* Cut at the last word boundary within the target, unless the
         * first word alone is longer than that. */
        size_t cut = SLUG_TARGET;
        while (cut > 0 && out[cut] != '-')
            cut--;
        n = cut > 0 ? cut : SLUG_TARGET;
    }
    if (n == 0)
        return arena_strdup(a, "article");
    return arena_strndup(a, out, n);
}

bool slug_valid(const char *s)
{
    if (!s)
        return false;
    size_t n = 0;
    for (; s[n]; n++) {
        char c = s[n];
        if (c == '-') {
            if (n == 0 || s[n - 1] == '-')
                return false;
        } else if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) {
            return false;
        }
        if (n >= SLUG_MAX)
            return false;
    }
    return n > 0 && s[n - 1] != '-';
}
