/*
 * storage_lvm.h: lvm2 command lines, the parsers of their reports, and
 * the runners of both
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The builders and parsers are pure: the builders return a virCommand
 * that nobody has run, the parsers read the text of `lvs`, `vgs` or `pvs`
 * with `--reportformat json --units b --nosuffix --binary` and the fields
 * the report builders ask for.  The runners at the end run them, within a
 * time limit, for the pool and volume units.
 */

#pragma once

#include "internal.h"
#include "vircommand.h"

/* ---- names ------------------------------------------------------------- */

/* Why lvm2 refuses @name as a VG or LV name, as a translated phrase ("it
 * starts with '-'"), or NULL when its characters and length are fine:
 * letters, digits and "+_.-", not starting with '-', not "." or "..", at
 * most 127 characters (lvm(8), VALID NAMES).  LV names have further
 * reserved words (storage_vol_lv.c). */
const char *virStorageLVMNameCharsetProblem(const char *name);

/* Reports VIR_ERR_INVALID_ARG naming pool @poolname when lvm2 would
 * refuse @vgname as a VG name. */
int virStorageLVMVGNameValidate(const char *poolname,
                                const char *vgname);

/* ---- builders ---------------------------------------------------------- */

/* Seconds an lvm2 command may take before it is stopped (SIGTERM, then
 * SIGKILL): lvm2 waits on the locks of other lvm2 commands and on the
 * I/O of every PV it scans, so a dead disk or a stuck command would hold
 * the pool for ever.  A healthy lvm2 command takes a second or two. */
#define VIR_STORAGE_LVM_TIME_LIMIT 120

virCommand *virStorageLVMBuildPVCreate(const char *device);
virCommand *virStorageLVMBuildPVRemove(const char *device);
virCommand *virStorageLVMBuildVGCreate(const char *vgname,
                                       const char *const *devices,
                                       size_t ndevices);
virCommand *virStorageLVMBuildVGRemove(const char *vgname);
/* vgchange -aly / -aln of every LV of @vgname */
virCommand *virStorageLVMBuildVGChange(const char *vgname, bool activate);

/* A linear LV of @capacity bytes. */
virCommand *virStorageLVMBuildLVCreateThick(const char *vgname,
                                            const char *lvname,
                                            unsigned long long capacity);
/* A thin LV of @capacity bytes in thin pool @thinpool of @vgname. */
virCommand *virStorageLVMBuildLVCreateThin(const char *vgname,
                                           const char *thinpool,
                                           const char *lvname,
                                           unsigned long long capacity);
/* lvextend / lvreduce of @vgname/@lvname to @capacity bytes. */
virCommand *virStorageLVMBuildLVExtend(const char *vgname,
                                       const char *lvname,
                                       unsigned long long capacity);
virCommand *virStorageLVMBuildLVReduce(const char *vgname,
                                       const char *lvname,
                                       unsigned long long capacity);
virCommand *virStorageLVMBuildLVRemove(const char *vgname,
                                       const char *lvname);

/* The reports the parsers below read.  @lvname may be NULL for every LV
 * of @vgname; @vgname may be NULL in vgs/pvs for every VG / PV. */
virCommand *virStorageLVMBuildLVs(const char *vgname, const char *lvname);
virCommand *virStorageLVMBuildVGs(const char *vgname);
virCommand *virStorageLVMBuildPVs(void);

/* ---- reports ----------------------------------------------------------- */

typedef enum {
    VIR_STORAGE_LVM_LV_THICK,      /* linear, striped, mirror or raid LV */
    VIR_STORAGE_LVM_LV_THIN,       /* thin LV in a thin pool */
    VIR_STORAGE_LVM_LV_THIN_POOL,  /* the thin pool itself: not a volume */
    VIR_STORAGE_LVM_LV_SNAPSHOT,   /* old-style (COW) snapshot of an LV */
    VIR_STORAGE_LVM_LV_SPARSE,     /* COW snapshot of a virtual origin,
                                    * what libvirt 9.0 calls sparse */
    VIR_STORAGE_LVM_LV_OTHER,      /* cache pools, VDO...: not handled */
} virStorageLVMLVKind;

/* One PV an LV segment lies on, from "devices" ("/dev/vdb(12)"). */
typedef struct _virStorageLVMSegDevice virStorageLVMSegDevice;
struct _virStorageLVMSegDevice {
    char *path;
    unsigned long long startExtent;     /* first physical extent on it */
};

typedef struct _virStorageLVMSegment virStorageLVMSegment;
struct _virStorageLVMSegment {
    char *segtype;                      /* "linear", "striped", "thin"... */
    unsigned int stripes;
    unsigned long long size;            /* bytes */
    size_t ndevices;
    virStorageLVMSegDevice *devices;
};

