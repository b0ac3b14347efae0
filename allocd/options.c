// SPDX-License-Identifier: GPL-2.0
/* dmabuf-allocd's command line, apart from main() so that it can be tested. */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dmaheap.h"
#include "options.h"

static void print_usage(FILE *f)
{
	fprintf(f,
		"usage: dmabuf-allocd [OPTION]...\n"
		"Allocate dma-buf heap buffers for the clients of a UNIX socket, each\n"
		"charged to the memory cgroup of the client that asked (SO_PEERPIDFD).\n"
		"  -s, --socket PATH        listen on PATH (default %s);\n"
		"                           a socket passed by systemd comes first\n"
		"      --max-size SIZE      largest buffer, bytes or with K, M, G\n"
		"                           (default %lluM)\n"
		"      --max-clients N      connections at once (default %d)\n"
		"      --max-clients-per-uid N  of them, of one uid (default a quarter\n"
		"                           of --max-clients, at least 1)\n"
		"      --max-outstanding N  replies a client has not taken yet, queued\n"
		"                           before the daemon stops reading it (1 to %d,\n"
		"                           default %d)\n"
		"      --allow-forward-uid UID      peers of this uid may ask on behalf\n"
		"                           of another process (repeatable)\n"
		"      --allow-forward-cgroup PATH  so may peers in this cgroup or below\n"
		"                           (as in /proc/PID/cgroup; repeatable)\n"
		"      --forward-to-cgroup PATH  forwarded requests may charge this\n"
		"                           cgroup or below (repeatable); without it,\n"
		"                           only processes of the forwarder's uid\n"
		"                           (any, for uid 0)\n"
		"  -u, --user UID[:GID]     after opening the socket and the heaps, run as\n"
		"                           UID and GID (default: UID), no other groups\n"
		"      --keep-cap-sys-resource  keep CAP_SYS_RESOURCE (permitted,\n"
		"                           effective, ambient) and no other capability;\n"
		"                           started as root, with --user only\n"
		"  -q, --quiet              log errors only\n"
		"  -h, --help               this text\n"
		"Exit status: 0 after SIGTERM or SIGINT, 1 if it cannot start, 2 on bad\n"
		"usage. See dmabuf-allocd(8).\n",
		DMAHEAP_ALLOCD_SOCKET, OPTIONS_MAX_SIZE_DEFAULT >> 20,
		OPTIONS_MAX_CLIENTS_DEFAULT, OPTIONS_MAX_OUTSTANDING_LIMIT,
		OPTIONS_MAX_OUTSTANDING_DEFAULT);
}

int options_parse_size(const char *text, uint64_t *bytes)
{
	unsigned long long n;
	unsigned int shift = 0;
	char *end;

	if (text[0] < '0' || text[0] > '9')
		return -EINVAL;
	errno = 0;
	n = strtoull(text, &end, 10);
	if (errno)
		return -EINVAL;
	switch (*end) {
	case 'K': case 'k':
		shift = 10;
		break;
	case 'M': case 'm':
		shift = 20;
		break;
	case 'G': case 'g':
		shift = 30;
		break;
	case '\0':
		break;
	default:
		return -EINVAL;
	}
	if (shift && end[1])
		return -EINVAL;
	if (n == 0 || n > (UINT64_MAX >> shift))
		return -EINVAL;
	*bytes = (uint64_t)n << shift;
	return 0;
}

/* A decimal id, not (id_t)-1, in @id: 0 or -EINVAL. */
static int parse_id(const char *text, const char *stop, unsigned int *id)
{
	unsigned long n;
	char *end;

	if (text[0] < '0' || text[0] > '9')
		return -EINVAL;
	errno = 0;
	n = strtoul(text, &end, 10);
	if (errno || end != stop || n >= UINT_MAX)
		return -EINVAL;
	*id = n;
	return 0;
}

int options_parse_user(const char *text, uid_t *uid, gid_t *gid)
{
	const char *colon = strchr(text, ':');
	unsigned int u, g;

	if (parse_id(text, colon ? colon : text + strlen(text), &u))
		return -EINVAL;
	g = u;
	if (colon && parse_id(colon + 1, colon + 1 + strlen(colon + 1), &g))
		return -EINVAL;
	*uid = u;
	*gid = g;
	return 0;
}

/* A count from @min to @max in @n: 0 or -EINVAL. */
static int parse_count(const char *text, unsigned int min, unsigned int max,
		       unsigned int *n)
{
	unsigned int v;

	if (parse_id(text, text + strlen(text), &v) || v < min || v > max)
		return -EINVAL;
	*n = v;
	return 0;
}

enum {
	OPT_MAX_SIZE = 256,
	OPT_MAX_CLIENTS,
	OPT_MAX_CLIENTS_PER_UID,
	OPT_MAX_OUTSTANDING,
	OPT_ALLOW_UID,
	OPT_ALLOW_CGROUP,
	OPT_FORWARD_TO,
	OPT_KEEP_CAP,
};

