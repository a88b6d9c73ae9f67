/*
 * name.h - personal names split into given and family parts.
 *
 * Citation formats want "family, given" (BibTeX, RIS) or the two apart
 * (CSL-JSON), while a journal stores a byline name as written: "S.
 * Frederick Starr". Splitting is a heuristic and only that: the family
 * name is the last word, plus any lowercase particles before it ("van der
 * Berg", "de la Fontaine", "bin Laden"); a trailing generational suffix
 * ("Jr.", "III") is kept apart; "Family, Given" is taken as written; a
 * single word is a family name. A name made only of particles and a last
 * word ("van der Berg") is all family; otherwise one word at least stays
 * given, so an all-lowercase name ("bell hooks") still splits.
 */
#ifndef QUIRE_NAME_H
#define QUIRE_NAME_H

#include "core/str.h"

struct name_parts {
    struct str given;  /* may be empty */
    struct str family; /* empty only when the name is blank */
    struct str suffix; /* "Jr.", "III"; may be empty */
};

/*
 * name_split splits name into slices of the same bytes (nothing is
 * copied or allocated), each trimmed of ASCII whitespace. Any bytes are
 * accepted; words are separated by ASCII whitespace only.
 */
void name_split(struct str name, struct name_parts *out);

#endif
