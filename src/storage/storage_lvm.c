/*
 * storage_lvm.c: lvm2 command lines, the parsers of their reports, and
 * the runners of both
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Sizes go to lvm2 in bytes ("1073741824b") and lvm2 rounds them up to
 * whole extents.  LVs are named "VG/LV", never by their /dev path, so a
 * command does not depend on udev having made the link yet.
 *
 * Every lvm2 command reads its options with getopt_long, which takes
 * "--" as their end: each builder puts it before the VG, LV and device
 * names, so that a name starting with '-' ("--select=vg_name=~.") is a
 * name lvm2 refuses, never an option.  The names come from pool and
 * volume XML and are checked before any command is built
 * (virStorageLVMVGNameValidate, virStorageVolLVNameValidate); the "--"
 * is the second fence.  Option values ("--name LV", "--thinpool VG/TP")
 * are taken whole by getopt whatever they start with.
 *
 * The reports are lvm2's JSON:
 *
 *   {"report": [{"lv": [{"lv_name": "a", "lv_size": "4194304", ...}]}]}
 *
 * Every value is a string (lvm2 2.03.16); the parsers also take numbers,
 * as the "json_std" format of later versions writes them.  With
 * --binary, two-valued fields read "0" or "1".  An LV with several
 * segments is reported as one row per segment.
 */

#include <config.h>

#include "storage_lvm.h"
#include "storage_command.h"
#include "viralloc.h"
#include "virerror.h"
#include "virjson.h"
#include "virstring.h"

#define VIR_FROM_THIS VIR_FROM_STORAGE

#define LVM_LV_FIELDS \
    "lv_name,lv_uuid,lv_layout,lv_role,lv_size,vg_extent_size," \
    "lv_active_locally,lv_device_open,origin,origin_size,pool_lv," \
    "data_percent," \
    "segtype,stripes,seg_size,devices"

#define LVM_VG_FIELDS \
    "vg_name,vg_uuid,vg_size,vg_free,vg_extent_size," \
    "pv_count,vg_missing_pv_count,lv_count"

#define LVM_PV_FIELDS \
    "pv_name,pv_uuid,vg_name,pv_size,pv_missing"


/* ---- names ------------------------------------------------------------- */

/* lvm2's NAME_LEN counts the terminating NUL. */
#define LVM_NAME_MAX 127

const char *
virStorageLVMNameCharsetProblem(const char *name)
{
    if (!name || !*name)
        return _("it is empty");
    if (name[0] == '-')
        return _("it starts with '-'");
    if (STREQ(name, ".") || STREQ(name, ".."))
        return _("it is '.' or '..'");
    if (strspn(name, "abcdefghijklmnopqrstuvwxyz"
                     "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
                     "0123456789+_.-") != strlen(name))
        return _("only letters, digits and '+_.-' are allowed");
    if (strlen(name) > LVM_NAME_MAX)
        return _("lvm2 takes names of at most 127 characters");
    return NULL;
}


int
virStorageLVMVGNameValidate(const char *poolname,
                            const char *vgname)
{
    const char *why = virStorageLVMNameCharsetProblem(vgname);

    if (why) {
        virReportError(VIR_ERR_INVALID_ARG,
                       _("'%s' is not a valid volume group name for logical pool '%s': %s; fix <source><name> in the pool's XML"),
                       NULLSTR(vgname), poolname, why);
        return -1;
    }
    return 0;
}


/* ---- builders ---------------------------------------------------------- */

static void
lvmAddBytes(virCommand *cmd,
            const char *option,
            unsigned long long bytes)
{
    virCommandAddArg(cmd, option);
    virCommandAddArgFormat(cmd, "%llub", bytes);
}


static void
lvmAddLVName(virCommand *cmd,
             const char *vgname,
             const char *lvname)
{
    virCommandAddArgFormat(cmd, "%s/%s", vgname, lvname);
}


