// SPDX-License-Identifier: GPL-2.0
/* The command line, parsed into a struct args without side effects. */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "dmaheap.h"
#include "args.h"
#include "compiler.h"
#include "size.h"

#define VERB_BIT(v)	BIT(v)
#define ALL_VERBS	(VERB_BIT(VERB_NONE) | VERB_BIT(VERB_LIST) | \
			 VERB_BIT(VERB_ALLOC) | VERB_BIT(VERB_XFER) | \
			 VERB_BIT(VERB_WHO) | VERB_BIT(VERB_PROBE))

enum opt_id {
	OPT_HELP, OPT_VERSION, OPT_HEAP, OPT_SIZE, OPT_FOR_PID, OPT_FOR_CGROUP,
	OPT_NAME, OPT_SERVICE, OPT_HOLD, OPT_TO_PID, OPT_TO_CGROUP, OPT_JSON,
};

enum opt_arg { ARG_NONE, ARG_REQUIRED, ARG_OPTIONAL };

static const struct opt_def {
	const char *name;	/* after "--" */
	char short_name;	/* after "-"; 0: none */
	enum opt_arg arg;
	enum opt_id id;
	unsigned int verbs;	/* VERB_BIT()s that take it */
} opts[] = {
	{ "help", 'h', ARG_NONE, OPT_HELP, ALL_VERBS },
	{ "version", 0, ARG_NONE, OPT_VERSION, VERB_BIT(VERB_NONE) },
	{ "heap", 'H', ARG_REQUIRED, OPT_HEAP, VERB_BIT(VERB_ALLOC) },
	{ "size", 's', ARG_REQUIRED, OPT_SIZE, VERB_BIT(VERB_ALLOC) },
	{ "for-pid", 'p', ARG_REQUIRED, OPT_FOR_PID, VERB_BIT(VERB_ALLOC) },
	{ "for-cgroup", 'c', ARG_REQUIRED, OPT_FOR_CGROUP, VERB_BIT(VERB_ALLOC) },
	{ "name", 'n', ARG_REQUIRED, OPT_NAME, VERB_BIT(VERB_ALLOC) },
	{ "service", 0, ARG_OPTIONAL, OPT_SERVICE, VERB_BIT(VERB_ALLOC) },
	{ "hold", 0, ARG_REQUIRED, OPT_HOLD, VERB_BIT(VERB_ALLOC) },
	{ "to-pid", 'p', ARG_REQUIRED, OPT_TO_PID, VERB_BIT(VERB_XFER) },
	{ "to-cgroup", 'c', ARG_REQUIRED, OPT_TO_CGROUP, VERB_BIT(VERB_XFER) },
	{ "json", 0, ARG_NONE, OPT_JSON, VERB_BIT(VERB_WHO) },
};

static const char * const verb_names[] = {
	[VERB_NONE] = "",
	[VERB_LIST] = "list",
	[VERB_ALLOC] = "alloc",
	[VERB_XFER] = "xfer",
	[VERB_WHO] = "who",
	[VERB_PROBE] = "probe",
};

const char *args_verb_name(enum verb verb)
{
	return verb_names[verb];
}

/* Where parsing is, and where its message goes */
struct parser {
	struct args *args;
	char *err;
	size_t errlen;
};

__printf(2, 3)
static int usage_error(struct parser *p, const char *fmt, ...)
{
	const char *verb = verb_names[p->args->verb];
	size_t n;
	va_list ap;

	n = (size_t)snprintf(p->err, p->errlen, "%s%s", verb, *verb ? ": " : "");
	if (n < p->errlen) {
		va_start(ap, fmt);
		vsnprintf(p->err + n, p->errlen - n, fmt, ap);
		va_end(ap);
	}
	n = strlen(p->err);
	if (n < p->errlen)
		snprintf(p->err + n, p->errlen - n, " (see dmaheap %s%s--help)",
			 verb, *verb ? " " : "");
	return -EINVAL;
}

/* A decimal number from 0 to @max, digits only: 0 or -EINVAL */
static int parse_ulong(const char *s, unsigned long max, unsigned long *out)
{
	unsigned long v = 0;

	if (!*s)
		return -EINVAL;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -EINVAL;
		if (__builtin_mul_overflow(v, 10, &v) ||
		    __builtin_add_overflow(v, (unsigned long)(*s - '0'), &v) ||
		    v > max)
			return -EINVAL;
	}
	*out = v;
	return 0;
}

int args_pid(const char *s, pid_t *pid)
{
	unsigned long v;

	if (parse_ulong(s, INT_MAX, &v) || !v)
		return -EINVAL;
	*pid = (pid_t)v;
	return 0;
}

