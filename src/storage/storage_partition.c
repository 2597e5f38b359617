/*
 * storage_partition.c: partition tables, through our libparted helper
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The protocol of the helper is described in storage_partition.h.  Only
 * virStoragePartitionHelperPath and virStoragePartitionRun do I/O; the
 * builders, the JSON parser and the naming rules are pure.
 */

#include <config.h>

#include <dlfcn.h>

#include "storage_partition.h"
#include "storage_command.h"
#include "virerror.h"
#include "virjson.h"
#include "virlog.h"
#include "virstring.h"

#define VIR_FROM_THIS VIR_FROM_STORAGE

VIR_LOG_INIT("storage.storage_partition");

#define VIR_STORAGE_PARTITION_HELPER "libvirt_storage_parthelper"
#define VIR_STORAGE_PARTITION_HELPER_ENV "LIBVIRT_STORAGE_PARTHELPER"

VIR_ENUM_IMPL(virStoragePartitionKind,
              VIR_STORAGE_PARTITION_LAST,
              "primary", "logical", "extended",
);


void
virStoragePartitionTableFree(virStoragePartitionTable *table)
{
    size_t i;

    if (!table)
        return;

    for (i = 0; i < table->npartitions; i++)
        g_free(table->partitions[i].fs);
    g_free(table->partitions);
    g_free(table->free);
    g_free(table->label);
    g_free(table->device);
    g_free(table);
}


/* ------------------------------------------------------------ parser */

static void
virStoragePartitionReportMalformed(const char *device,
                                   const char *what)
{
    virReportError(VIR_ERR_INTERNAL_ERROR,
                   _("malformed output of %s for device '%s': %s"),
                   VIR_STORAGE_PARTITION_HELPER, device, what);
}


static int
virStoragePartitionParseKind(virJSONValue *obj,
                             const char *device,
                             virStoragePartitionKind *kind)
{
    const char *str = virJSONValueObjectGetString(obj, "kind");
    int value;

    if (!str || (value = virStoragePartitionKindTypeFromString(str)) < 0) {
        virStoragePartitionReportMalformed(device, "missing or unknown 'kind'");
        return -1;
    }
    *kind = value;
    return 0;
}


static int
virStoragePartitionParseExtent(virJSONValue *obj,
                               const char *device,
                               unsigned long long *start,
                               unsigned long long *end)
{
    if (virJSONValueObjectGetNumberUlong(obj, "start", start) < 0 ||
        virJSONValueObjectGetNumberUlong(obj, "end", end) < 0) {
        virStoragePartitionReportMalformed(device, "missing 'start' or 'end'");
        return -1;
    }
    if (*end < *start) {
        virStoragePartitionReportMalformed(device, "an extent ends before it starts");
        return -1;
    }
    return 0;
}


static int
virStoragePartitionParseFlags(virJSONValue *obj,
                              const char *device,
                              virStoragePartition *part)
{
    virJSONValue *flags = virJSONValueObjectGet(obj, "flags");
    size_t i;

    if (!flags)
        return 0;
    if (!virJSONValueIsArray(flags)) {
        virStoragePartitionReportMalformed(device, "'flags' is not an array");
        return -1;
    }

    for (i = 0; i < virJSONValueArraySize(flags); i++) {
        const char *flag = virJSONValueGetString(virJSONValueArrayGet(flags, i));

        if (!flag) {
            virStoragePartitionReportMalformed(device, "a flag is not a string");
            return -1;
        }
        if (STREQ(flag, "lvm"))
            part->lvm = true;
        else if (STREQ(flag, "raid"))
            part->raid = true;
    }
    return 0;
}


static int
virStoragePartitionParseOne(virJSONValue *obj,
                            const char *device,
                            virStoragePartition *part)
{
    const char *fs;

    if (!virJSONValueIsObject(obj)) {
        virStoragePartitionReportMalformed(device, "a partition is not an object");
        return -1;
    }
    if (virJSONValueObjectGetNumberUint(obj, "number", &part->number) < 0 ||
        part->number == 0) {
        virStoragePartitionReportMalformed(device, "missing or zero partition 'number'");
        return -1;
    }
    if (virStoragePartitionParseKind(obj, device, &part->kind) < 0 ||
        virStoragePartitionParseExtent(obj, device, &part->start, &part->end) < 0 ||
        virStoragePartitionParseFlags(obj, device, part) < 0)
        return -1;

    if ((fs = virJSONValueObjectGetString(obj, "fs")))
        part->fs = g_strdup(fs);
    return 0;
}


