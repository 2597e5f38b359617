/*
 * parthelper_json.h: the libparted helper's output, a partition table
 * as JSON
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * This file is part of libvirt_storage_parthelper, which links libparted
 * (GPL-3.0-or-later): the executable as a whole is GPL-3.0-or-later.
 */

#pragma once

#include <glib.h>
#include <parted/parted.h>

/* Appends @text to @out as a JSON string (quoted, escaped), or null. */
void phJsonAppendString(GString *out,
                        const char *text);

/* The table of @dev as the JSON of the protocol in storage_partition.h;
 * @disk is NULL when the device has no label, @added is the number of
 * the partition an add created (0: none). */
char *phJsonFormatTable(const PedDevice *dev,
                        const PedDisk *disk,
                        int added);

/* {"busy": {"number": N, "path": "/dev/sdb1"}}: what a run stopped by
 * phReportBusy() prints. */
char *phJsonFormatBusy(int number,
                       const char *path);
