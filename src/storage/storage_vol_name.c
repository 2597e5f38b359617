/*
 * storage_vol_name.c: checking the names of file volumes
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <config.h>

#include "storage_vol_name.h"
#include "virerror.h"

#define VIR_FROM_THIS VIR_FROM_STORAGE

int
virStorageVolNameValidate(const char *poolname,
                          const char *volname)
{
    if (!volname || !*volname) {
        virReportError(VIR_ERR_INVALID_ARG,
                       _("volume name in pool '%s' must not be empty"),
                       poolname);
        return -1;
    }

    if (strchr(volname, '/')) {
        virReportError(VIR_ERR_INVALID_ARG,
                       _("volume name '%s' in pool '%s' must not contain '/': give a plain file name"),
                       volname, poolname);
        return -1;
    }

    if (STREQ(volname, ".") || STREQ(volname, "..")) {
        virReportError(VIR_ERR_INVALID_ARG,
                       _("volume name '%s' in pool '%s' is reserved: choose another name"),
                       volname, poolname);
        return -1;
    }

    return 0;
}
