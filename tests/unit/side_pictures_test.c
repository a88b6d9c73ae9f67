/*
 * side_pictures_test.c - pictures outside articles (V_MEDIA_SIDE): a
 * logo per "Visit also" link, a cover per staff publication, a photo per
 * author. Only the hash of an image in the media library is accepted,
 * a refused write changes nothing, clearing works, every change is in
 * the change log (so the page cache drops the pages), and
 * store_media_ref names a file by id, hash or file name.
 */
#include "core/arena.h"
#include "core/log.h"
#include "store/media.h"
#include "store/store.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#define TMPDIR_NAME "/tmp/quire-sidepic-XXXXXX"
#include "test_tmpdir.h"

#define LOGO "0123456789abcdef0123456789abcdef"
#define PDF "fedcba9876543210fedcba9876543210"

static struct store *st;
static int64_t logo_id, art_id;

static int setup(void **state)
{
    if (tmpdir_setup(state) != 0 ||
        store_open(path_of("side.db"), STORE_CREATE, &st) != 0)
        return -1;
    struct media_variant v = {LOGO "-480.jpg", "image/jpeg", 480, 192};
    struct media m = {.hash = LOGO,
                      .kind = "image",
                      .mime = "image/jpeg",
                      .file = LOGO ".jpg",
                      .width = 500,
                      .height = 200,
                      .bytes = 1000,
                      .alt = "CACI logo",
                      .variants = &v,
                      .nvariants = 1};
    bool existed;
    if (store_media_add(st, &m, &logo_id, &existed) != 0)
        return -1;
    struct media d = {.hash = PDF,
                      .kind = "document",
                      .mime = "application/pdf",
                      .file = PDF ".pdf",
                      .bytes = 100};
    int64_t pdf_id;
    if (store_media_add(st, &d, &pdf_id, &existed) != 0)
        return -1;
    const char *authors[] = {"Svante Cornell"};
    const char *tags[] = {"Energy"};
    struct article_input in = {.title = "Caspian Oil",
                               .body_md = "Text.",
                               .body_html = "<p>Text.</p>",
                               .status = ARTICLE_PUBLISHED,
                               .published_at = 1088553600,
                               .hits = -1,
                               .section = "Analysis",
                               .authors = authors,
                               .n_authors = 1,
                               .tags = tags,
                               .n_tags = 1};
    return store_article_save(st, &in, &art_id, NULL) == 0 ? 0 : -1;
}

static int teardown(void **state)
{
    store_close(st);
    return tmpdir_teardown(state);
}

/* seq_now is the change log's newest sequence number. */
static int64_t seq_now(void)
{
    struct arena a;
    struct change_set cs;
    arena_init(&a, 1024);
    assert_int_equal(store_changes_since(st, &a, 0, 100000, &cs), 0);
    arena_release(&a);
    return cs.seq;
}

/* changed tells whether a name that begins with prefix was logged
 * after seq (or the whole log was marked). */
static bool changed(int64_t seq, const char *prefix)
{
    struct arena a;
    struct change_set cs;
    bool found = false;
    arena_init(&a, 1024);
    assert_int_equal(store_changes_since(st, &a, seq, 100000, &cs), 0);
    for (size_t i = 0; i < cs.n; i++)
        found |= strncmp(cs.names[i], prefix, strlen(prefix)) == 0;
    arena_release(&a);
    return found || cs.all;
}

/* site_changed tells whether "site" was logged after seq. */
static bool site_changed(int64_t seq)
{
    struct arena a;
    struct change_set cs;
    bool found = false;
    arena_init(&a, 1024);
    assert_int_equal(store_changes_since(st, &a, seq, 100000, &cs), 0);
    for (size_t i = 0; i < cs.n; i++)
        found |= strcmp(cs.names[i], "site") == 0;
    arena_release(&a);
    return found || cs.all;
}

static const struct link *link_of(struct arena *a, int64_t id)
{
    struct link *l;
    size_t n;
    assert_int_equal(store_links_list(st, a, &l, &n), 0);
    for (size_t i = 0; i < n; i++)
        if (l[i].id == id)
            return &l[i];
    fail_msg("no link %lld", (long long)id);
    return NULL;
}

static void test_link_logo(void **state)
{
    (void)state;
    struct arena a;
    arena_init(&a, 4096);
    int64_t with, without, bad;
    assert_int_equal(
        store_link_add_image(st, "CACI", "https://caci.example", LOGO, &with),
        0);
    assert_int_equal(
        store_link_add(st, "ISDP", "https://isdp.example", &without), 0);
    assert_string_equal(link_of(&a, with)->image, LOGO);
    assert_null(link_of(&a, without)->image);

    /* A document, an unknown hash, a prefix: refused, nothing added. */
    struct link *l;
    size_t n;
    assert_int_equal(store_links_list(st, &a, &l, &n), 0);
    size_t before = n;
    assert_int_equal(
        store_link_add_image(st, "X", "https://x.example", PDF, &bad),
        ERR_INVALID);
    assert_non_null(strstr(store_last_error(), "not an image"));
    assert_int_equal(store_link_add_image(st, "X", "https://x.example",
                                          "0123456789abcdef", &bad),
                     ERR_INVALID);
    assert_int_equal(store_links_list(st, &a, &l, &n), 0);
    assert_int_equal(n, before);

    /* Update: set, refuse (keeping the old one), clear, no such link. */
    struct link u = *link_of(&a, without);
    u.image = LOGO;
    int64_t seq = seq_now();
    assert_int_equal(store_link_update(st, &u), 0);
    assert_true(site_changed(seq));
    assert_string_equal(link_of(&a, without)->image, LOGO);
    u.image = PDF;
    assert_int_equal(store_link_update(st, &u), ERR_INVALID);
    assert_string_equal(link_of(&a, without)->image, LOGO);
    u.image = NULL;
    assert_int_equal(store_link_update(st, &u), 0);
    assert_null(link_of(&a, without)->image);
    u.id = 999999;
    assert_int_equal(store_link_update(st, &u), ERR_NOT_FOUND);
    u.id = without;
    u.url = "";
    assert_int_equal(store_link_update(st, &u), ERR_INVALID);
    arena_release(&a);
}

