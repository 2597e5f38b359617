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

#define VIR_STORAGE_LVM_LV_FIELDS \
    "lv_name,lv_uuid,lv_layout,lv_role,lv_size,vg_extent_size," \
    "lv_active_locally,lv_device_open,origin,origin_size,pool_lv," \
    "data_percent," \
    "segtype,stripes,seg_size,devices"

#define VIR_STORAGE_LVM_VG_FIELDS \
    "vg_name,vg_uuid,vg_size,vg_free,vg_extent_size," \
    "pv_count,vg_missing_pv_count,lv_count"

#define VIR_STORAGE_LVM_PV_FIELDS \
    "pv_name,pv_uuid,vg_name,pv_size,pv_missing"


/* ---- names ------------------------------------------------------------- */

/* lvm2's NAME_LEN counts the terminating NUL. */
#define VIR_STORAGE_LVM_NAME_MAX 127

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
    if (strlen(name) > VIR_STORAGE_LVM_NAME_MAX)
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
virStorageLVMAddBytes(virCommand *cmd,
                      const char *option,
                      unsigned long long bytes)
{
    virCommandAddArg(cmd, option);
    virCommandAddArgFormat(cmd, "%llub", bytes);
}


static void
virStorageLVMAddLVName(virCommand *cmd,
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

    virStorageLVMAddBytes(cmd, "--size", capacity);
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

    virStorageLVMAddBytes(cmd, "--virtualsize", capacity);
    virCommandAddArg(cmd, "--thinpool");
    virStorageLVMAddLVName(cmd, vgname, thinpool);
    return cmd;
}


virCommand *
virStorageLVMBuildLVExtend(const char *vgname,
                           const char *lvname,
                           unsigned long long capacity)
{
    virCommand *cmd = virCommandNewArgList("lvextend", NULL);

    virStorageLVMAddBytes(cmd, "--size", capacity);
    virCommandAddArg(cmd, "--");
    virStorageLVMAddLVName(cmd, vgname, lvname);
    return cmd;
}


virCommand *
virStorageLVMBuildLVReduce(const char *vgname,
                           const char *lvname,
                           unsigned long long capacity)
{
    virCommand *cmd = virCommandNewArgList("lvreduce", "--yes", NULL);

    virStorageLVMAddBytes(cmd, "--size", capacity);
    virCommandAddArg(cmd, "--");
    virStorageLVMAddLVName(cmd, vgname, lvname);
    return cmd;
}


virCommand *
virStorageLVMBuildLVRemove(const char *vgname,
                           const char *lvname)
{
    virCommand *cmd = virCommandNewArgList("lvremove", "--yes", "--", NULL);

    virStorageLVMAddLVName(cmd, vgname, lvname);
    return cmd;
}


static virCommand *
virStorageLVMBuildReport(const char *tool,
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
    virCommand *cmd = virStorageLVMBuildReport("lvs", VIR_STORAGE_LVM_LV_FIELDS);

    virCommandAddArg(cmd, "--");
    if (lvname)
        virStorageLVMAddLVName(cmd, vgname, lvname);
    else
        virCommandAddArg(cmd, vgname);
    return cmd;
}


virCommand *
virStorageLVMBuildVGs(const char *vgname)
{
    virCommand *cmd = virStorageLVMBuildReport("vgs", VIR_STORAGE_LVM_VG_FIELDS);

    if (vgname)
        virCommandAddArgList(cmd, "--", vgname, NULL);
    return cmd;
}


virCommand *
virStorageLVMBuildPVs(void)
{
    return virStorageLVMBuildReport("pvs", VIR_STORAGE_LVM_PV_FIELDS);
}


/* ---- parsers ----------------------------------------------------------- */

/*
 * The rows of report @kind ("lv", "vg", "pv") of @json: the first
 * element of "report" that holds that key.
 */
