// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The library's version, as the object actually loaded knows it. */
#include "dmaheap.h"

#define DMAHEAP_STR(x) #x
#define DMAHEAP_XSTR(x) DMAHEAP_STR(x)

const char *dmaheap_version(void)
{
	return DMAHEAP_XSTR(DMAHEAP_VERSION_MAJOR) "."
	       DMAHEAP_XSTR(DMAHEAP_VERSION_MINOR);
}