static void test_publication_cover(void **state)
{
    (void)state;
    struct arena a;
    arena_init(&a, 4096);
    struct publication p = {.kind = "Silk Road Paper",
                            .date = "2022-06-01",
                            .title = "Rethinking Greater Central Asia",
                            .image = LOGO};
    int64_t id;
    assert_int_equal(store_publication_add(st, &p, &id), 0);
    p.image = PDF;
    int64_t bad;
    assert_int_equal(store_publication_add(st, &p, &bad), ERR_INVALID);
    struct publication *l;
    size_t n;
    assert_int_equal(store_publications_list(st, &a, &l, &n), 0);
    assert_int_equal(n, 1);
    assert_string_equal(l[0].image, LOGO);

    struct publication u = l[0];
    u.image = PDF;
    assert_int_equal(store_publication_update(st, &u), ERR_INVALID);
    u.image = NULL;
    u.title = "Rethinking Greater Central Asia (2nd ed.)";
    int64_t seq = seq_now();
    assert_int_equal(store_publication_update(st, &u), 0);
    assert_true(site_changed(seq));
    assert_int_equal(store_publications_list(st, &a, &l, &n), 0);
    assert_null(l[0].image);
    assert_string_equal(l[0].title, u.title);
    u.id = id + 1000;
    assert_int_equal(store_publication_update(st, &u), ERR_NOT_FOUND);
    u.id = id;
    u.date = "June 2022";
    assert_int_equal(store_publication_update(st, &u), ERR_INVALID);
    arena_release(&a);
}

static void test_author_photo(void **state)
{
    (void)state;
    struct arena a;
    arena_init(&a, 4096);
    struct author au;
    assert_int_equal(store_author_by_slug(st, &a, STR("svante-cornell"), &au),
                     0);
    int64_t ids[2] = {au.id, 424242};
    const char *photos[2] = {"x", "x"};
    assert_int_equal(store_author_photos(st, &a, ids, 2, photos), 0);
    assert_null(photos[0]);
    assert_null(photos[1]); /* no such author: no photo, no error */

    int64_t seq = seq_now();
    assert_int_equal(store_author_photo_set(st, au.id, LOGO), 0);
    assert_true(site_changed(seq));
    assert_int_equal(store_author_photos(st, &a, ids, 1, photos), 0);
    assert_string_equal(photos[0], LOGO);
    /* The same photo again is no error and no change (the cache keeps). */
    seq = seq_now();
    assert_int_equal(store_author_photo_set(st, au.id, LOGO), 0);
    assert_false(site_changed(seq));
    assert_int_equal(store_author_photo_set(st, au.id, PDF), ERR_INVALID);
    assert_int_equal(store_author_photos(st, &a, ids, 1, photos), 0);
    assert_string_equal(photos[0], LOGO);
    assert_int_equal(store_author_photo_set(st, 424242, LOGO), ERR_NOT_FOUND);
    assert_int_equal(store_author_photo_set(st, au.id, NULL), 0);
    assert_int_equal(store_author_photos(st, &a, ids, 1, photos), 0);
    assert_null(photos[0]);
    assert_int_equal(store_author_photo_set(st, au.id, NULL), 0);
    arena_release(&a);
}

static void test_media_ref(void **state)
{
    (void)state;
    struct arena a;
    arena_init(&a, 4096);
    struct media m;
    char id[24];
    snprintf(id, sizeof(id), "%lld", (long long)logo_id);
    const char *names[] = {id, LOGO, "01234567", "/media/" LOGO ".jpg",
                           LOGO "-480.jpg"};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        memset(&m, 0, sizeof(m));
        assert_int_equal(store_media_ref(st, &a, names[i], &m), 0);
        assert_string_equal(m.hash, LOGO);
        assert_string_equal(m.kind, "image");
    }
    const char *bad[] = {"",     "0",       "99999",    "zzz",
                         "0123", "/media/", "../" LOGO, LOGO "x"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_int_equal(store_media_ref(st, &a, bad[i], &m), ERR_NOT_FOUND);
    assert_int_equal(store_media_ref(st, &a, NULL, &m), ERR_NOT_FOUND);
    arena_release(&a);
}

/* A feature image is a card on every list that shows the article: a
 * change names them all, so the page cache drops those pages. */
static void test_feature_names_its_lists(void **state)
{
    (void)state;
    int64_t seq = seq_now();
    assert_int_equal(store_article_feature_set(st, art_id, LOGO, "Oil"), 0);
    char art[32];
    snprintf(art, sizeof(art), "article:%lld", (long long)art_id);
    const char *names[] = {art,    "section:", "year:2004",
                           "list", "author:",  "tag:"};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        assert_true(changed(seq, names[i]));
    assert_false(changed(seq, "site"));
    seq = seq_now();
    assert_int_equal(store_article_feature_set(st, art_id, NULL, NULL), 0);
    assert_true(changed(seq, "tag:"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_link_logo),
        cmocka_unit_test(test_publication_cover),
        cmocka_unit_test(test_author_photo),
        cmocka_unit_test(test_media_ref),
        cmocka_unit_test(test_feature_names_its_lists),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
