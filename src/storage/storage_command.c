/*
 * storage_command.c: running the tools a backend drives
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * mount, mkfs, qemu-img, lvm2 and our partition helper all say what went
 * wrong on stderr: a failure report ends with that text, so the user sees
 * the tool's own reason next to what we were doing.
 */

#include <config.h>

#include "storage_command.h"
#include "virerror.h"

#define VIR_FROM_THIS VIR_FROM_STORAGE


int
virStorageCommandRunStatus(virCommand *cmd,
                           char **errbuf)
{
    g_autofree char *err = NULL;
    int status = 0;

    virCommandSetErrorBuffer(cmd, &err);
    if (virCommandRun(cmd, &status) < 0)
        return -1;

    if (errbuf)
        *errbuf = err ? g_strstrip(g_steal_pointer(&err)) : g_strdup("");
    return status;
}


int
virStorageCommandRun(virCommand *cmd,
                     const char *fmt,
                     ...)
{
    g_autofree char *errbuf = NULL;
    g_autofree char *what = NULL;
    va_list args;
    int status;

    if ((status = virStorageCommandRunStatus(cmd, &errbuf)) <= 0)
        return status;

    va_start(args, fmt);
    what = g_strdup_vprintf(fmt, args);
    va_end(args);

    if (*errbuf)
        virReportError(VIR_ERR_OPERATION_FAILED, "%s: %s", what, errbuf);
    else
        virReportError(VIR_ERR_OPERATION_FAILED,
                       _("%s: the command exited with status %d"),
                       what, status);
    return -1;
}
