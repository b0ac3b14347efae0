/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small JSON reader for the tests: the whole document into a tree, to
 * check a tool's output field by field. Numbers are integers (what our
 * tools print); no \u escapes beyond ASCII.
 */
#ifndef DMABUF_TEST_JSON_H
#define DMABUF_TEST_JSON_H

#include <stdbool.h>
#include <stddef.h>

enum json_type { JSON_NULL, JSON_BOOL, JSON_INT, JSON_STRING, JSON_ARRAY, JSON_OBJECT };

struct json {
	enum json_type type;
	long long num;		/* JSON_INT, and JSON_BOOL as 0 or 1 */
	char *str;		/* JSON_STRING */
	struct json *items;	/* JSON_ARRAY, JSON_OBJECT */
	char **keys;		/* JSON_OBJECT */
	int n;
};

/* Parse @text; NULL with a message in @err if it is not one JSON value. */
struct json *json_parse(const char *text, char *err, size_t errlen);
void json_free(struct json *j);

/* Member @key of object @j, or NULL (also if @j is NULL or not an object). */
const struct json *json_get(const struct json *j, const char *key);

/* The string, or NULL if @j is not a string. */
const char *json_str(const struct json *j);

/* Is @j the integer @v? */
bool json_is_int(const struct json *j, long long v);

#endif
