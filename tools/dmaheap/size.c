// SPDX-License-Identifier: GPL-2.0
/* Sizes on the command line: "16M", "1.5G", "4096" in; "16M", "4097B" out. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "compiler.h"
#include "size.h"

static const struct {
	const char *suffix;
	unsigned int shift;
} size_units[] = {
	{ "", 0 }, { "B", 0 },
	{ "K", 10 }, { "KiB", 10 },
	{ "M", 20 }, { "MiB", 20 },
	{ "G", 30 }, { "GiB", 30 },
};

/* A fraction finer than 1/10^9 of a GiB is never a whole byte count. */
#define SIZE_MAX_DECIMALS 9

static int size_shift(const char *suffix, unsigned int *shift)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(size_units); i++) {
		if (!strcasecmp(suffix, size_units[i].suffix)) {
			*shift = size_units[i].shift;
			return 0;
		}
	}
	return -EINVAL;
}

int size_parse(const char *s, size_t *len)
{
	uint64_t whole = 0, frac = 0, scale = 1, bytes, part;
	unsigned int shift, decimals = 0;
	const char *p = s;
	int overflow = 0;

	/* strtoull() would take a sign, blanks and hex: digits only. */
	if (*p < '0' || *p > '9')
		return -EINVAL;
	for (; *p >= '0' && *p <= '9'; p++)
		overflow |= __builtin_mul_overflow(whole, 10, &whole) ||
			    __builtin_add_overflow(whole, *p - '0', &whole);
	if (*p == '.') {
		p++;
		if (*p < '0' || *p > '9')
			return -EINVAL;
		for (; *p >= '0' && *p <= '9'; p++) {
			if (++decimals > SIZE_MAX_DECIMALS)
				return -EINVAL;
			frac = frac * 10 + (uint64_t)(*p - '0');
			scale *= 10;
		}
	}
	if (size_shift(p, &shift))
		return -EINVAL;
	if (overflow || __builtin_mul_overflow(whole, (uint64_t)1 << shift, &bytes))
		return -ERANGE;
	/* frac / scale of a unit must be whole bytes: frac < 10^9, no overflow */
	part = frac << shift;
	if (part % scale)
		return -EINVAL;
	if (__builtin_add_overflow(bytes, part / scale, &bytes) ||
	    bytes > SIZE_MAX)
		return -ERANGE;
	if (!bytes)
		return -EINVAL;
	*len = (size_t)bytes;
	return 0;
}

char *size_format(uint64_t len, char buf[SIZE_FORMAT_MAX])
{
	static const char units[] = "GMK";
	unsigned int shift;
	uint64_t unit, hundredths;
	int i;

	for (i = 0; units[i]; i++) {
		shift = 30 - 10 * (unsigned int)i;
		unit = (uint64_t)1 << shift;
		if (len < unit)
			continue;
		/* Exact with two decimals: len * 100 is a multiple of unit. */
		if ((len % unit) * 100 % unit)
			continue;
		hundredths = (len % unit) * 100 / unit;
		if (!hundredths)
			snprintf(buf, SIZE_FORMAT_MAX, "%llu%c",
				 (unsigned long long)(len >> shift), units[i]);
		else if (hundredths % 10)
			snprintf(buf, SIZE_FORMAT_MAX, "%llu.%02llu%c",
				 (unsigned long long)(len >> shift),
				 (unsigned long long)hundredths, units[i]);
		else
			snprintf(buf, SIZE_FORMAT_MAX, "%llu.%llu%c",
				 (unsigned long long)(len >> shift),
				 (unsigned long long)(hundredths / 10), units[i]);
		return buf;
	}
	snprintf(buf, SIZE_FORMAT_MAX, "%lluB", (unsigned long long)len);
	return buf;
}