static int
virStoragePartitionParseFree(virJSONValue *obj,
                             const char *device,
                             virStoragePartitionFree *region)
{
    if (!virJSONValueIsObject(obj)) {
        virStoragePartitionReportMalformed(device, "a free region is not an object");
        return -1;
    }
    if (virStoragePartitionParseKind(obj, device, &region->kind) < 0 ||
        virStoragePartitionParseExtent(obj, device, &region->start, &region->end) < 0)
        return -1;
    if (region->kind == VIR_STORAGE_PARTITION_EXTENDED) {
        virStoragePartitionReportMalformed(device, "a free region of kind 'extended'");
        return -1;
    }
    return 0;
}


static int
virStoragePartitionParseArrays(virJSONValue *root,
                               const char *device,
                               virStoragePartitionTable *table)
{
    virJSONValue *parts = virJSONValueObjectGetArray(root, "partitions");
    virJSONValue *frees = virJSONValueObjectGetArray(root, "free");
    size_t i;

    if (!parts || !frees) {
        virStoragePartitionReportMalformed(device, "missing 'partitions' or 'free' array");
        return -1;
    }

    table->partitions = g_new0(virStoragePartition, virJSONValueArraySize(parts));
    for (i = 0; i < virJSONValueArraySize(parts); i++) {
        if (virStoragePartitionParseOne(virJSONValueArrayGet(parts, i), device,
                                        &table->partitions[i]) < 0)
            return -1;
        table->npartitions++;
    }

    table->free = g_new0(virStoragePartitionFree, virJSONValueArraySize(frees));
    for (i = 0; i < virJSONValueArraySize(frees); i++) {
        if (virStoragePartitionParseFree(virJSONValueArrayGet(frees, i), device,
                                         &table->free[i]) < 0)
            return -1;
        table->nfree++;
    }
    return 0;
}


virStoragePartitionTable *
virStoragePartitionTableParse(const char *json,
                              const char *device)
{
    g_autoptr(virJSONValue) root = NULL;
    g_autoptr(virStoragePartitionTable) table = g_new0(virStoragePartitionTable, 1);
    const char *str;

    if (!json || !(root = virJSONValueFromString(json)) ||
        !virJSONValueIsObject(root)) {
        /* virJSONValueFromString reported the parse error; make the
         * message name the helper and the device */
        virStoragePartitionReportMalformed(device, "not a JSON object");
        return NULL;
    }

    if (!(str = virJSONValueObjectGetString(root, "device"))) {
        virStoragePartitionReportMalformed(device, "missing 'device'");
        return NULL;
    }
    table->device = g_strdup(str);

    if (!virJSONValueObjectHasKey(root, "label")) {
        virStoragePartitionReportMalformed(device, "missing 'label'");
        return NULL;
    }
    if ((str = virJSONValueObjectGetString(root, "label")))
        table->label = g_strdup(str);

    if (virJSONValueObjectGetNumberUint(root, "sector-size", &table->sectorSize) < 0 ||
        table->sectorSize == 0 ||
        virJSONValueObjectGetNumberUlong(root, "size", &table->size) < 0 ||
        virJSONValueObjectGetNumberUint(root, "max-partitions",
                                        &table->maxPartitions) < 0) {
        virStoragePartitionReportMalformed(device,
                                           "missing 'sector-size', 'size' or 'max-partitions'");
        return NULL;
    }

    if (virStoragePartitionParseArrays(root, device, table) < 0)
        return NULL;

    if (virJSONValueObjectHasKey(root, "new") &&
        (virJSONValueObjectGetNumberUint(root, "new", &table->added) < 0 ||
         table->added == 0)) {
        virStoragePartitionReportMalformed(device, "'new' is not a partition number");
        return NULL;
    }

    return g_steal_pointer(&table);
}


/* ------------------------------------------------------------ builders */

virCommand *
virStoragePartitionBuildRead(const char *helper,
                             const char *device)
{
    return virCommandNewArgList(helper, "read", device, NULL);
}


virCommand *
virStoragePartitionBuildMklabel(const char *helper,
                                const char *device,
                                const char *label)
{
    return virCommandNewArgList(helper, "mklabel", device, label, NULL);
}