virCommand *
virStorageLVMBuildPVCreate(const char *device)
{
    return virCommandNewArgList("pvcreate", "--", device, NULL);
}


virCommand *
virStorageLVMBuildPVRemove(const char *device)
{
    return virCommandNewArgList("pvremove", "--yes", "--", device, NULL);
}


virCommand *
virStorageLVMBuildVGCreate(const char *vgname,
                           const char *const *devices,
                           size_t ndevices)
{
    virCommand *cmd = virCommandNewArgList("vgcreate", "--", vgname, NULL);
    size_t i;

    for (i = 0; i < ndevices; i++)
        virCommandAddArg(cmd, devices[i]);
    return cmd;
}


virCommand *
virStorageLVMBuildVGRemove(const char *vgname)
{
    return virCommandNewArgList("vgremove", "--force", "--yes", "--",
                                vgname, NULL);
}


virCommand *
virStorageLVMBuildVGChange(const char *vgname,
                           bool activate)
{
    return virCommandNewArgList("vgchange", "--activate",
                                activate ? "ly" : "ln", "--", vgname, NULL);
}


virCommand *
virStorageLVMBuildLVCreateThick(const char *vgname,
                                const char *lvname,
                                unsigned long long capacity)
{
    virCommand *cmd = virCommandNewArgList("lvcreate", "--yes",
                                           "--type", "linear",
                                           "--name", lvname, NULL);

    lvmAddBytes(cmd, "--size", capacity);
    virCommandAddArgList(cmd, "--", vgname, NULL);
    return cmd;
}


virCommand *
virStorageLVMBuildLVCreateThin(const char *vgname,
                               const char *thinpool,
                               const char *lvname,
                               unsigned long long capacity)
{
    virCommand *cmd = virCommandNewArgList("lvcreate", "--yes",
                                           "--type", "thin",
                                           "--name", lvname, NULL);

    lvmAddBytes(cmd, "--virtualsize", capacity);
    virCommandAddArg(cmd, "--thinpool");
    lvmAddLVName(cmd, vgname, thinpool);
    return cmd;
}


virCommand *
virStorageLVMBuildLVExtend(const char *vgname,
                           const char *lvname,
                           unsigned long long capacity)
{
    virCommand *cmd = virCommandNewArgList("lvextend", NULL);

    lvmAddBytes(cmd, "--size", capacity);
    virCommandAddArg(cmd, "--");
    lvmAddLVName(cmd, vgname, lvname);
    return cmd;
}


virCommand *
virStorageLVMBuildLVReduce(const char *vgname,
                           const char *lvname,
                           unsigned long long capacity)
{
    virCommand *cmd = virCommandNewArgList("lvreduce", "--yes", NULL);

    lvmAddBytes(cmd, "--size", capacity);
    virCommandAddArg(cmd, "--");
    lvmAddLVName(cmd, vgname, lvname);
    return cmd;
}


virCommand *
virStorageLVMBuildLVRemove(const char *vgname,
                           const char *lvname)
{
    virCommand *cmd = virCommandNewArgList("lvremove", "--yes", "--", NULL);

    lvmAddLVName(cmd, vgname, lvname);
    return cmd;
}


static virCommand *
lvmBuildReport(const char *tool,
               const char *fields)
{
    return virCommandNewArgList(tool, "--reportformat", "json",
                                "--units", "b", "--nosuffix", "--binary",
                                "--options", fields, NULL);
}


virCommand *
virStorageLVMBuildLVs(const char *vgname,
                      const char *lvname)
{
    virCommand *cmd = lvmBuildReport("lvs", LVM_LV_FIELDS);

    virCommandAddArg(cmd, "--");
    if (lvname)
        lvmAddLVName(cmd, vgname, lvname);
    else
        virCommandAddArg(cmd, vgname);
    return cmd;
}


virCommand *
virStorageLVMBuildVGs(const char *vgname)
{
    virCommand *cmd = lvmBuildReport("vgs", LVM_VG_FIELDS);

    if (vgname)
        virCommandAddArgList(cmd, "--", vgname, NULL);
    return cmd;
}


