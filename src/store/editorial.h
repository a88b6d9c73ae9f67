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
    int64_t articles;  /* articles in whose byline the author is */
    const char *photo; /* a media hash, or NULL */
};
/* store_edit_authors lists every author by name. */
int store_edit_authors(struct store *s, struct arena *a,
                       struct edit_author **out, size_t *n) WUR;
/* store_edit_author_set changes an author's name, slug and Markdown bio
 * (NULL keeps a field). ERR_NOT_FOUND, ERR_EXISTS (name or slug taken). */
int store_edit_author_set(struct store *s, int64_t id, const char *name,
                          const char *slug, const char *bio) WUR;

/* --- issue assembly, authors, sections (editorial_assembly.c) --- */

/* An issue as the back office lists it: drafts count too. */
struct edit_issue {
    int64_t id;
    const char *date, *title; /* title may be NULL */
    int64_t articles;         /* all its articles */
    int64_t published;        /* its public ones */
};
/* store_edit_issues lists every issue, newest first, with its counts. */
int store_edit_issues(struct store *s, struct arena *a, struct edit_issue **out,
                      size_t *n) WUR;
/* store_edit_issue loads one issue by date (when date is not NULL) or id;
 * ERR_NOT_FOUND if there is none. */
int store_edit_issue(struct store *s, struct arena *a, int64_t id,
                     const char *date, struct edit_issue *out) WUR;

/* One article of an issue being assembled. */
struct edit_issue_article {
    int64_t id;
    const char *title, *slug, *section; /* section may be NULL */
    enum edit_status status;
    int64_t position; /* its place set by hand (1...), 0: not placed */
    int64_t publish_at;
};
/*
 * store_edit_issue_articles lists the issue's articles, drafts too, in
 * the public table of contents' order: sections in the journal's order
 * (articles without one last), then the hand-made order, then the order
 * of publication.
 */
int store_edit_issue_articles(struct store *s, struct arena *a,
                              int64_t issue_id, struct edit_issue_article **out,
                              size_t *n) WUR;
/* store_edit_issue_title sets (or with NULL/"" clears) an issue's title. */
int store_edit_issue_title(struct store *s, int64_t id, const char *title) WUR;
/*
 * store_edit_issue_order places the issue's articles ids[0..n) at
 * positions 1..n (within their sections, the table of contents follows
 * this order); the issue's other articles become unplaced (after the
 * placed ones). ERR_INVALID (nothing changes) if an id is not one of
 * the issue's articles.
 */
int store_edit_issue_order(struct store *s, int64_t issue_id,
                           const int64_t *ids, size_t n) WUR;
/* store_edit_issue_delete deletes an issue with no articles:
 * ERR_CONFLICT if it has some (drafts too), ERR_NOT_FOUND. */
int store_edit_issue_delete(struct store *s, int64_t id) WUR;

/* store_edit_author loads one author with its count of articles. */
int store_edit_author(struct store *s, struct arena *a, int64_t id,
                      struct edit_author *out) WUR;
/* store_edit_author_delete deletes an author in no byline: ERR_CONFLICT
 * if the author still has articles, ERR_NOT_FOUND. */
int store_edit_author_delete(struct store *s, int64_t id) WUR;

/* A section as the back office edits it. */
struct edit_section {
    int64_t id;
    const char *slug, *name;
    const char *description; /* may be NULL */
    int64_t position;        /* the journal's order (1...); 0: keep/last */
    int64_t articles;        /* its articles, drafts too */
};
/* store_edit_sections lists the sections in the journal's order. */
int store_edit_sections(struct store *s, struct arena *a,
                        struct edit_section **out, size_t *n) WUR;
int store_edit_section(struct store *s, struct arena *a, int64_t id,
                       struct edit_section *out) WUR;
/*
 * store_edit_section_add creates section in->name (slug: in->slug, or
 * made from the name; position: in->position, or 0 for last).
 * ERR_EXISTS: the name or slug is taken; ERR_INVALID: no name.
 */
int store_edit_section_add(struct store *s, const struct edit_section *in,
                           int64_t *id) WUR;
/*
 * store_edit_section_set changes a section's name, slug, description and
 * position; NULL (0 for the position) keeps a field, "" clears the
 * description. ERR_NOT_FOUND, ERR_EXISTS.
 */
int store_edit_section_set(struct store *s, int64_t id,
                           const struct edit_section *in) WUR;
/* store_edit_section_delete deletes a section with no articles:
 * ERR_CONFLICT if it has some, ERR_NOT_FOUND. */
int store_edit_section_delete(struct store *s, int64_t id) WUR;

#endif
