/*
 * redirects_nginx.c - redirects.nginx.conf for a static export.
 *
 * The server answers old URLs by pattern (content/legacy_url.c); nginx has
 * no per-request code, so the same forms become regex maps that pull the
 * old id out of the URL, chained to exact maps from id to the new path:
 * nginx looks exact keys up in a hash, so 20,000 items cost one regex per
 * form and one hash lookup, not 20,000 regexes. Each map's default is the
 * next map's variable, so the first form that matches wins, in the order
 * the server tries them. Values that nginx would read as variables or
 * syntax ($, {, }, ;, quotes, controls) are left out rather than escaped.
 */
#include "io/redirects_nginx.h"

#include "core/arena.h"
#include "core/buf.h"
#include "store/store.h"

#include <string.h>

static bool safe(const char *s)
{
    if (!s || !*s)
        return false;
    for (; *s; s++)
        if ((unsigned char)*s <= ' ' || *s == '$' || *s == '{' || *s == '}' ||
            *s == ';' || *s == '"' || *s == '\'' || *s == '\\' || *s == 0x7F)
            return false;
    return true;
}

struct form {
    const char *prefix; /* the legacy key's prefix, e.g. "k2/item/" */
    const char *var;    /* the map's variable */
    const char *suffix; /* appended to the target */
    int pair; /* category aliases: 1 "<parent-alias>/<alias>" keys, 0 not */
};

static const struct form FORMS[] = {
    {"k2/item/", "quire_k2_item", "", -1},
    {"k2/category/", "quire_k2_category", "", -1},
    {"k2/tag/", "quire_k2_tag", "", -1},
    {"k2/category-alias/", "quire_k2_pfeed", "/feed.rss", 1},
    {"k2/category-alias/", "quire_k2_feed", "/feed.rss", 0},
    {"k2/category-alias/", "quire_k2_palias", "", 1},
    {"k2/category-alias/", "quire_k2_alias", "", 0},
    {"wp/post/", "quire_wp_post", "", -1},
};
#define NFORMS (sizeof(FORMS) / sizeof(FORMS[0]))

/* What pulls each form's key out of a request (same order as FORMS). */
static const char *const EXTRACT[NFORMS] = {
    "map $uri $quire_k2_item_id {\n"
    "    ~/item/(?<k2i>[0-9]+)(-[^/]*)?(\\.html)?$ $k2i;\n"
    "    default \"\";\n}\n"
    "map $arg_id $quire_k2_arg_id {\n"
    "    ~^(?<k2a>[0-9]+) $k2a;\n    default \"\";\n}\n",
    "map $uri $quire_k2_category_id {\n"
    "    ~/itemlist/category/(?<k2c>[0-9]+)(-[^/]*)?(\\.html)?$ $k2c;\n"
    "    default \"\";\n}\n",
    "map $uri $quire_k2_tag_id {\n"
    "    ~/itemlist/tag/(?<k2t>[^/]+?)(\\.html)?$ $k2t;\n"
    "    default \"\";\n}\n",
    "map $uri $quire_k2_pfeed_id {\n"
    "    ~/(?<k2pf>[^/]+/[^/]+)\\.feed$ $k2pf;\n    default \"\";\n}\n",
    "map $uri $quire_k2_feed_id {\n"
    "    ~/(?<k2f>[^/]+)\\.feed$ $k2f;\n    default \"\";\n}\n",
    "map $uri $quire_k2_palias_id {\n"
    "    ~/(?<k2pl>[^/]+/[^/]+)\\.html$ $k2pl;\n    default \"\";\n}\n",
    "map $uri $quire_k2_alias_id {\n"
    "    ~/(?<k2l>[^/]+)\\.html$ $k2l;\n    default \"\";\n}\n",
    "map $arg_p $quire_wp_post_id {\n"
    "    ~^(?<wpp>[0-9]+)$ $wpp;\n    default \"\";\n}\n",
};

int redirects_nginx(struct store *s, struct buf *out)
{
    struct arena a;
    struct redirect *r;
    struct legacy_id *l;
    size_t nr, nl;
    arena_init(&a, 1 << 16);
    int rc = store_redirects_list(s, &a, &r, &nr);
    if (rc == 0)
        rc = store_legacy_list(s, &a, &l, &nl);
    if (rc != 0)
        goto out;
    buf_append_cstr(
        out, "# redirects.nginx.conf - the journal's old URLs, written by\n"
             "# `quire export static`. Include it in the http block:\n"
             "#     include /path/to/site/redirects.nginx.conf;\n"
             "# and in the site's server block:\n"
             "#     if ($quire_redirect) { return 301 $quire_redirect; }\n\n");
    for (size_t f = 0; f < NFORMS; f++) {
        buf_append_cstr(out, EXTRACT[f]);
        const char *next = f + 1 < NFORMS ? FORMS[f + 1].var : NULL;
        /* K2's index.php?option=com_k2&view=item&id=N: the item map is
         * also keyed by $arg_id through a second lookup below. */
        buf_printf(out, "map $%s_id $%s {\n    default %s%s%s;\n", FORMS[f].var,
                   FORMS[f].var, next ? "$" : "\"", next ? next : "",
                   next ? "" : "\"");
        size_t plen = strlen(FORMS[f].prefix);
        for (size_t i = 0; i < nl; i++) {
            if (strncmp(l[i].key, FORMS[f].prefix, plen) != 0 ||
                !safe(l[i].key + plen) || !safe(l[i].path) ||
                (FORMS[f].pair >= 0 &&
                 (strchr(l[i].key + plen, '/') != NULL) != FORMS[f].pair))
                continue;
            buf_printf(out, "    \"%s\" %s%s;\n", l[i].key + plen, l[i].path,
                       FORMS[f].suffix);
        }
        buf_append_cstr(out, "}\n");
    }
    /* index.php?option=com_k2&view=item&id=N */
    buf_append_cstr(out, "map $quire_k2_arg_id $quire_k2_query {\n"
                         "    default $quire_k2_item;\n");
    for (size_t i = 0; i < nl; i++)
        if (strncmp(l[i].key, "k2/item/", 8) == 0 && safe(l[i].key + 8) &&
            safe(l[i].path))
            buf_printf(out, "    \"%s\" %s;\n", l[i].key + 8, l[i].path);
    buf_append_cstr(out, "}\n");
    buf_append_cstr(out, "map $arg_option $quire_k2_or_item {\n"
                         "    com_k2 $quire_k2_query;\n"
                         "    default $quire_k2_item;\n}\n");
    buf_append_cstr(out, "map $uri $quire_redirect {\n"
                         "    default $quire_k2_or_item;\n");
    for (size_t i = 0; i < nr; i++)
        if (!strchr(r[i].path, '?') && safe(r[i].path) && safe(r[i].target))
            buf_printf(out, "    \"%s\" %s;\n", r[i].path, r[i].target);
    buf_append_cstr(out, "}\n");
    if (out->err)
        rc = ERR_TOO_BIG;
out:
    arena_release(&a);
    return rc;
}