virCommand *
virStoragePartitionBuildAdd(const char *helper,
                            const char *device,
                            virStoragePartitionKind kind,
                            const char *fstype,
                            unsigned long long size,
                            unsigned int number)
{
    virCommand *cmd = virCommandNewArgList(helper, "add", device,
                                           virStoragePartitionKindTypeToString(kind),
                                           fstype ? fstype : "none", NULL);

    virCommandAddArgFormat(cmd, "%llu", size);
    if (number > 0)
        virCommandAddArgFormat(cmd, "%u", number);
    return cmd;
}


virCommand *
virStoragePartitionBuildDelete(const char *helper,
                               const char *device,
                               unsigned int number,
                               const unsigned long long *start)
{
    virCommand *cmd = virCommandNewArgList(helper, "delete", device, NULL);

    virCommandAddArgFormat(cmd, "%u", number);
    if (start)
        virCommandAddArgFormat(cmd, "%llu", *start);
    return cmd;
}


virCommand *
virStoragePartitionBuildResize(const char *helper,
                               const char *device,
                               unsigned int number,
                               unsigned long long size)
{
    virCommand *cmd = virCommandNewArgList(helper, "resize", device, NULL);

    virCommandAddArgFormat(cmd, "%u", number);
    virCommandAddArgFormat(cmd, "%llu", size);
    return cmd;
}


/* ------------------------------------------------------------ naming */

char *
virStoragePartitionKernelName(const char *device,
                              unsigned int number)
{
    g_autofree char *disk = g_path_get_basename(device);
    size_t len = strlen(disk);
    bool endsInDigit = len > 0 && g_ascii_isdigit(disk[len - 1]);

    return g_strdup_printf("%s%s%u", disk, endsInDigit ? "p" : "", number);
}


unsigned int
virStoragePartitionNumberFromName(const char *device,
                                  const char *name)
{
    g_autofree char *prefix = virStoragePartitionKernelName(device, 0);
    const char *digits;
    char *end = NULL;
    unsigned long long number;

    /* the name of partition 0 is the prefix followed by "0" */
    prefix[strlen(prefix) - 1] = '\0';
    if (!STRPREFIX(name, prefix))
        return 0;

    digits = name + strlen(prefix);
    if (!g_ascii_isdigit(digits[0]) || digits[0] == '0')
        return 0;

    errno = 0;
    number = strtoull(digits, &end, 10);
    if (errno != 0 || *end != '\0' || number > UINT_MAX)
        return 0;
    return number;
}


const virStoragePartition *
virStoragePartitionFind(const virStoragePartitionTable *table,
                        unsigned int number)
{
    size_t i;

    for (i = 0; i < table->npartitions; i++) {
        if (table->partitions[i].number == number)
            return &table->partitions[i];
    }
    return NULL;
}


static bool
virStoragePartitionHasExtended(const virStoragePartitionTable *table)
{
    size_t i;

    for (i = 0; i < table->npartitions; i++) {
        if (table->partitions[i].kind == VIR_STORAGE_PARTITION_EXTENDED)
            return true;
    }
    return false;
}


static unsigned int
virStoragePartitionLowestFree(const virStoragePartitionTable *table,
                              unsigned int highest)
{
    unsigned int n;

    for (n = 1; n <= highest; n++) {
        if (!virStoragePartitionFind(table, n))
            return n;
    }
    return 0;
}


/* msdos: one past the highest logical partition, from 5 */
static unsigned int
virStoragePartitionNextLogical(const virStoragePartitionTable *table)
{
    unsigned int next = 5;
    size_t i;

    if (!virStoragePartitionHasExtended(table))
        return 0;

    for (i = 0; i < table->npartitions; i++) {
        if (table->partitions[i].kind == VIR_STORAGE_PARTITION_LOGICAL &&
            table->partitions[i].number >= next)
            next = table->partitions[i].number + 1;
    }
    return next;
}


unsigned int
virStoragePartitionNextNumber(const virStoragePartitionTable *table,
                              virStoragePartitionKind kind)
{
    bool msdos = STREQ_NULLABLE(table->label, "msdos");

    if (!table->label)
        return 0;

    switch (kind) {
    case VIR_STORAGE_PARTITION_EXTENDED:
        if (!msdos || virStoragePartitionHasExtended(table))
            return 0;
        G_GNUC_FALLTHROUGH;
    case VIR_STORAGE_PARTITION_PRIMARY:
        return virStoragePartitionLowestFree(table, msdos ? 4 : table->maxPartitions);
    case VIR_STORAGE_PARTITION_LOGICAL:
        return msdos ? virStoragePartitionNextLogical(table) : 0;
    case VIR_STORAGE_PARTITION_LAST:
        break;
    }
    return 0;
}


