/*
 * editorial.h - the editors' view of articles: statuses with a publish
 * time, revisions for optimistic concurrency and undo, slug history for
 * redirects, and the scheduler's flip. Built on store_article_save (the
 * one save path the importer uses too).
 */
#ifndef QUIRE_STORE_EDITORIAL_H
#define QUIRE_STORE_EDITORIAL_H

#include "core/err.h"
#include "core/str.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct arena;
struct store;

enum edit_status { EDIT_DRAFT = 0, EDIT_SCHEDULED, EDIT_PUBLISHED };

/* edit_status_name: "draft", "scheduled", "published". */
const char *edit_status_name(enum edit_status st);
/* edit_status_of parses a name; -1 if unknown. */
int edit_status_of(const char *name);

/* An article as the editor sees and saves it. */
struct edit_article {
    int64_t id;
    const char *title;
    const char *body_md;
    const char *summary; /* may be NULL */
    const char *section; /* name, or NULL */
    const char *issue;   /* YYYY-MM-DD, or NULL */
    const char *slug;    /* NULL on save: derived from the title */
    const char *const *authors;
    size_t n_authors;
    const char *const *tags;
    size_t n_tags;
    enum edit_status status;
    int64_t publish_at; /* Unix seconds; 0 on save: now */
    int64_t revision;
    int64_t created_at;
    int64_t updated_at;
    const char *owner; /* who created it (for the author role) */
};

/*
 * store_edit_get loads article id with its editorial state (drafts too).
 * ERR_NOT_FOUND if there is none.
 */
int store_edit_get(struct store *s, struct arena *a, int64_t id,
                   struct edit_article *out) WUR;

/*
 * store_edit_save creates (in->id == 0) or updates article in->id and
 * keeps the result as a new revision by who, in one transaction. An update
 * must name the revision it read (expect); another -> ERR_CONFLICT and
 * nothing changes. ERR_EXISTS: the slug belongs to another article;
 * ERR_INVALID: a bad field (store_last_error says which). The body is
 * rendered here so that a restore renders the same way. *id and *revision
 * receive the result.
 */
int store_edit_save(struct store *s, const struct edit_article *in,
                    int64_t expect, const char *who, int64_t *id,
                    int64_t *revision) WUR;

/* A filter for store_edit_list; NULL/empty/-1 means any. */
struct edit_filter {
    int status;          /* enum edit_status or -1 */
    const char *section; /* section slug or name */
    const char *author;  /* author name or slug */
    const char *issue;   /* YYYY-MM-DD */
    const char *q;       /* text in the title */
    const char *owner;
    int limit, offset;
};

/* store_edit_list: articles (no bodies, no tags), newest change first. */
int store_edit_list(struct store *s, struct arena *a,
                    const struct edit_filter *f, struct edit_article **out,
                    size_t *n, int64_t *total) WUR;

/* store_edit_delete removes an article with its revisions. */
int store_edit_delete(struct store *s, int64_t id) WUR;

struct edit_revision {
    int64_t n;
    const char *who;
    int64_t at;
    struct edit_article fields; /* as saved by that revision */
};

/* store_edit_revisions lists id's revisions, newest first (no bodies). */
int store_edit_revisions(struct store *s, struct arena *a, int64_t id,
                         struct edit_revision **out, size_t *n) WUR;
/* store_edit_revision loads revision n of id, with its body. */
int store_edit_revision(struct store *s, struct arena *a, int64_t id, int64_t n,
                        struct edit_revision *out) WUR;
/*
 * store_edit_restore saves revision n's fields as a new revision (the
 * article must still be at revision expect; -1: whatever it is).
 */
int store_edit_restore(struct store *s, int64_t id, int64_t n, int64_t expect,
                       const char *who, int64_t *revision) WUR;

/*
 * store_schedule_run publishes every scheduled article whose time has
 * come (published_at <= now); *flipped counts them. The change log's
 * triggers then drop the pages that show them.
 */
int store_schedule_run(struct store *s, int64_t now, int *flipped) WUR;

/*
 * store_slug_current: the current slug of the article that once had slug
 * old (ERR_NOT_FOUND if none, or if the article is not public).
 */
int store_slug_current(struct store *s, struct arena *a, struct str old,
                       const char **slug) WUR;

/* --- issues and authors (editorial_issues.c) --- */

/*
 * store_issue_create adds the issue of date (YYYY-MM-DD) with an optional
 * title; ERR_EXISTS if there is one (its title is then set when given).
 */
int store_issue_create(struct store *s, const char *date, const char *title,
                       int64_t *id) WUR;
/*
 * store_issue_publish publishes every unpublished article of the issue at
 * once (one transaction; each article's revision moves on, so an editor
 * holding the old one gets a conflict rather than unpublishing it).
 * ERR_NOT_FOUND: no such issue. *n counts the articles published.
 */
int store_issue_publish(struct store *s, const char *date, int *n) WUR;

struct edit_author {
    int64_t id;
    const char *slug, *name, *bio;
};
/* store_edit_authors lists every author by name. */
int store_edit_authors(struct store *s, struct arena *a,
                       struct edit_author **out, size_t *n) WUR;
/* store_edit_author_set changes an author's name, slug and Markdown bio
 * (NULL keeps a field). ERR_NOT_FOUND, ERR_EXISTS (name or slug taken). */
int store_edit_author_set(struct store *s, int64_t id, const char *name,
                          const char *slug, const char *bio) WUR;

#endif
