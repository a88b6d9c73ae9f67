/*
 * places.h - which countries and international organizations a text is
 * about.
 *
 * The gazetteer (entities and their names) is generated at build time by
 * scripts/gen-gazetteer from iso-codes, mledoze/countries, the organizations
 * list and src/content/places-curated.tsv, and linked into the binary
 * (build/gen/gazetteer.c), so no data file is read at run time. The tagger
 * makes one pass over the normalized words of title, intro and body; at
 * each word it looks up the longest name starting there (a hash of every
 * name, probed only at words that begin one), then resolves ambiguity
 * (case, acronyms that are words, first names, context) and weighs each
 * mention by where it is and what kind of name it was. No allocation
 * beyond the caller's arena; thread-safe after the first call.
 */
#ifndef QUIRE_PLACES_H
#define QUIRE_PLACES_H

#include <stdbool.h>
#include <stddef.h>

struct arena;

/* Flags of a name, set by scripts/gen-gazetteer (same values there). */
enum {
    PLACE_ACRONYM = 1,   /* matched in capitals only ("US", "NATO") */
    PLACE_CTXACR = 2,    /* an acronym that is a word: needs the full name */
    PLACE_DEMONYM = 4,   /* "Russian": weaker evidence */
    PLACE_CAPITAL = 8,   /* "Moscow said": a metonym, weaker */
    PLACE_PERSON = 16,   /* also a first name ("Chad", "Jordan") */
    PLACE_BLOCK = 32,    /* not the entity ("South China Sea") */
    PLACE_ABBREV = 64,   /* "Andalusia, Ala.": after a comma, before a dot */
    PLACE_CURRENCY = 128 /* "stg", "yen": any case, weak evidence */
};

struct place_entity {
    int is_org;
    const char *code; /* iso2 lower case, or an organization's slug */
    const char *name;
    const char *region; /* countries: "Asia", ... ("" when unknown) */
    const char *subregion;
    const char *members; /* organizations: member iso2 codes, "a,b,c" */
};

struct place_name {
    const char *key; /* normalized words joined by one space */
    int entity;      /* index in places_entities, -1 for a block */
    unsigned flags;
    const char *ctx; /* "ru,am": counts only if one of these is found */
};

extern const struct place_entity places_entities[];
extern const size_t places_n_entities;
extern const struct place_name places_names[];
extern const size_t places_n_names;
extern const char *const places_fold[]; /* U+00C0..U+024F -> ASCII */
extern const char places_version[];     /* changes with the gazetteer */

#define PLACES_HOME_SCORE 1.0
#define PLACES_MAX 24              /* at most this many entities per article */
#define PLACES_TEXT_MAX (4u << 20) /* longer texts are tagged on their head */

struct place_hit {
    int entity; /* index in places_entities */
    double score;
    int mentions;
};

/*
 * places_tag tags an article: title, intro (summary) and body may each be
 * NULL. home (NULL or "": none) is the journal's home country, given to an
 * article that names no country, as a wire service's domestic copy
 * names none (score PLACES_HOME_SCORE, 0 mentions). Up to cap hits above the
 * threshold go to out, best first (ties by code); *n receives their count.
 * Scratch memory comes from a. Never fails on any input bytes (invalid UTF-8 is
 * a separator); returns 0.
 */
int places_tag(struct arena *a, const char *title, const char *intro,
               const char *body, const char *home, struct place_hit *out,
               size_t cap, size_t *n);

/* places_find returns the entity's index, or -1 (code compared exactly). */
int places_find(bool is_org, const char *code);

/*
 * places_norm writes the normalized form of text (as the gazetteer keys
 * are made) into out (cap bytes, NUL-terminated, cut at a word).
 */
void places_norm(const char *text, char *out, size_t cap);

#endif
