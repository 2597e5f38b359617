/*
 * storage_mkfs.h: making the file system of fs pools
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "internal.h"
#include "vircommand.h"

/* Pure: mkfs of type @fstype on @device.  @overwrite adds the flag each
 * mkfs needs to replace an existing signature (-F, -f).  Reports
 * VIR_ERR_CONFIG_UNSUPPORTED and returns NULL for a type we cannot make. */
virCommand *
virStorageMkfsBuildCommand(const char *fstype,
                           const char *device,
                           bool overwrite);