virCommand *
virStorageLVMBuildPVs(void)
{
    return lvmBuildReport("pvs", LVM_PV_FIELDS);
}


/* ---- parsers ----------------------------------------------------------- */

/*
 * The rows of report @kind ("lv", "vg", "pv") of @json: the first
 * element of "report" that holds that key.
 */
static virJSONValue *
lvmReportRows(virJSONValue *json,
              const char *tool,
              const char *kind)
{
    virJSONValue *reports = virJSONValueObjectGetArray(json, "report");
    size_t i;

    for (i = 0; reports && i < virJSONValueArraySize(reports); i++) {
        virJSONValue *rows;

        rows = virJSONValueObjectGetArray(virJSONValueArrayGet(reports, i), kind);
        if (rows)
            return rows;
    }

    virReportError(VIR_ERR_OPERATION_FAILED,
                   _("'%s' printed no \"%s\" report: is this lvm2 with JSON reports (2.02.158 or later)?"),
                   tool, kind);
    return NULL;
}


static virJSONValue *
lvmParseReport(const char *text,
               const char *tool)
{
    virJSONValue *json;

    if (!text || !(json = virJSONValueFromString(text))) {
        virResetLastError();
        virReportError(VIR_ERR_OPERATION_FAILED,
                       _("cannot parse the JSON report of '%s'"), tool);
        return NULL;
    }
    return json;
}


/* The text of field @key of @row ("" for a field lvm2 left empty), or
 * NULL after reporting that the row lacks it. */
static const char *
lvmField(virJSONValue *row,
         const char *tool,
         const char *key)
{
    virJSONValue *value = virJSONValueObjectGet(row, key);
    const char *text = NULL;

    if (value) {
        if (virJSONValueGetType(value) == VIR_JSON_TYPE_NUMBER)
            text = virJSONValueGetNumberString(value);
        else
            text = virJSONValueGetString(value);
    }

    if (!text)
        virReportError(VIR_ERR_OPERATION_FAILED,
                       _("a row of the '%s' report has no field '%s'"),
                       tool, key);
    return text;
}


static int
lvmFieldString(virJSONValue *row,
               const char *tool,
               const char *key,
               char **out)
{
    const char *text = lvmField(row, tool, key);

    if (!text)
        return -1;
    *out = *text ? g_strdup(text) : NULL;
    return 0;
}


static int
lvmFieldULL(virJSONValue *row,
            const char *tool,
            const char *key,
            unsigned long long *out)
{
    const char *text = lvmField(row, tool, key);

    if (!text)
        return -1;
    if (virStrToLong_ullp(text, NULL, 10, out) < 0) {
        virReportError(VIR_ERR_OPERATION_FAILED,
                       _("field '%s' of the '%s' report is not a number of bytes: '%s'"),
                       key, tool, text);
        return -1;
    }
    return 0;
}


/* As lvmFieldULL, but "" (the field does not apply) reads as 0. */
static int
lvmFieldOptionalULL(virJSONValue *row,
                    const char *tool,
                    const char *key,
                    unsigned long long *out)
{
    const char *text = lvmField(row, tool, key);

    if (!text)
        return -1;
    if (!*text) {
        *out = 0;
        return 0;
    }
    return lvmFieldULL(row, tool, key, out);
}


static int
lvmFieldUInt(virJSONValue *row,
             const char *tool,
             const char *key,
             unsigned int *out)
{
    unsigned long long value;

    if (lvmFieldULL(row, tool, key, &value) < 0)
        return -1;
    if (value > UINT_MAX) {
        virReportError(VIR_ERR_OPERATION_FAILED,
                       _("field '%s' of the '%s' report is out of range: %llu"),
                       key, tool, value);
        return -1;
    }
    *out = value;
    return 0;
}