int args_buf(const char *s, struct buf_ref *ref)
{
	static const char proc[] = "/proc/", fd_dir[] = "/fd/";
	unsigned long fd;
	char pid_text[16];
	const char *slash;
	size_t n;

	ref->text = s;
	ref->pid = 0;
	if (strncmp(s, proc, sizeof(proc) - 1)) {
		if (parse_ulong(s, INT_MAX, &fd))
			return -EINVAL;
		ref->fd = (int)fd;
		return 0;
	}
	s += sizeof(proc) - 1;
	slash = strchr(s, '/');
	if (!slash || strncmp(slash, fd_dir, sizeof(fd_dir) - 1))
		return -EINVAL;
	n = (size_t)(slash - s);
	if (!n || n >= sizeof(pid_text))
		return -EINVAL;
	memcpy(pid_text, s, n);
	pid_text[n] = '\0';
	if (strcmp(pid_text, "self") && args_pid(pid_text, &ref->pid))
		return -EINVAL;
	if (parse_ulong(slash + sizeof(fd_dir) - 1, INT_MAX, &fd))
		return -EINVAL;
	ref->fd = (int)fd;
	return 0;
}

static const struct opt_def *find_opt(enum verb verb, const char *name,
				      size_t len, char short_name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(opts); i++) {
		if (!(opts[i].verbs & VERB_BIT(verb)))
			continue;
		if (short_name ? opts[i].short_name == short_name :
		    strlen(opts[i].name) == len &&
		    !strncmp(opts[i].name, name, len))
			return &opts[i];
	}
	return NULL;
}

static int once(struct parser *p, int is_set, const char *opt)
{
	return is_set ? usage_error(p, "--%s given twice", opt) : 0;
}

static int pid_opt(struct parser *p, const struct opt_def *o, const char *val,
		   pid_t *pid)
{
	int ret = once(p, !!*pid, o->name);

	if (ret)
		return ret;
	if (args_pid(val, pid))
		return usage_error(p, "bad pid '%s'", val);
	return 0;
}

static int cgroup_opt(struct parser *p, const struct opt_def *o,
		      const char *val, const char **path)
{
	int ret = once(p, !!*path, o->name);

	if (ret)
		return ret;
	if (!*val)
		return usage_error(p, "--%s needs a cgroup v2 directory", o->name);
	*path = val;
	return 0;
}

/* Apply option @o with value @val (NULL if none) */
static int apply_opt(struct parser *p, const struct opt_def *o,
		     const char *val)
{
	struct args *a = p->args;
	unsigned long secs;
	int ret;

	switch (o->id) {
	case OPT_HELP:
		a->help = 1;
		return 0;
	case OPT_VERSION:
		a->version = 1;
		return 0;
	case OPT_HEAP:
		if (!*val)
			return usage_error(p, "--heap needs a heap name (dmaheap list shows them)");
		a->heap = val;
		return 0;
	case OPT_SIZE:
		if (a->nsizes == ARGS_MAX_SIZES)
			return usage_error(p, "at most %d buffers", ARGS_MAX_SIZES);
		ret = size_parse(val, &a->sizes[a->nsizes]);
		if (ret == -ERANGE)
			return usage_error(p, "size '%s' is too large", val);
		if (ret)
			return usage_error(p, "bad size '%s': %s", val,
					   "give bytes, or K, M or G (powers of 1024), not 0");
		a->nsizes++;
		return 0;
	case OPT_FOR_PID:
		return pid_opt(p, o, val, &a->for_pid);
	case OPT_TO_PID:
		return pid_opt(p, o, val, &a->to_pid);
	case OPT_FOR_CGROUP:
		return cgroup_opt(p, o, val, &a->for_cgroup);
	case OPT_TO_CGROUP:
		return cgroup_opt(p, o, val, &a->to_cgroup);
	case OPT_NAME:
		ret = once(p, !!a->name, o->name);
		if (ret)
			return ret;
		if (!*val || strlen(val) > DMAHEAP_NAME_MAX)
			return usage_error(p, "a buffer's name has 1 to %d bytes",
					   DMAHEAP_NAME_MAX);
		a->name = val;
		return 0;
	case OPT_SERVICE:
		ret = once(p, a->service, o->name);
		if (ret)
			return ret;
		if (val && !*val)
			return usage_error(p, "--service= needs a socket");
		a->service = 1;
		a->socket = val;
		return 0;
	case OPT_HOLD:
		ret = once(p, a->hold >= 0, o->name);
		if (ret)
			return ret;
		if (parse_ulong(val, INT_MAX, &secs))
			return usage_error(p, "bad --hold '%s': give whole seconds", val);
		a->hold = (long)secs;
		return 0;
	case OPT_JSON:
		a->json = 1;
		return 0;
	}
	return -EINVAL;
}

