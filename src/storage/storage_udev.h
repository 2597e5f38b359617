/*
 * storage_udev.h: waiting, for a bounded time, for udev to make its links
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "internal.h"
#include "vircommand.h"

/* udevadm settle --timeout=@seconds */
virCommand *
virStorageUdevBuildSettle(const char *udevadm,
                          unsigned int seconds);

/*
 * Waits at most @seconds (and a few more for udevadm itself to end) for
 * the udev event queue to empty, so that the /dev/disk/by-* links of
 * devices the kernel just added exist.  Best effort: udevadm missing,
 * failing or timing out is logged, never reported (a caller then lists
 * what exists); returns 0 when udev settled, else -1.
 */
int
virStorageUdevSettle(unsigned int seconds);