/* A --binary field: "1" is true; "0" false, and so are "" and "-1",
 * which lvm2 writes when it cannot tell (lv_device_open of an inactive
 * LV). */
static int
lvmFieldBool(virJSONValue *row,
             const char *tool,
             const char *key,
             bool *out)
{
    const char *text = lvmField(row, tool, key);

    if (!text)
        return -1;
    if (STREQ(text, "1")) {
        *out = true;
    } else if (STREQ(text, "0") || STREQ(text, "") || STREQ(text, "-1")) {
        *out = false;
    } else {
        virReportError(VIR_ERR_OPERATION_FAILED,
                       _("field '%s' of the '%s' report is not 0 or 1: '%s' (run it with --binary)"),
                       key, tool, text);
        return -1;
    }
    return 0;
}


/*
 * The VG's extent size, which the backend rounds sizes to and multiplies
 * extent numbers by: lvm2 makes it a multiple of 512 bytes, at most
 * 2^32 - 1 sectors.  0 would make a resize divide by zero (libvirtd
 * died of SIGFPE); anything else out of that range is not lvm2's.
 */
#define LVM_EXTENT_SIZE_MAX (4294967295ULL * 512)

static int
lvmCheckExtentSize(const char *tool,
                   unsigned long long extentSize)
{
    if (extentSize == 0 || extentSize % 512 != 0 ||
        extentSize > LVM_EXTENT_SIZE_MAX) {
        virReportError(VIR_ERR_OPERATION_FAILED,
                       _("field 'vg_extent_size' of the '%s' report is not an extent size lvm2 makes: %llu"),
                       tool, extentSize);
        return -1;
    }
    return 0;
}


/* ---- lvs ---- */

static void
lvmSegmentClear(virStorageLVMSegment *seg)
{
    size_t i;

    for (i = 0; i < seg->ndevices; i++)
        g_free(seg->devices[i].path);
    g_free(seg->devices);
    g_free(seg->segtype);
}


static void
lvmLVClear(virStorageLVMLV *lv)
{
    size_t i;

    for (i = 0; i < lv->nsegments; i++)
        lvmSegmentClear(&lv->segments[i]);
    g_free(lv->segments);
    g_free(lv->name);
    g_free(lv->uuid);
    g_free(lv->origin);
    g_free(lv->thinPool);
}


void
virStorageLVMLVListFree(virStorageLVMLVList *list)
{
    size_t i;

    if (!list)
        return;
    for (i = 0; i < list->nlvs; i++)
        lvmLVClear(&list->lvs[i]);
    g_free(list->lvs);
    g_free(list);
}


/* Whether the comma separated lvm2 keyword list @list holds @word. */
static bool
lvmKeywordsHave(const char *list,
                const char *word)
{
    g_auto(GStrv) words = g_strsplit(list, ",", -1);

    return g_strv_contains((const char *const *) words, word);
}


/*
 * What an LV is, from lv_layout and lv_role.  A COW snapshot whose
 * origin is hidden (lvs writes hidden LVs in brackets) was made with
 * --virtualsize: its origin is a virtual zero device, not data.
 */
static virStorageLVMLVKind
lvmLVKind(const char *layout,
          const char *role,
          const char *origin)
{
    if (lvmKeywordsHave(layout, "pool"))
        return lvmKeywordsHave(layout, "thin") ? VIR_STORAGE_LVM_LV_THIN_POOL
                                               : VIR_STORAGE_LVM_LV_OTHER;
    if (lvmKeywordsHave(layout, "thin"))
        return VIR_STORAGE_LVM_LV_THIN;
    if (lvmKeywordsHave(role, "thicksnapshot")) {
        if (origin && origin[0] == '[')
            return VIR_STORAGE_LVM_LV_SPARSE;
        return VIR_STORAGE_LVM_LV_SNAPSHOT;
    }
    if (lvmKeywordsHave(layout, "vdo"))
        return VIR_STORAGE_LVM_LV_OTHER;
    return VIR_STORAGE_LVM_LV_THICK;
}


