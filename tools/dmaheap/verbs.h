/* SPDX-License-Identifier: GPL-2.0 */
/* The verbs of dmaheap: each returns the command's exit status. */
#ifndef DMAHEAP_TOOL_VERBS_H
#define DMAHEAP_TOOL_VERBS_H

#include "args.h"

#define DMAHEAP_TOOL_VERSION "1.0"

/* Exit status: done; something failed (or probe: not supported); usage */
#define EXIT_DONE	0
#define EXIT_FAILED	1
#define EXIT_USAGE	2

int cmd_list(const struct args *args);
int cmd_alloc(const struct args *args);
int cmd_xfer(const struct args *args);
int cmd_who(const struct args *args);
int cmd_probe(const struct args *args);

/* help.c: the --help text of @verb (VERB_NONE: the command's) */
const char *help_text(enum verb verb);

/* hold.c: run @cmd and return its exit status as a shell would */
int hold_run(char **cmd);
/* hold.c: sleep @seconds, through signals that do not kill */
void hold_sleep(long seconds);

#endif
