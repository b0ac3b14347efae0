/* SPDX-License-Identifier: GPL-2.0 */
/* Sizes on the command line: "16M", "1.5G", "4096" in; "16M", "4097B" out. */
#ifndef DMAHEAP_TOOL_SIZE_H
#define DMAHEAP_TOOL_SIZE_H

#include <stddef.h>
#include <stdint.h>

/* Longest size_format() result, with the NUL: "18446744073709551615B" */
#define SIZE_FORMAT_MAX 24

/*
 * size_parse - parse @s: decimal bytes, optionally with a fraction and a
 * unit K, M or G (also KiB, MiB, GiB; any case; powers of 1024), or B
 *
 * Returns 0 and sets *@len, -EINVAL if @s is not a size (empty, a sign,
 * junk, 0, a fraction that is no whole number of bytes) or -ERANGE if it
 * does not fit in a size_t.
 */
int size_parse(const char *s, size_t *len);

/*
 * size_format - @len as size_parse() reads it back, exactly: in the
 * largest unit that shows it with at most two decimals ("16M", "1.5G",
 * "4K"), else in bytes ("4097B"). Returns @buf.
 */
char *size_format(uint64_t len, char buf[SIZE_FORMAT_MAX]);

#endif