/* Apply option @opt with argument @arg: 0 or -EINVAL, said on @err. */
static int apply(struct allocd_config *cfg, int opt, const char *arg,
		 FILE *err)
{
	const char *what;
	int ret = 0;

	switch (opt) {
	case 's':
		if (!arg[0]) {
			fprintf(err, "dmabuf-allocd: --socket: empty path\n");
			return -EINVAL;
		}
		cfg->socket_path = arg;
		return 0;
	case OPT_MAX_SIZE:
		what = "--max-size: not a size";
		ret = options_parse_size(arg, &cfg->max_size);
		break;
	case OPT_MAX_CLIENTS:
		what = "--max-clients: not a number from 1 to 65536";
		ret = parse_count(arg, 1, 65536, &cfg->max_clients);
		break;
	case OPT_MAX_CLIENTS_PER_UID:
		what = "--max-clients-per-uid: not a number from 1 to 65536";
		ret = parse_count(arg, 1, 65536, &cfg->max_clients_per_uid);
		break;
	case OPT_MAX_OUTSTANDING:
		what = "--max-outstanding: not a number from 1 to 1024";
		ret = parse_count(arg, 1, OPTIONS_MAX_OUTSTANDING_LIMIT,
				  &cfg->max_outstanding);
		break;
	case OPT_ALLOW_UID:
		what = "--allow-forward-uid: not a uid";
		ret = policy_add_uid(&cfg->policy, arg);
		break;
	case OPT_ALLOW_CGROUP:
		what = "--allow-forward-cgroup: not a cgroup path (/a/b)";
		ret = policy_add_cgroup(&cfg->policy, arg);
		break;
	case OPT_FORWARD_TO:
		what = "--forward-to-cgroup: not a cgroup path (/a/b)";
		ret = policy_add_target(&cfg->policy, arg);
		break;
	case 'u':
		what = "--user: not UID or UID:GID";
		ret = options_parse_user(arg, &cfg->uid, &cfg->gid);
		cfg->set_user = true;
		break;
	default:
		return -EINVAL;
	}
	if (ret == -E2BIG)
		what = "too many --allow-forward-*, --forward-to-cgroup (32 each at most)";
	if (ret) {
		fprintf(err, "dmabuf-allocd: %s: %s\n", what, arg);
		return -EINVAL;
	}
	return 0;
}

int options_parse(struct allocd_config *cfg, int argc, char **argv,
		  FILE *out, FILE *err)
{
	static const struct option longopts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "max-size", required_argument, NULL, OPT_MAX_SIZE },
		{ "max-clients", required_argument, NULL, OPT_MAX_CLIENTS },
		{ "max-clients-per-uid", required_argument, NULL,
		  OPT_MAX_CLIENTS_PER_UID },
		{ "max-outstanding", required_argument, NULL,
		  OPT_MAX_OUTSTANDING },
		{ "allow-forward-uid", required_argument, NULL, OPT_ALLOW_UID },
		{ "allow-forward-cgroup", required_argument, NULL,
		  OPT_ALLOW_CGROUP },
		{ "forward-to-cgroup", required_argument, NULL, OPT_FORWARD_TO },
		{ "user", required_argument, NULL, 'u' },
		{ "keep-cap-sys-resource", no_argument, NULL, OPT_KEEP_CAP },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int opt;

	memset(cfg, 0, sizeof(*cfg));
	cfg->socket_path = DMAHEAP_ALLOCD_SOCKET;
	cfg->max_size = OPTIONS_MAX_SIZE_DEFAULT;
	cfg->max_clients = OPTIONS_MAX_CLIENTS_DEFAULT;
	cfg->max_outstanding = OPTIONS_MAX_OUTSTANDING_DEFAULT;

	/* 0, not 1: getopt starts over (the unit test parses many times). */
	optind = 0;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":s:u:qh", longopts, NULL)) != -1) {
		switch (opt) {
		case 'h':
			print_usage(out);
			return OPTIONS_HELP;
		case 'q':
			cfg->quiet = true;
			break;
		case OPT_KEEP_CAP:
			cfg->keep_cap = true;
			break;
		case ':':
			fprintf(err, "dmabuf-allocd: %s needs an argument\n",
				argv[optind - 1]);
			return -EINVAL;
		case '?':
			fprintf(err, "dmabuf-allocd: unknown option %s\n",
				argv[optind - 1]);
			fprintf(err, "Try 'dmabuf-allocd --help'.\n");
			return -EINVAL;
		default:
			if (apply(cfg, opt, optarg, err))
				return -EINVAL;
		}
	}
	if (optind < argc) {
		fprintf(err, "dmabuf-allocd: unexpected argument %s\n",
			argv[optind]);
		return -EINVAL;
	}
	/* Root would keep its uid, and with it every root-owned file. */
	if (cfg->keep_cap && !cfg->set_user && !geteuid()) {
		fprintf(err, "dmabuf-allocd: --keep-cap-sys-resource as root needs --user\n");
		return -EINVAL;
	}
	/* One uid may take a quarter of the slots, so that others get some. */
	if (!cfg->max_clients_per_uid)
		cfg->max_clients_per_uid = cfg->max_clients / 4 ?
					   cfg->max_clients / 4 : 1;
	return 0;
}