/*
 * One "devices" entry, "/dev/vdb(12)", into @dev.  lvm2 writes LVs it
 * stacks on (thin pool data, raid images) the same way, without /dev.
 */
static int
lvmParseSegDevice(const char *entry,
                  virStorageLVMSegDevice *dev)
{
    const char *open = strrchr(entry, '(');
    char *end = NULL;

    if (!open || open == entry ||
        virStrToLong_ull(open + 1, &end, 10, &dev->startExtent) < 0 ||
        STRNEQ(end, ")")) {
        virReportError(VIR_ERR_OPERATION_FAILED,
                       _("entry '%s' of field 'devices' of the 'lvs' report is not DEVICE(EXTENT)"),
                       entry);
        return -1;
    }
    dev->path = g_strndup(entry, open - entry);
    return 0;
}


/* "devices" is a comma separated list of DEVICE(EXTENT); "" for thin LVs. */
static int
lvmParseSegDevices(const char *text,
                   virStorageLVMSegment *seg)
{
    g_auto(GStrv) entries = NULL;
    size_t n;
    size_t i;

    if (!*text)
        return 0;

    entries = g_strsplit(text, ",", -1);
    n = g_strv_length(entries);
    seg->devices = g_new0(virStorageLVMSegDevice, n);
    for (i = 0; i < n; i++) {
        if (lvmParseSegDevice(entries[i], &seg->devices[i]) < 0)
            return -1;
        seg->ndevices++;
    }
    return 0;
}


static int
lvmParseSegment(virJSONValue *row,
                virStorageLVMLV *lv)
{
    virStorageLVMSegment *seg;
    const char *devices;

    VIR_EXPAND_N(lv->segments, lv->nsegments, 1);
    seg = &lv->segments[lv->nsegments - 1];

    size_t i;

    if (lvmFieldString(row, "lvs", "segtype", &seg->segtype) < 0 ||
        lvmFieldUInt(row, "lvs", "stripes", &seg->stripes) < 0 ||
        lvmFieldULL(row, "lvs", "seg_size", &seg->size) < 0 ||
        !(devices = lvmField(row, "lvs", "devices")) ||
        lvmParseSegDevices(devices, seg) < 0)
        return -1;

    /* each device's extent becomes a byte range: start * extent size,
     * plus the segment's size */
    for (i = 0; i < seg->ndevices; i++) {
        unsigned long long start = seg->devices[i].startExtent;

        if (start > ULLONG_MAX / lv->extentSize ||
            start * lv->extentSize > ULLONG_MAX - seg->size) {
            virReportError(VIR_ERR_OPERATION_FAILED,
                           _("extent %llu of device '%s' in the 'lvs' report of LV '%s' lies beyond 2^64 bytes"),
                           start, seg->devices[i].path, lv->name);
            return -1;
        }
    }
    return 0;
}


static int
lvmParseDataPercent(virJSONValue *row,
                    virStorageLVMLV *lv)
{
    const char *text = lvmField(row, "lvs", "data_percent");

    if (!text)
        return -1;
    if (!*text)
        return 0;
    if (virStrToDouble(text, NULL, &lv->dataPercent) < 0 ||
        lv->dataPercent < 0 || lv->dataPercent > 100) {
        virReportError(VIR_ERR_OPERATION_FAILED,
                       _("field 'data_percent' of the 'lvs' report is not a percentage: '%s'"),
                       text);
        return -1;
    }
    lv->hasDataPercent = true;
    return 0;
}