static virJSONValue *
virStorageLVMReportRows(virJSONValue *json,
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
virStorageLVMParseReport(const char *text,
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


/* The rows of report @kind of @tool's JSON @text, kept alive in *@json. */
static virJSONValue *
virStorageLVMReportOpen(const char *text,
                        const char *tool,
                        const char *kind,
                        virJSONValue **json)
{
    if (!(*json = virStorageLVMParseReport(text, tool)))
        return NULL;
    return virStorageLVMReportRows(*json, tool, kind);
}


typedef int (*virStorageLVMRowParseFunc)(virJSONValue *row, void *item);

/*
 * One item of @size bytes per row of report @kind of @tool's JSON @text,
 * each filled by @parse, in a new array *@items.  *@nitems counts the
 * items parse was started on, so that the list's free function also frees
 * the fields of a row that failed half-way.
 */
static int
virStorageLVMParseRows(const char *text,
                       const char *tool,
                       const char *kind,
                       size_t size,
                       virStorageLVMRowParseFunc parse,
                       void **items,
                       size_t *nitems)
{
    g_autoptr(virJSONValue) json = NULL;
    virJSONValue *rows;
    size_t i;

    if (!(rows = virStorageLVMReportOpen(text, tool, kind, &json)))
        return -1;

    *items = g_malloc0_n(virJSONValueArraySize(rows), size);
    for (i = 0; i < virJSONValueArraySize(rows); i++) {
        (*nitems)++;
        if (parse(virJSONValueArrayGet(rows, i), (char *) *items + i * size) < 0)
            return -1;
    }
    return 0;
}


/* The text of field @key of @row ("" for a field lvm2 left empty), or
 * NULL after reporting that the row lacks it. */
static const char *
virStorageLVMField(virJSONValue *row,
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
virStorageLVMFieldString(virJSONValue *row,
                         const char *tool,
                         const char *key,
                         char **out)
{
    const char *text = virStorageLVMField(row, tool, key);

    if (!text)
        return -1;
    *out = *text ? g_strdup(text) : NULL;
    return 0;
}


static int
virStorageLVMFieldULL(virJSONValue *row,
                      const char *tool,
                      const char *key,
                      unsigned long long *out)
{
    const char *text = virStorageLVMField(row, tool, key);

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


/* As virStorageLVMFieldULL, but "" (the field does not apply) reads as 0. */
static int
virStorageLVMFieldOptionalULL(virJSONValue *row,
                              const char *tool,
                              const char *key,
                              unsigned long long *out)
{
    const char *text = virStorageLVMField(row, tool, key);

    if (!text)
        return -1;
    if (!*text) {
        *out = 0;
        return 0;
    }
    return virStorageLVMFieldULL(row, tool, key, out);
}


static int
virStorageLVMFieldUInt(virJSONValue *row,
                       const char *tool,
                       const char *key,
                       unsigned int *out)
{
    unsigned long long value;

    if (virStorageLVMFieldULL(row, tool, key, &value) < 0)
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
virStorageLVMFieldBool(virJSONValue *row,
                       const char *tool,
                       const char *key,
                       bool *out)
{
    const char *text = virStorageLVMField(row, tool, key);

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
#define VIR_STORAGE_LVM_EXTENT_SIZE_MAX (4294967295ULL * 512)

static int
virStorageLVMCheckExtentSize(const char *tool,
                             unsigned long long extentSize)
{
    if (extentSize == 0 || extentSize % 512 != 0 ||
        extentSize > VIR_STORAGE_LVM_EXTENT_SIZE_MAX) {
        virReportError(VIR_ERR_OPERATION_FAILED,
                       _("field 'vg_extent_size' of the '%s' report is not an extent size lvm2 makes: %llu"),
                       tool, extentSize);
        return -1;
    }
    return 0;
}


/* ---- lvs ---- */

static void
virStorageLVMSegmentClear(virStorageLVMSegment *seg)
{
    size_t i;

    for (i = 0; i < seg->ndevices; i++)
        g_free(seg->devices[i].path);
    g_free(seg->devices);
    g_free(seg->segtype);
}


static void
virStorageLVMLVClear(virStorageLVMLV *lv)
{
    size_t i;

    for (i = 0; i < lv->nsegments; i++)
        virStorageLVMSegmentClear(&lv->segments[i]);
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
        virStorageLVMLVClear(&list->lvs[i]);
    g_free(list->lvs);
    g_free(list);
}


/* Whether the comma separated lvm2 keyword list @list holds @word. */
static bool
virStorageLVMKeywordsHave(const char *list,
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
virStorageLVMLVKindOf(const char *layout,
                      const char *role,
                      const char *origin)
{
    if (virStorageLVMKeywordsHave(layout, "pool"))
        return virStorageLVMKeywordsHave(layout, "thin") ? VIR_STORAGE_LVM_LV_THIN_POOL
                                               : VIR_STORAGE_LVM_LV_OTHER;
    if (virStorageLVMKeywordsHave(layout, "thin"))
        return VIR_STORAGE_LVM_LV_THIN;
    if (virStorageLVMKeywordsHave(role, "thicksnapshot")) {
        if (origin && origin[0] == '[')
            return VIR_STORAGE_LVM_LV_SPARSE;
        return VIR_STORAGE_LVM_LV_SNAPSHOT;
    }
    if (virStorageLVMKeywordsHave(layout, "vdo"))
        return VIR_STORAGE_LVM_LV_OTHER;
    return VIR_STORAGE_LVM_LV_THICK;
}


/*
 * One "devices" entry, "/dev/vdb(12)", into @dev.  lvm2 writes LVs it
 * stacks on (thin pool data, raid images) the same way, without /dev.
 */
static int
virStorageLVMParseSegDevice(const char *entry,
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
virStorageLVMParseSegDevices(const char *text,
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
        if (virStorageLVMParseSegDevice(entries[i], &seg->devices[i]) < 0)
            return -1;
        seg->ndevices++;
    }
    return 0;
}


static int
virStorageLVMParseSegment(virJSONValue *row,
                          virStorageLVMLV *lv)
{
    virStorageLVMSegment *seg;
    const char *devices;

    VIR_EXPAND_N(lv->segments, lv->nsegments, 1);
    seg = &lv->segments[lv->nsegments - 1];

    size_t i;

    if (virStorageLVMFieldString(row, "lvs", "segtype", &seg->segtype) < 0 ||
        virStorageLVMFieldUInt(row, "lvs", "stripes", &seg->stripes) < 0 ||
        virStorageLVMFieldULL(row, "lvs", "seg_size", &seg->size) < 0 ||
        !(devices = virStorageLVMField(row, "lvs", "devices")) ||
        virStorageLVMParseSegDevices(devices, seg) < 0)
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
virStorageLVMParseDataPercent(virJSONValue *row,
                              virStorageLVMLV *lv)
{
    const char *text = virStorageLVMField(row, "lvs", "data_percent");

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
virStorageLVMParseLV(virJSONValue *row,
                     virStorageLVMLV *lv)
{
    const char *layout;
    const char *role;

    if (virStorageLVMFieldString(row, "lvs", "lv_name", &lv->name) < 0 ||
        virStorageLVMFieldString(row, "lvs", "lv_uuid", &lv->uuid) < 0 ||
        virStorageLVMFieldString(row, "lvs", "origin", &lv->origin) < 0 ||
        virStorageLVMFieldString(row, "lvs", "pool_lv", &lv->thinPool) < 0 ||
        virStorageLVMFieldULL(row, "lvs", "lv_size", &lv->size) < 0 ||
        virStorageLVMFieldULL(row, "lvs", "vg_extent_size", &lv->extentSize) < 0 ||
        virStorageLVMCheckExtentSize("lvs", lv->extentSize) < 0 ||
        virStorageLVMFieldOptionalULL(row, "lvs", "origin_size", &lv->originSize) < 0 ||
        virStorageLVMFieldBool(row, "lvs", "lv_active_locally", &lv->active) < 0 ||
        virStorageLVMFieldBool(row, "lvs", "lv_device_open", &lv->open) < 0 ||
        virStorageLVMParseDataPercent(row, lv) < 0 ||
        !(layout = virStorageLVMField(row, "lvs", "lv_layout")) ||
        !(role = virStorageLVMField(row, "lvs", "lv_role")))
        return -1;

    if (!lv->name || !lv->uuid) {
        virReportError(VIR_ERR_OPERATION_FAILED, "%s",
                       _("a row of the 'lvs' report has an empty lv_name or lv_uuid"));
        return -1;
    }

    lv->kind = virStorageLVMLVKindOf(layout, role, lv->origin);
    return 0;
}


virStorageLVMLVList *
virStorageLVMParseLVs(const char *text)
{
    g_autoptr(virJSONValue) json = NULL;
    g_autoptr(virStorageLVMLVList) list = g_new0(virStorageLVMLVList, 1);
    virJSONValue *rows;
    size_t i;

    if (!(rows = virStorageLVMReportOpen(text, "lvs", "lv", &json)))
        return NULL;

    for (i = 0; i < virJSONValueArraySize(rows); i++) {
        virJSONValue *row = virJSONValueArrayGet(rows, i);
        virStorageLVMLV *lv = NULL;
        const char *uuid;

        if (!(uuid = virStorageLVMField(row, "lvs", "lv_uuid")))
            return NULL;

        /* further segments of the LV of the previous row */
        if (list->nlvs > 0 &&
            STREQ(list->lvs[list->nlvs - 1].uuid, uuid)) {
            lv = &list->lvs[list->nlvs - 1];
        } else {
            VIR_EXPAND_N(list->lvs, list->nlvs, 1);
            lv = &list->lvs[list->nlvs - 1];
            if (virStorageLVMParseLV(row, lv) < 0)
                return NULL;
        }

        if (virStorageLVMParseSegment(row, lv) < 0)
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
virStorageLVMParseVG(virJSONValue *row,
                     void *item)
{
    virStorageLVMVG *vg = item;

    if (virStorageLVMFieldString(row, "vgs", "vg_name", &vg->name) < 0 ||
        virStorageLVMFieldString(row, "vgs", "vg_uuid", &vg->uuid) < 0 ||
        virStorageLVMFieldULL(row, "vgs", "vg_size", &vg->size) < 0 ||
        virStorageLVMFieldULL(row, "vgs", "vg_free", &vg->free) < 0 ||
        virStorageLVMFieldULL(row, "vgs", "vg_extent_size", &vg->extentSize) < 0 ||
        virStorageLVMFieldUInt(row, "vgs", "pv_count", &vg->pvCount) < 0 ||
        virStorageLVMFieldUInt(row, "vgs", "vg_missing_pv_count", &vg->missingPVCount) < 0 ||
        virStorageLVMFieldUInt(row, "vgs", "lv_count", &vg->lvCount) < 0 ||
        virStorageLVMCheckExtentSize("vgs", vg->extentSize) < 0)
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
    g_autoptr(virStorageLVMVGList) list = g_new0(virStorageLVMVGList, 1);

    if (virStorageLVMParseRows(text, "vgs", "vg", sizeof(virStorageLVMVG),
                               virStorageLVMParseVG,
                               (void **) &list->vgs, &list->nvgs) < 0)
        return NULL;

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
virStorageLVMParsePV(virJSONValue *row,
                     void *item)
{
    virStorageLVMPV *pv = item;

    if (virStorageLVMFieldString(row, "pvs", "pv_name", &pv->name) < 0 ||
        virStorageLVMFieldString(row, "pvs", "pv_uuid", &pv->uuid) < 0 ||
        virStorageLVMFieldString(row, "pvs", "vg_name", &pv->vgName) < 0 ||
        virStorageLVMFieldULL(row, "pvs", "pv_size", &pv->size) < 0 ||
        virStorageLVMFieldBool(row, "pvs", "pv_missing", &pv->missing) < 0)
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
    g_autoptr(virStorageLVMPVList) list = g_new0(virStorageLVMPVList, 1);

    if (virStorageLVMParseRows(text, "pvs", "pv", sizeof(virStorageLVMPV),
                               virStorageLVMParsePV,
                               (void **) &list->pvs, &list->npvs) < 0)
        return NULL;

    return g_steal_pointer(&list);
}


/* ---- runners ----------------------------------------------------------- */

/* virStorageLVMRunStatus with the sentence @what already formatted. */
static int
virStorageLVMRunStatusWhat(virCommand *cmd,
                           const char *what,
                           char **out,
                           char **errbuf)
{
    return virStorageCommandRunLimited(cmd, VIR_STORAGE_LVM_TIME_LIMIT, what,
                                       out, errbuf, NULL);
}


int
virStorageLVMRunStatus(virCommand *cmd,
                       char **out,
                       char **errbuf,
                       const char *fmt,
                       ...)
{
    g_autofree char *what = NULL;
    va_list args;

    va_start(args, fmt);
    what = g_strdup_vprintf(fmt, args);
    va_end(args);

    return virStorageLVMRunStatusWhat(cmd, what, out, errbuf);
}


/* Runs @cmd; a failure is reported as the sentence @what, lvm2's stderr
 * appended.  @out (if not NULL) gets its stdout. */
static int
virStorageLVMRunOutput(virCommand *cmd,
                       const char *what,
                       char **out)
{
    g_autofree char *errbuf = NULL;
    g_autofree char *text = NULL;
    int status;

    if ((status = virStorageLVMRunStatusWhat(cmd, what, out ? &text : NULL,
                                             &errbuf)) < 0)
        return -1;

    if (status != 0) {
        virStorageCommandReportExit(what, "lvm2", status, errbuf);
        return -1;
    }

    if (out)
        *out = g_steal_pointer(&text);
    return 0;
}


int
virStorageLVMRun(virCommand *cmd,
                 const char *fmt,
                 ...)
{
    g_autofree char *what = NULL;
    va_list args;

    va_start(args, fmt);
    what = g_strdup_vprintf(fmt, args);
    va_end(args);

    return virStorageLVMRunOutput(cmd, what, NULL);
}


virStorageLVMLVList *
virStorageLVMListLVs(const char *vgname,
                     const char *lvname)
{
    g_autoptr(virCommand) cmd = virStorageLVMBuildLVs(vgname, lvname);
    g_autofree char *what = g_strdup_printf(_("cannot list the logical volumes of volume group '%s'"),
                                            vgname);
    g_autofree char *out = NULL;

    if (virStorageLVMRunOutput(cmd, what, &out) < 0)
        return NULL;
    return virStorageLVMParseLVs(out);
}


virStorageLVMVGList *
virStorageLVMListVG(const char *vgname)
{
    g_autoptr(virCommand) cmd = virStorageLVMBuildVGs(vgname);
    g_autofree char *out = NULL;
    g_autofree char *what = NULL;

    if (vgname)
        what = g_strdup_printf(_("cannot read volume group '%s'"), vgname);
    else
        what = g_strdup(_("cannot list the volume groups of this host"));

    if (virStorageLVMRunOutput(cmd, what, &out) < 0)
        return NULL;
    return virStorageLVMParseVGs(out);
}


virStorageLVMPVList *
virStorageLVMListPVs(void)
{
    g_autoptr(virCommand) cmd = virStorageLVMBuildPVs();
    g_autofree char *out = NULL;

    if (virStorageLVMRunOutput(cmd, _("cannot list the physical volumes of this host"),
                               &out) < 0)
        return NULL;
    return virStorageLVMParsePVs(out);
}