/* One option at argv[*i]; *i moves past its value if that is the next */
static int parse_opt(struct parser *p, int argc, char **argv, int *i)
{
	const char *arg = argv[*i], *val = NULL, *eq;
	const struct opt_def *o;
	int is_long = arg[1] == '-';

	if (is_long) {
		eq = strchr(arg + 2, '=');
		o = find_opt(p->args->verb, arg + 2,
			     eq ? (size_t)(eq - arg - 2) : strlen(arg + 2), 0);
		if (eq)
			val = eq + 1;
	} else {
		o = arg[1] ? find_opt(p->args->verb, NULL, 0, arg[1]) : NULL;
		if (o && arg[2])
			val = arg + 2;
	}
	if (!o)
		return usage_error(p, "unknown option '%s'", arg);
	if (o->arg == ARG_NONE && val)
		return usage_error(p, "--%s takes no value", o->name);
	if (o->arg == ARG_REQUIRED && !val) {
		if (*i + 1 >= argc)
			return usage_error(p, "--%s needs a value", o->name);
		val = argv[++*i];
	}
	/* An optional value is the next word unless that is an option. */
	if (o->arg == ARG_OPTIONAL && !val && *i + 1 < argc &&
	    argv[*i + 1][0] != '-')
		val = argv[++*i];
	return apply_opt(p, o, val);
}

static int add_buf(struct parser *p, const char *arg)
{
	struct args *a = p->args;

	if (a->nbufs == ARGS_MAX_BUFS)
		return usage_error(p, "at most %d buffers", ARGS_MAX_BUFS);
	if (args_buf(arg, &a->bufs[a->nbufs]))
		return usage_error(p, "bad buffer '%s': give FD or /proc/PID/fd/FD", arg);
	a->nbufs++;
	return 0;
}

/* The rules between options, once all are known */
static int check_args(struct parser *p)
{
	struct args *a = p->args;

	switch (a->verb) {
	case VERB_NONE:
		if (!a->version)
			return usage_error(p, "no verb: give list, alloc, xfer, who or probe");
		return 0;
	case VERB_ALLOC:
		if (!a->nsizes)
			return usage_error(p, "--size SIZE is missing");
		if (a->for_pid && a->for_cgroup)
			return usage_error(p, "%s: charge a process or a cgroup",
					   "--for-pid and --for-cgroup conflict");
		if (a->service && a->for_cgroup)
			return usage_error(p, "%s: the service charges processes",
					   "--service and --for-cgroup conflict");
		if (a->hold >= 0 && a->cmd)
			return usage_error(p, "%s: hold for SECONDS or while CMD runs",
					   "--hold and -- CMD conflict");
		return 0;
	case VERB_XFER:
		if (a->nbufs != 1)
			return usage_error(p, "give one buffer: FD or /proc/PID/fd/FD");
		if (!a->to_pid == !a->to_cgroup)
			return usage_error(p, "give one of --to-pid PID and --to-cgroup PATH");
		return 0;
	case VERB_WHO:
		if (!a->nbufs)
			return usage_error(p, "give a buffer: FD or /proc/PID/fd/FD");
		return 0;
	case VERB_LIST:
	case VERB_PROBE:
		return 0;
	}
	return -EINVAL;
}

static int parse_verb(struct parser *p, const char *word)
{
	size_t v;

	for (v = VERB_LIST; v < ARRAY_SIZE(verb_names); v++) {
		if (!strcmp(word, verb_names[v])) {
			p->args->verb = (enum verb)v;
			return 0;
		}
	}
	return usage_error(p, "unknown verb '%s': give list, alloc, xfer, who or probe", word);
}

int args_parse(int argc, char **argv, struct args *args, char *err,
	       size_t errlen)
{
	struct parser p = { .args = args, .err = err, .errlen = errlen };
	int i, ret, options = 1;

	memset(args, 0, sizeof(*args));
	args->heap = "system";
	args->hold = -1;
	if (errlen)
		err[0] = '\0';

	for (i = 1; i < argc; i++) {
		const char *arg = argv[i];

		if (options && !strcmp(arg, "--")) {
			options = 0;
			if (args->verb != VERB_ALLOC)
				continue;
			if (i + 1 >= argc)
				return usage_error(&p, "-- needs a command");
			args->cmd = &argv[i + 1];
			break;
		}
		if (options && arg[0] == '-' && arg[1]) {
			ret = parse_opt(&p, argc, argv, &i);
			if (ret)
				return ret;
			/* --help wins over whatever else is wrong */
			if (args->help)
				return 0;
			continue;
		}
		if (args->verb == VERB_NONE && !args->version)
			ret = parse_verb(&p, arg);
		else if (args->verb == VERB_XFER || args->verb == VERB_WHO)
			ret = add_buf(&p, arg);
		else
			ret = usage_error(&p, "unexpected argument '%s'", arg);
		if (ret)
			return ret;
	}
	return check_args(&p);
}
