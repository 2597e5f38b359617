/*
 * storage_udev.c: waiting, for a bounded time, for udev to make its links
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <config.h>

#include "storage_udev.h"
#include "storage_command.h"
#include "virerror.h"
#include "virfile.h"
#include "virlog.h"

#define VIR_FROM_THIS VIR_FROM_STORAGE

VIR_LOG_INIT("storage.storage_udev");


virCommand *
virStorageUdevBuildSettle(const char *udevadm,
                          unsigned int seconds)
{
    virCommand *cmd = virCommandNewArgList(udevadm, "settle", NULL);

    virCommandAddArgFormat(cmd, "--timeout=%u", seconds);
    return cmd;
}


int
virStorageUdevSettle(unsigned int seconds)
{
    g_autofree char *udevadm = virFindFileInPath("udevadm");
    g_autoptr(virCommand) cmd = NULL;
    g_autofree char *err = NULL;
    int status;

    if (!udevadm) {
        VIR_DEBUG("no udevadm: not waiting for udev");
        return -1;
    }

    cmd = virStorageUdevBuildSettle(udevadm, seconds);
    status = virStorageCommandRunLimited(cmd, seconds + VIR_STORAGE_COMMAND_KILL_GRACE,
                                         _("udev did not settle"), NULL, &err, NULL);
    if (status != 0) {
        if (status < 0) {
            VIR_WARN("udevadm settle: %s", virGetLastErrorMessage());
            virResetLastError();
        } else {
            VIR_WARN("udevadm settle exited with status %d: %s", status, NULLSTR(err));
        }
        return -1;
    }
    return 0;
}