/* The LV-wide fields of the first row of an LV. */
static int
lvmParseLV(virJSONValue *row,
           virStorageLVMLV *lv)
{
    const char *layout;
    const char *role;

    if (lvmFieldString(row, "lvs", "lv_name", &lv->name) < 0 ||
        lvmFieldString(row, "lvs", "lv_uuid", &lv->uuid) < 0 ||
        lvmFieldString(row, "lvs", "origin", &lv->origin) < 0 ||
        lvmFieldString(row, "lvs", "pool_lv", &lv->thinPool) < 0 ||
        lvmFieldULL(row, "lvs", "lv_size", &lv->size) < 0 ||
        lvmFieldULL(row, "lvs", "vg_extent_size", &lv->extentSize) < 0 ||
        lvmCheckExtentSize("lvs", lv->extentSize) < 0 ||
        lvmFieldOptionalULL(row, "lvs", "origin_size", &lv->originSize) < 0 ||
        lvmFieldBool(row, "lvs", "lv_active_locally", &lv->active) < 0 ||
        lvmFieldBool(row, "lvs", "lv_device_open", &lv->open) < 0 ||
        lvmParseDataPercent(row, lv) < 0 ||
        !(layout = lvmField(row, "lvs", "lv_layout")) ||
        !(role = lvmField(row, "lvs", "lv_role")))
        return -1;

    if (!lv->name || !lv->uuid) {
        virReportError(VIR_ERR_OPERATION_FAILED, "%s",
                       _("a row of the 'lvs' report has an empty lv_name or lv_uuid"));
        return -1;
    }

    lv->kind = lvmLVKind(layout, role, lv->origin);
    return 0;
}


virStorageLVMLVList *
virStorageLVMParseLVs(const char *text)
{
    g_autoptr(virJSONValue) json = NULL;
    g_autoptr(virStorageLVMLVList) list = g_new0(virStorageLVMLVList, 1);
    virJSONValue *rows;
    size_t i;

    if (!(json = lvmParseReport(text, "lvs")) ||
        !(rows = lvmReportRows(json, "lvs", "lv")))
        return NULL;

    for (i = 0; i < virJSONValueArraySize(rows); i++) {
        virJSONValue *row = virJSONValueArrayGet(rows, i);
        virStorageLVMLV *lv = NULL;
        const char *uuid;

        if (!(uuid = lvmField(row, "lvs", "lv_uuid")))
            return NULL;

        /* further segments of the LV of the previous row */
        if (list->nlvs > 0 &&
            STREQ(list->lvs[list->nlvs - 1].uuid, uuid)) {
            lv = &list->lvs[list->nlvs - 1];
        } else {
            VIR_EXPAND_N(list->lvs, list->nlvs, 1);
            lv = &list->lvs[list->nlvs - 1];
            if (lvmParseLV(row, lv) < 0)
                return NULL;
        }

        if (lvmParseSegment(row, lv) < 0)
            return NULL;
    }

    return g_steal_pointer(&list);
}


unsigned long long
virStorageLVMLVAllocation(const virStorageLVMLV *lv)
{
    switch (lv->kind) {
    case VIR_STORAGE_LVM_LV_THIN:
        /* what the pool has mapped for it, in its data */
        if (lv->hasDataPercent)
            return (unsigned long long) (lv->size * (lv->dataPercent / 100.0));
        return 0;
    case VIR_STORAGE_LVM_LV_SPARSE:
    case VIR_STORAGE_LVM_LV_SNAPSHOT:
        /* lv_size of a COW snapshot is its COW area */
    case VIR_STORAGE_LVM_LV_THICK:
    case VIR_STORAGE_LVM_LV_THIN_POOL:
    case VIR_STORAGE_LVM_LV_OTHER:
        break;
    }
    return lv->size;
}


unsigned long long
virStorageLVMLVCapacity(const virStorageLVMLV *lv)
{
    switch (lv->kind) {
    case VIR_STORAGE_LVM_LV_SPARSE:
    case VIR_STORAGE_LVM_LV_SNAPSHOT:
        /* a COW snapshot reads as big as its origin */
        if (lv->originSize > 0)
            return lv->originSize;
        break;
    case VIR_STORAGE_LVM_LV_THICK:
    case VIR_STORAGE_LVM_LV_THIN:
    case VIR_STORAGE_LVM_LV_THIN_POOL:
    case VIR_STORAGE_LVM_LV_OTHER:
        break;
    }
    return lv->size;
}


