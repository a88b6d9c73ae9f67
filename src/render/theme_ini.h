/*
 * theme_ini.h - a theme's theme.ini: its formats for dates, numbers and
 * the read count (see format.h for what they mean).
 *
 *   [format]
 *   date_long = %A, %-d %B %Y
 *   date_short = %-m/%-d/%Y
 *   month_year = %B %Y
 *   number_grouping =              ; thousands separator; empty: none
 *   hits_zero = Not read yet       ; optional; else hits_other
 *   hits_one = Read once           ; optional; else hits_other
 *   hits_other = Read {n} times
 *   [names]
 *   months = January, February, ...   (12)
 *   months_short = Jan, Feb, ...      (12)
 *   days = Sunday, Monday, ...        (7, from Sunday)
 *   days_short = Sun, Mon, ...        (7)
 *
 * A value in double quotes keeps its spaces (number_grouping = " ").
 */
#ifndef QUIRE_THEME_INI_H
#define QUIRE_THEME_INI_H

#include "core/err.h"

#include <stddef.h>

struct theme_format;

/*
 * theme_ini_load reads path over the built-in defaults into a new
 * theme_format (format_free it). A missing file gives the defaults.
 * Errors are "FILE:LINE: reason" in err: ERR_PARSE (syntax, unknown key)
 * or ERR_INVALID (a bad value); ERR_IO if the file cannot be read.
 */
int theme_ini_load(const char *path, struct theme_format **out, char *err,
                   size_t errlen) WUR;

#endif
