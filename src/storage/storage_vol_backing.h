/*
 * storage_vol_backing.h: which backing stores a file volume may have
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A backing store chosen by a client (<backingStore> of vol-create) or
 * read from an image header (which a guest may have written) could name
 * any host file: qemu-img would open it as root and a clone or download
 * would copy it out.  So a backing store is used only when its path is
 * absolute, holds no symbolic link (realpath gives the path back) and is
 * a volume of an active pool (virStorageVolLookupByPath through the
 * daemon's own storage connection).  The lookup locks every pool in
 * turn: it is only called where the caller's pool is unlocked (buildVol,
 * buildVolFrom, wipeVol).
 *
 * What a build was asked for is remembered, keyed by the volume's key:
 * wipe re-creates an image with the backing store of its definition,
 * never with the name a probe read from the header.
 */

#pragma once

#include "internal.h"
#include "storage_conf.h"
#include "vircommand.h"

/* Refuses (VIR_ERR_INVALID_ARG, naming the path and what to do) the
 * backing store @backing of the volume @vol of pool @def unless it is a
 * volume of an active pool as above.  Returns 0 or -1. */
int
virStorageVolBackingCheck(virStoragePoolDef *def,
                          virStorageVolDef *vol,
                          virStorageSource *backing);

/*
 * The name under which qemu-img opens the image @vol, open as @fd in
 * @format: a json: pseudo-filename that gives every node explicitly, so
 * qemu-img opens nothing an image header names.  With @chain, each
 * backing store the headers name is checked as virStorageVolBackingCheck
 * does (pool unlocked!), opened by us without following links, and
 * passed to @cmd; without, the image is opened with no backing
 * ("backing": null).  The descriptors opened are appended to @fds
 * (virStorageVolBackingFDsNew), which closes them when freed; the caller
 * passes @fd and them to the command (virStorageVolBackingPassFDs).
 * Returns the name, or NULL with an error reported.
 */
char *
virStorageVolBackingImageSpec(virStoragePoolDef *def,
                              virStorageVolDef *vol,
                              int fd,
                              int format,
                              bool chain,
                              GArray *fds);

GArray *
virStorageVolBackingFDsNew(void);

/* Passes every descriptor of @fds to the child of @cmd. */
void
virStorageVolBackingPassFDs(virCommand *cmd,
                            GArray *fds);

/* Records the backing store (path, format) @vol was built with, or
 * forgets any when it has none. */
void
virStorageVolBackingRemember(virStorageVolDef *vol);

/* The backing store @vol was built with by this daemon (a new source the
 * caller unrefs), or NULL. */
virStorageSource *
virStorageVolBackingRecall(virStorageVolDef *vol);

void
virStorageVolBackingForget(const char *key);
