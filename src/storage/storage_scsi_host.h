/*
 * storage_scsi_host.h: SCSI hosts and their LUNs, as sysfs shows them
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Every function takes the root of sysfs, @sysfs: "/sys" in the daemon,
 * a fixture tree in the unit tests (tests/storagescsihosttest.c).  What
 * is read here is the kernel's: links under sysfs are followed.
 *
 *   SYSFS/class/scsi_host/hostN            a SCSI host (its link names the
 *                                          device path: PCI address, and
 *                                          vport-P:C-K/ for a vHBA of hostP)
 *   SYSFS/class/scsi_host/hostN/scan       "- - -" scans every channel,
 *                                          target and LUN
 *   SYSFS/class/scsi_host/hostN/unique_id
 *   SYSFS/bus/scsi/devices/H:B:T:L/type    the LUN's peripheral type
 *   SYSFS/bus/scsi/devices/H:B:T:L/block/  its block device, if any
 *   SYSFS/class/fc_host/hostN/{node_name,port_name,fabric_name,port_state,
 *       max_npiv_vports,npiv_vports_inuse,vport_create,vport_delete}
 *
 * Every function is Quiet: it reports nothing and returns 0 (or what it
 * says) or -errno; -ENOENT when the host, LUN or file is not there.
 */

#pragma once

#include "internal.h"
#include "virpci.h"

/* SCSI peripheral device types a pool lists (SPC: 0 disk, 5 CD/DVD). */
#define VIR_STORAGE_SCSI_TYPE_DISK 0
#define VIR_STORAGE_SCSI_TYPE_ROM 5

typedef struct _virStorageSCSILun virStorageSCSILun;
struct _virStorageSCSILun {
    unsigned int host;
    unsigned int bus;
    unsigned int target;
    unsigned int lun;
    int type;           /* peripheral device type, -1 when sysfs has none */
    char *block;        /* kernel name of its block device ("sdb"), or NULL */
};

void virStorageSCSILunFree(virStorageSCSILun *lun);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(virStorageSCSILun, virStorageSCSILunFree);

/* The number N of a host named "hostN" (or "scsi_hostN", as node devices
 * name it): 0, or -EINVAL when @name is neither. */
int
virStorageSCSIHostNumberQuiet(const char *name,
                              unsigned int *host);

/* Whether SYSFS/class/scsi_host/hostN exists. */
bool
virStorageSCSIHostExists(const char *sysfs,
                         unsigned int host);

/* The host whose device sits on the PCI function @addr and whose
 * unique_id is @uniqueId: 0 and its number in @host, -ENOENT when none. */
int
virStorageSCSIHostByParentaddrQuiet(const char *sysfs,
                                    const virPCIDeviceAddress *addr,
                                    unsigned int uniqueId,
                                    unsigned int *host);

/* Asks the kernel to scan every channel, target and LUN of @host. */
int
virStorageSCSIHostScanQuiet(const char *sysfs,
                            unsigned int host);

/* The LUNs of @host, sorted by bus, target and LUN, in @luns (a new
 * array of virStorageSCSILun *, freeing them).  A LUN whose type file
 * cannot be read has type -1; one without a block device has block NULL. */
int
virStorageSCSIHostLunsQuiet(const char *sysfs,
                            unsigned int host,
                            GPtrArray **luns);

/* The LUN whose block device is the device number @rdev: its address
 * "H:B:T:L" (the name of SYSFS/dev/block/MAJ:MIN/device) in @address,
 * and its "wwid" attribute (the identifier of its VPD page 0x83), or ""
 * when the kernel gives none or it cannot be read, in @wwid.  -ENOENT when @rdev is no block
 * device or not a SCSI device's (a partition, device-mapper...). */
int
virStorageSCSIBlockLunQuiet(const char *sysfs,
                            dev_t rdev,
                            char **address,
                            char **wwid);

/* The path of @lun's block device under @devdir ("/dev"): the kernel
 * writes a '/' of its name as '!'.  NULL when it has none. */
char *
virStorageSCSILunDevPath(const char *devdir,
                         const virStorageSCSILun *lun);

/*
 * The first LUN of @host whose block device is in use, the check made
 * before the host is taken away (an iSCSI logout, a vHBA deleted): held
 * by a device-mapper or md device (SYSFS/class/block/KNAME/holders; its
 * name in @holder), or not opened exclusively (O_EXCL) at DEVDIR/KNAME
 * because it is mounted or a program or a guest opened it so (@holder
 * NULL).  1 with @lun and @holder, 0 when no LUN is in use, -errno when
 * the LUNs cannot be listed.
 */
int
virStorageSCSIHostBusyLunQuiet(const char *sysfs,
                               const char *devdir,
                               unsigned int host,
                               virStorageSCSILun **lun,
                               char **holder);

/* Whether two world wide names are the same: case ignored, an optional
 * "0x" on either. */
bool
virStorageSCSIWWNEqual(const char *a,
                       const char *b);

/* The fc_host whose node_name is @wwnn and port_name @wwpn: 0 and its
 * number in @host, -ENOENT when none. */
int
virStorageSCSIFCHostByWWNQuiet(const char *sysfs,
                               const char *wwnn,
                               const char *wwpn,
                               unsigned int *host);

/* The first fc_host (lowest number) whose fabric_name is @fabric. */
int
virStorageSCSIFCHostByFabricQuiet(const char *sysfs,
                                  const char *fabric,
                                  unsigned int *host);

/* Whether @host is an fc_host that can create vports (has vport_create). */
bool
virStorageSCSIFCHostIsVportCapable(const char *sysfs,
                                   unsigned int host);

/* The first fc_host (lowest number) that can create one more vport now:
 * vport capable, port_state "Online", npiv_vports_inuse below
 * max_npiv_vports.  -ENOENT when none. */
int
virStorageSCSIFCHostFindVportCapableQuiet(const char *sysfs,
                                          unsigned int *host);

/* For the vHBA @host, the fc_host it was created on (the hostP of
 * ".../hostP/vport-P:C-K/hostN" in its device path): 0 and @parent,
 * -ENOENT when @host is not a vport. */
int
virStorageSCSIHostVportParentQuiet(const char *sysfs,
                                   unsigned int host,
                                   unsigned int *parent);

/* Creates (or deletes) the vport @wwpn:@wwnn on the fc_host @parent by
 * writing "WWPN:WWNN" to its vport_create (vport_delete). */
int
virStorageSCSIFCHostVportCreateQuiet(const char *sysfs,
                                     unsigned int parent,
                                     const char *wwnn,
                                     const char *wwpn);
int
virStorageSCSIFCHostVportDeleteQuiet(const char *sysfs,
                                     unsigned int parent,
                                     const char *wwnn,
                                     const char *wwpn);
