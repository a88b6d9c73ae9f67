/*
 * version.h - the version of this build: `git describe` when it was made,
 * written by scripts/embed-theme into $(BUILD)/gen/theme_embedded.c.
 */
#ifndef QUIRE_VERSION_H
#define QUIRE_VERSION_H

extern const char quire_version[];

#endif