typedef struct _virStorageLVMLV virStorageLVMLV;
struct _virStorageLVMLV {
    char *name;
    char *uuid;
    virStorageLVMLVKind kind;
    unsigned long long size;            /* lv_size: of a COW snapshot, its
                                         * COW area */
    unsigned long long extentSize;      /* the VG's extent size */
    char *origin;                       /* snapshot origin, or NULL; a
                                         * hidden one is in brackets */
    unsigned long long originSize;      /* snapshots: their origin's size */
    char *thinPool;                     /* thin LVs: their pool */
    bool hasDataPercent;
    double dataPercent;                 /* thin LVs and pools, snapshots */
    bool active;
    bool open;
    size_t nsegments;
    virStorageLVMSegment *segments;
};

typedef struct _virStorageLVMLVList virStorageLVMLVList;
struct _virStorageLVMLVList {
    size_t nlvs;
    virStorageLVMLV *lvs;
};

void virStorageLVMLVListFree(virStorageLVMLVList *list);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(virStorageLVMLVList, virStorageLVMLVListFree);

/* The bytes an LV reads as: a snapshot as its origin. */
unsigned long long virStorageLVMLVCapacity(const virStorageLVMLV *lv);

/* The bytes an LV takes in its VG (thin LVs: of their pool's data). */
unsigned long long virStorageLVMLVAllocation(const virStorageLVMLV *lv);

/* Looks an LV up by name in @list, NULL if absent. */
const virStorageLVMLV *virStorageLVMLVListFind(const virStorageLVMLVList *list,
                                               const char *name);

typedef struct _virStorageLVMVG virStorageLVMVG;
struct _virStorageLVMVG {
    char *name;
    char *uuid;
    unsigned long long size;
    unsigned long long free;
    unsigned long long extentSize;
    unsigned int pvCount;
    unsigned int missingPVCount;
    unsigned int lvCount;
};

typedef struct _virStorageLVMVGList virStorageLVMVGList;
struct _virStorageLVMVGList {
    size_t nvgs;
    virStorageLVMVG *vgs;
};

void virStorageLVMVGListFree(virStorageLVMVGList *list);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(virStorageLVMVGList, virStorageLVMVGListFree);

typedef struct _virStorageLVMPV virStorageLVMPV;
struct _virStorageLVMPV {
    char *name;                         /* device path, "[unknown]" if missing */
    char *uuid;
    char *vgName;                       /* NULL for a PV in no VG */
    unsigned long long size;
    bool missing;
};

typedef struct _virStorageLVMPVList virStorageLVMPVList;
struct _virStorageLVMPVList {
    size_t npvs;
    virStorageLVMPV *pvs;
};

void virStorageLVMPVListFree(virStorageLVMPVList *list);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(virStorageLVMPVList, virStorageLVMPVListFree);

/* Parsers: -1 with VIR_ERR_OPERATION_FAILED naming the command on text
 * that is not the report they expect.  Rows of one LV (one per segment)
 * are merged into one virStorageLVMLV in report order. */
virStorageLVMLVList *virStorageLVMParseLVs(const char *text);
virStorageLVMVGList *virStorageLVMParseVGs(const char *text);
virStorageLVMPVList *virStorageLVMParsePVs(const char *text);

/* ---- runners ----------------------------------------------------------- */

/* Runs the lvm2 command @cmd within VIR_STORAGE_LVM_TIME_LIMIT; when it
 * fails, reports VIR_ERR_OPERATION_FAILED as the sentence @fmt (one whole
 * translatable sentence naming the pool, volume or device: "cannot create
 * volume '%s' in pool '%s'") with lvm2's own message appended; when it is
 * stopped at the limit, VIR_ERR_OPERATION_TIMEOUT. */
int virStorageLVMRun(virCommand *cmd, const char *fmt, ...)
    G_GNUC_PRINTF(2, 3);

/* As virStorageLVMRun, but returns lvm2's exit status (@out and @errbuf,
 * if not NULL, get its stdout and stderr); -1 with an error reported
 * (the sentence @fmt, and why) only when it could not be run or was
 * stopped at the limit. */
int virStorageLVMRunStatus(virCommand *cmd, char **out, char **errbuf,
                           const char *fmt, ...)
    G_GNUC_PRINTF(4, 5);

/* Runs and parses lvs of every LV of @vgname, or only @lvname. */
virStorageLVMLVList *virStorageLVMListLVs(const char *vgname,
                                          const char *lvname);

/* Runs and parses vgs of @vgname. */
virStorageLVMVGList *virStorageLVMListVG(const char *vgname);

/* Runs and parses pvs of every PV. */
virStorageLVMPVList *virStorageLVMListPVs(void);
