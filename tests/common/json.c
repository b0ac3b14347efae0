// SPDX-License-Identifier: GPL-2.0
/* A small recursive-descent JSON reader; see json.h. */
#define _GNU_SOURCE
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

struct parser {
	const char *p;
	char *err;
	size_t errlen;
	int depth;
};

static bool fail(struct parser *ps, const char *what)
{
	if (!ps->err[0])
		snprintf(ps->err, ps->errlen, "%s at \"%.20s\"", what, ps->p);
	return false;
}

static void skip_ws(struct parser *ps)
{
	while (isspace((unsigned char)*ps->p))
		ps->p++;
}

static bool parse_value(struct parser *ps, struct json *j);

static bool parse_string(struct parser *ps, char **out)
{
	size_t len = 0, cap = 16;
	char *s = malloc(cap), c;

	if (!s || *ps->p != '"')
		return free(s), fail(ps, "expected a string");
	ps->p++;
	while ((c = *ps->p++) != '"') {
		if (!c || (unsigned char)c < 0x20)
			return free(s), fail(ps, "unterminated string");
		if (c == '\\') {
			c = *ps->p++;
			switch (c) {
			case 'n':
				c = '\n';
				break;
			case 't':
				c = '\t';
				break;
			case 'r':
				c = '\r';
				break;
			case 'b':
				c = '\b';
				break;
			case 'f':
				c = '\f';
				break;
			case 'u': {
				unsigned int u;

				if (sscanf(ps->p, "%4x", &u) != 1 || u > 0x7f)
					return free(s), fail(ps, "bad \\u escape");
				ps->p += 4;
				c = (char)u;
				break;
			}
			case '"':
			case '\\':
			case '/':
				break;
			default:
				return free(s), fail(ps, "bad escape");
			}
		}
		if (len + 2 > cap) {
			char *n = realloc(s, cap *= 2);

			if (!n)
				return free(s), fail(ps, "out of memory");
			s = n;
		}
		s[len++] = c;
	}
	s[len] = 0;
	*out = s;
	return true;
}

static bool add_item(struct json *j, char *key, struct json *item)
{
	struct json *items = realloc(j->items, (j->n + 1) * sizeof(*items));
	char **keys = j->keys;

	if (!items)
		return false;
	j->items = items;
	if (j->type == JSON_OBJECT) {
		keys = realloc(j->keys, (j->n + 1) * sizeof(*keys));
		if (!keys)
			return false;
		j->keys = keys;
		keys[j->n] = key;
	}
	items[j->n++] = *item;
	return true;
}

static bool parse_container(struct parser *ps, struct json *j, char close)
{
	struct json item;
	char *key = NULL;

	if (++ps->depth > 32)
		return fail(ps, "nested too deep");
	ps->p++;
	skip_ws(ps);
	if (*ps->p == close) {
		ps->p++;
		ps->depth--;
		return true;
	}
	for (;;) {
		skip_ws(ps);
		if (j->type == JSON_OBJECT) {
			if (!parse_string(ps, &key))
				return false;
			skip_ws(ps);
			if (*ps->p++ != ':')
				return free(key), fail(ps, "expected ':'");
		}
		memset(&item, 0, sizeof(item));
		if (!parse_value(ps, &item) || !add_item(j, key, &item)) {
			free(key);
			json_free(&item);
			return fail(ps, "bad member");
		}
		key = NULL;
		skip_ws(ps);
		if (*ps->p == ',') {
			ps->p++;
			continue;
		}
		if (*ps->p++ != close)
			return fail(ps, "expected ',' or the end");
		ps->depth--;
		return true;
	}
}

static bool parse_value(struct parser *ps, struct json *j)
{
	char *end;

	skip_ws(ps);
	memset(j, 0, sizeof(*j));
	switch (*ps->p) {
	case '{':
		j->type = JSON_OBJECT;
		return parse_container(ps, j, '}');
	case '[':
		j->type = JSON_ARRAY;
		return parse_container(ps, j, ']');
	case '"':
		j->type = JSON_STRING;
		return parse_string(ps, &j->str);
	}
	if (!strncmp(ps->p, "null", 4)) {
		ps->p += 4;
		j->type = JSON_NULL;
		return true;
	}
	if (!strncmp(ps->p, "true", 4) || !strncmp(ps->p, "false", 5)) {
		j->type = JSON_BOOL;
		j->num = *ps->p == 't';
		ps->p += j->num ? 4 : 5;
		return true;
	}
	j->type = JSON_INT;
	j->num = strtoll(ps->p, &end, 10);
	if (end == ps->p || *end == '.' || *end == 'e' || *end == 'E')
		return fail(ps, "expected a value (integers only)");
	ps->p = end;
	return true;
}

struct json *json_parse(const char *text, char *err, size_t errlen)
{
	struct parser ps = { .p = text, .err = err, .errlen = errlen };
	struct json *j = calloc(1, sizeof(*j));

	err[0] = 0;
	if (!j) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (parse_value(&ps, j)) {
		skip_ws(&ps);
		if (!*ps.p)
			return j;
		fail(&ps, "trailing text");
	}
	json_free(j);
	free(j);
	return NULL;
}

void json_free(struct json *j)
{
	int i;

	if (!j)
		return;
	for (i = 0; i < j->n; i++) {
		json_free(&j->items[i]);
		if (j->keys)
			free(j->keys[i]);
	}
	free(j->items);
	free(j->keys);
	free(j->str);
	memset(j, 0, sizeof(*j));
}

const struct json *json_get(const struct json *j, const char *key)
{
	int i;

	if (!j || j->type != JSON_OBJECT)
		return NULL;
	for (i = 0; i < j->n; i++)
		if (!strcmp(j->keys[i], key))
			return &j->items[i];
	return NULL;
}

const char *json_str(const struct json *j)
{
	return j && j->type == JSON_STRING ? j->str : NULL;
}

bool json_is_int(const struct json *j, long long v)
{
	return j && j->type == JSON_INT && j->num == v;
}