const virStorageLVMLV *
virStorageLVMLVListFind(const virStorageLVMLVList *list,
                        const char *name)
{
    size_t i;

    for (i = 0; i < list->nlvs; i++) {
        if (STREQ(list->lvs[i].name, name))
            return &list->lvs[i];
    }
    return NULL;
}


/* ---- vgs ---- */

void
virStorageLVMVGListFree(virStorageLVMVGList *list)
{
    size_t i;

    if (!list)
        return;
    for (i = 0; i < list->nvgs; i++) {
        g_free(list->vgs[i].name);
        g_free(list->vgs[i].uuid);
    }
    g_free(list->vgs);
    g_free(list);
}


static int
lvmParseVG(virJSONValue *row,
           virStorageLVMVG *vg)
{
    if (lvmFieldString(row, "vgs", "vg_name", &vg->name) < 0 ||
        lvmFieldString(row, "vgs", "vg_uuid", &vg->uuid) < 0 ||
        lvmFieldULL(row, "vgs", "vg_size", &vg->size) < 0 ||
        lvmFieldULL(row, "vgs", "vg_free", &vg->free) < 0 ||
        lvmFieldULL(row, "vgs", "vg_extent_size", &vg->extentSize) < 0 ||
        lvmFieldUInt(row, "vgs", "pv_count", &vg->pvCount) < 0 ||
        lvmFieldUInt(row, "vgs", "vg_missing_pv_count", &vg->missingPVCount) < 0 ||
        lvmFieldUInt(row, "vgs", "lv_count", &vg->lvCount) < 0 ||
        lvmCheckExtentSize("vgs", vg->extentSize) < 0)
        return -1;

    if (vg->free > vg->size) {
        virReportError(VIR_ERR_OPERATION_FAILED,
                       _("the 'vgs' report gives volume group '%s' more free bytes (%llu) than bytes (%llu)"),
                       NULLSTR(vg->name), vg->free, vg->size);
        return -1;
    }

    if (!vg->name) {
        virReportError(VIR_ERR_OPERATION_FAILED, "%s",
                       _("a row of the 'vgs' report has an empty vg_name"));
        return -1;
    }
    return 0;
}


virStorageLVMVGList *
virStorageLVMParseVGs(const char *text)
{
    g_autoptr(virJSONValue) json = NULL;
    g_autoptr(virStorageLVMVGList) list = g_new0(virStorageLVMVGList, 1);
    virJSONValue *rows;
    size_t i;

    if (!(json = lvmParseReport(text, "vgs")) ||
        !(rows = lvmReportRows(json, "vgs", "vg")))
        return NULL;

    list->vgs = g_new0(virStorageLVMVG, virJSONValueArraySize(rows));
    for (i = 0; i < virJSONValueArraySize(rows); i++) {
        list->nvgs++;
        if (lvmParseVG(virJSONValueArrayGet(rows, i), &list->vgs[i]) < 0)
            return NULL;
    }

    return g_steal_pointer(&list);
}


/* ---- pvs ---- */

void
virStorageLVMPVListFree(virStorageLVMPVList *list)
{
    size_t i;

    if (!list)
        return;
    for (i = 0; i < list->npvs; i++) {
        g_free(list->pvs[i].name);
        g_free(list->pvs[i].uuid);
        g_free(list->pvs[i].vgName);
    }
    g_free(list->pvs);
    g_free(list);
}


static int
lvmParsePV(virJSONValue *row,
           virStorageLVMPV *pv)
{
    if (lvmFieldString(row, "pvs", "pv_name", &pv->name) < 0 ||
        lvmFieldString(row, "pvs", "pv_uuid", &pv->uuid) < 0 ||
        lvmFieldString(row, "pvs", "vg_name", &pv->vgName) < 0 ||
        lvmFieldULL(row, "pvs", "pv_size", &pv->size) < 0 ||
        lvmFieldBool(row, "pvs", "pv_missing", &pv->missing) < 0)
        return -1;

    if (!pv->name) {
        virReportError(VIR_ERR_OPERATION_FAILED, "%s",
                       _("a row of the 'pvs' report has an empty pv_name"));
        return -1;
    }
    return 0;
}


