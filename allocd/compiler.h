/* SPDX-License-Identifier: GPL-2.0 */
/* The kernel's little helpers that checkpatch asks for, in userspace. */
#ifndef ALLOCD_COMPILER_H
#define ALLOCD_COMPILER_H

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* As the kernel spells the attribute */
#define attribute(x)	__attribute__(x)
#define __printf(fmt, args)	attribute((format(printf, fmt, args)))

#endif