/* ------------------------------------------------------------ running */

char *
virStoragePartitionHelperPath(void)
{
    const char *override = g_getenv(VIR_STORAGE_PARTITION_HELPER_ENV);
    g_autofree char *dir = NULL;
    Dl_info info;

    if (override && *override)
        return g_strdup(override);

    if (dladdr((void *)virStoragePartitionHelperPath, &info) == 0 ||
        !info.dli_fname) {
        virReportError(VIR_ERR_INTERNAL_ERROR, "%s",
                       _("cannot find the directory of the disk storage module"));
        return NULL;
    }

    dir = g_path_get_dirname(info.dli_fname);
    return g_build_filename(dir, VIR_STORAGE_PARTITION_HELPER, NULL);
}


/* The helper exited non-zero, having written @err on stderr. */
static void
virStoragePartitionReportFailure(const char *device,
                                 const char *err)
{
    if (*err)
        virReportError(VIR_ERR_OPERATION_FAILED,
                       _("the partition helper cannot read or change the partition table of device '%s': %s"),
                       device, err);
    else
        virReportError(VIR_ERR_OPERATION_FAILED,
                       _("the partition helper failed on the partition table of device '%s' without saying why: see the daemon's log"),
                       device);
}


/* Runs the helper within VIR_STORAGE_PARTITION_TIME_LIMIT: its exit
 * status, with @out and @err set; -1 reported if it could not run or
 * was stopped. */
static int
virStoragePartitionRunHelper(virCommand *cmd,
                             const char *device,
                             char **out,
                             char **err)
{
    g_autofree char *what = g_strdup_printf(_("the partition table of device '%s' was not read or changed"),
                                            device);

    return virStorageCommandRunLimited(cmd, VIR_STORAGE_PARTITION_TIME_LIMIT,
                                       what, out, err, NULL);
}


virStoragePartitionTable *
virStoragePartitionRun(virCommand *cmd,
                       const char *device)
{
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;
    int status;

    if ((status = virStoragePartitionRunHelper(cmd, device, &out, &err)) < 0)
        return NULL;

    if (status != 0) {
        virStoragePartitionReportFailure(device, err);
        return NULL;
    }

    return virStoragePartitionTableParse(out, device);
}


/* {"busy": {"number": N, "path": "/dev/sdb1"}}: 0 and both set, or -1. */
static int
virStoragePartitionParseBusy(const char *json,
                             unsigned int *number,
                             char **path)
{
    g_autoptr(virJSONValue) root = NULL;
    virJSONValue *busy;
    const char *str;

    if (!json ||
        !(root = virJSONValueFromString(json)) ||
        !(busy = virJSONValueObjectGetObject(root, "busy")) ||
        virJSONValueObjectGetNumberUint(busy, "number", number) < 0 ||
        !(str = virJSONValueObjectGetString(busy, "path")))
        return -1;

    *path = g_strdup(str);
    return 0;
}


virStoragePartitionTable *
virStoragePartitionRunDelete(virCommand *cmd,
                             const char *device,
                             const char *poolname,
                             const char *volname,
                             unsigned int number)
{
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;
    g_autofree char *busyPath = NULL;
    unsigned int busyNumber;
    int status;

    if ((status = virStoragePartitionRunHelper(cmd, device, &out, &err)) < 0)
        return NULL;

    if (status == 0)
        return virStoragePartitionTableParse(out, device);

    if (status == VIR_STORAGE_PARTITION_EXIT_BUSY &&
        virStoragePartitionParseBusy(out, &busyNumber, &busyPath) == 0) {
        if (busyNumber == number)
            virReportError(VIR_ERR_OPERATION_INVALID,
                           _("volume '%s' of pool '%s' is in use: a guest or another process holds its partition %s open, and the kernel cannot drop an open partition; stop what uses it (shut the guest down or detach the disk) and delete the volume again (the partition table was not changed)"),
                           volname, poolname, busyPath);
        else
            virReportError(VIR_ERR_OPERATION_INVALID,
                           _("volume '%s' of pool '%s' cannot be deleted while partition %s is in use: deleting it renumbers the logical partitions after it, and the kernel cannot renumber an open partition; stop what uses %s and delete the volume again (the partition table was not changed)"),
                           volname, poolname, busyPath, busyPath);
        return NULL;
    }

    virStoragePartitionReportFailure(device, err);
    return NULL;
}