virStorageLVMPVList *
virStorageLVMParsePVs(const char *text)
{
    g_autoptr(virJSONValue) json = NULL;
    g_autoptr(virStorageLVMPVList) list = g_new0(virStorageLVMPVList, 1);
    virJSONValue *rows;
    size_t i;

    if (!(json = lvmParseReport(text, "pvs")) ||
        !(rows = lvmReportRows(json, "pvs", "pv")))
        return NULL;

    list->pvs = g_new0(virStorageLVMPV, virJSONValueArraySize(rows));
    for (i = 0; i < virJSONValueArraySize(rows); i++) {
        list->npvs++;
        if (lvmParsePV(virJSONValueArrayGet(rows, i), &list->pvs[i]) < 0)
            return NULL;
    }

    return g_steal_pointer(&list);
}


/* ---- runners ----------------------------------------------------------- */

int
virStorageLVMRunStatus(virCommand *cmd,
                       const char *what,
                       char **out,
                       char **errbuf)
{
    g_autofree char *prefix = g_strdup_printf(_("cannot %s"), what);

    return virStorageCommandRunLimited(cmd, VIR_STORAGE_LVM_TIME_LIMIT, prefix,
                                       out, errbuf, NULL);
}


static int
lvmRunOutput(virCommand *cmd,
             const char *what,
             char **out)
{
    g_autofree char *errbuf = NULL;
    g_autofree char *text = NULL;
    int status;

    if ((status = virStorageLVMRunStatus(cmd, what, out ? &text : NULL,
                                         &errbuf)) < 0)
        return -1;

    if (status != 0) {
        if (*errbuf)
            virReportError(VIR_ERR_OPERATION_FAILED,
                           _("cannot %s: lvm2 failed: %s"), what, errbuf);
        else
            virReportError(VIR_ERR_OPERATION_FAILED,
                           _("cannot %s: lvm2 exited with status %d"),
                           what, status);
        return -1;
    }

    if (out)
        *out = g_steal_pointer(&text);
    return 0;
}


int
virStorageLVMRun(virCommand *cmd,
                 const char *what)
{
    return lvmRunOutput(cmd, what, NULL);
}


static char *
lvmRunReport(virCommand *cmd,
             const char *what)
{
    g_autofree char *out = NULL;

    if (lvmRunOutput(cmd, what, &out) < 0)
        return NULL;
    return g_steal_pointer(&out);
}


virStorageLVMLVList *
virStorageLVMListLVs(const char *vgname,
                     const char *lvname)
{
    g_autoptr(virCommand) cmd = virStorageLVMBuildLVs(vgname, lvname);
    g_autofree char *what = g_strdup_printf("list the logical volumes of volume group '%s'",
                                            vgname);
    g_autofree char *out = lvmRunReport(cmd, what);

    if (!out)
        return NULL;
    return virStorageLVMParseLVs(out);
}


virStorageLVMVGList *
virStorageLVMListVG(const char *vgname)
{
    g_autoptr(virCommand) cmd = virStorageLVMBuildVGs(vgname);
    g_autofree char *out = NULL;

    if (!(out = lvmRunReport(cmd, "list volume groups")))
        return NULL;
    return virStorageLVMParseVGs(out);
}


virStorageLVMPVList *
virStorageLVMListPVs(void)
{
    g_autoptr(virCommand) cmd = virStorageLVMBuildPVs();
    g_autofree char *out = NULL;

    if (!(out = lvmRunReport(cmd, "list physical volumes")))
        return NULL;
    return virStorageLVMParsePVs(out);
}
