// SPDX-License-Identifier: GPL-2.0
/* dmaheap list: the heaps, one per line. */
#include <stdio.h>

#include "dmaheap.h"
#include "errors.h"
#include "verbs.h"

int cmd_list(const struct args *a)
{
	char **names;
	int n, i;

	(void)a;
	n = dmaheap_list(&names);
	if (n < 0) {
		error_report(0, n, "cannot list the heaps in %s", DMAHEAP_DEV_DIR);
		return EXIT_FAILED;
	}
	for (i = 0; i < n; i++)
		puts(names[i]);
	dmaheap_list_free(names);
	if (!n) {
		fprintf(stderr,
			"dmaheap: no dma-buf heaps: %s is missing or empty (a kernel without CONFIG_DMABUF_HEAPS, or no devtmpfs)\n",
			DMAHEAP_DEV_DIR);
		return EXIT_FAILED;
	}
	return EXIT_DONE;
}
