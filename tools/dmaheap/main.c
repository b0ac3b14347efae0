// SPDX-License-Identifier: GPL-2.0
/*
 * dmaheap: allocate dma-buf heap buffers, charge them to memory cgroups,
 * and say who pays for them. main() only dispatches to the verbs.
 */
#include <stdio.h>

#include "dmaheap.h"
#include "verbs.h"

int main(int argc, char **argv)
{
	static int (* const verbs[])(const struct args *) = {
		[VERB_LIST] = cmd_list,
		[VERB_ALLOC] = cmd_alloc,
		[VERB_XFER] = cmd_xfer,
		[VERB_WHO] = cmd_who,
		[VERB_PROBE] = cmd_probe,
	};
	static struct args args;
	char err[512];

	if (args_parse(argc, argv, &args, err, sizeof(err))) {
		fprintf(stderr, "dmaheap: %s\n", err);
		return EXIT_USAGE;
	}
	if (args.help) {
		fputs(help_text(args.verb), stdout);
		return EXIT_DONE;
	}
	if (args.version) {
		printf("dmaheap %s (libdmaheap %s)\n", DMAHEAP_TOOL_VERSION,
		       dmaheap_version());
		return EXIT_DONE;
	}
	return verbs[args.verb](&args);
}
