/*
 * email.h - checking an e-mail address a reader typed.
 */
#ifndef QUIRE_EMAIL_H
#define QUIRE_EMAIL_H

#include <stdbool.h>

/*
 * email_valid accepts what a mail server will take from a sign-up form:
 * local@domain, at most 254 bytes, a local part of 1..64 printable ASCII
 * characters without spaces, quotes, brackets or commas, and a domain of
 * dot-separated labels (letters, digits, hyphens, not at a label's ends)
 * with at least two labels. Quoted local parts and IP literals are refused.
 */
bool email_valid(const char *s);

#endif
