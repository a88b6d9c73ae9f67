/*
 * utf8.h - strict UTF-8 validation and decoding.
 *
 * "Strict" is RFC 3629: no overlong forms, no UTF-16 surrogates
 * (U+D800..U+DFFF), nothing above U+10FFFF, no truncated sequences. NUL
 * bytes are valid UTF-8 and are accepted; callers that build C strings
 * check for them separately. No allocation, no errors beyond the result.
 */
#ifndef QUIRE_UTF8_H
#define QUIRE_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * utf8_valid reports whether the n bytes at s are valid UTF-8. When they
 * are not and bad_offset is not NULL, it receives the offset of the first
 * byte of the first invalid sequence.
 */
bool utf8_valid(const char *s, size_t n, size_t *bad_offset);

/*
 * utf8_decode decodes the code point at the start of the n bytes at s into
 * *cp and returns its length in bytes (1..4), or 0 when the bytes there are
 * not a valid sequence (or n is 0).
 */
size_t utf8_decode(const char *s, size_t n, uint32_t *cp);

/*
 * utf8_find_control returns the offset of the first C0 control character
 * other than tab, newline and carriage return in the n bytes at s, or n if
 * there is none. Such bytes are not text: XML 1.0 forbids them outright
 * and HTML calls them parse errors, so Quire refuses them on the way in.
 */
size_t utf8_find_control(const char *s, size_t n);

#endif
