/*
 * storage_command.h: running the tools a backend drives
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "internal.h"
#include "vircommand.h"

/*
 * Runs @cmd and returns its exit status; sets @errbuf (if not NULL) to
 * what it wrote on stderr, stripped.  -1 with an error reported only
 * when the command could not be run at all.
 */
int
virStorageCommandRunStatus(virCommand *cmd,
                           char **errbuf);

/*
 * Runs @cmd; when it exits non-zero, reports VIR_ERR_OPERATION_FAILED as
 * "<@fmt ...>: <its stderr>" and returns -1.
 */
int
virStorageCommandRun(virCommand *cmd,
                     const char *fmt,
                     ...) G_GNUC_PRINTF(2, 3);
