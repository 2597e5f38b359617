/*
 * lvm_fuzzer.c: the parsers of lvm2's JSON reports (lvs, vgs, pvs)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * lvm2 prints what its metadata holds, and the metadata of a VG is
 * whatever the disks say: the input is read by all three parsers, and
 * what an LV list offers (capacity, allocation, lookup) is used as the
 * logical backend uses it.
 */

#include <config.h>

#include "fuzz.h"
#include "storage_lvm.h"


static void
fuzzLVs(const char *text)
{
    g_autoptr(virStorageLVMLVList) lvs = virStorageLVMParseLVs(text);
    size_t i;
    size_t j;

    if (!lvs)
        return;

    for (i = 0; i < lvs->nlvs; i++) {
        const virStorageLVMLV *lv = &lvs->lvs[i];

        fuzzAssert(lv->name && lv->uuid);
        fuzzAssert(virStorageLVMLVListFind(lvs, lv->name) != NULL);
        (void) virStorageLVMLVCapacity(lv);
        (void) virStorageLVMLVAllocation(lv);
        fuzzAssert(lv->nsegments > 0);
        for (j = 0; j < lv->nsegments; j++) {
            const virStorageLVMSegment *seg = &lv->segments[j];
            size_t k;

            for (k = 0; k < seg->ndevices; k++)
                fuzzAssert(seg->devices[k].path != NULL);
        }
    }
}


static void
fuzzVGs(const char *text)
{
    g_autoptr(virStorageLVMVGList) vgs = virStorageLVMParseVGs(text);
    size_t i;

    if (!vgs)
        return;
    for (i = 0; i < vgs->nvgs; i++)
        fuzzAssert(vgs->vgs[i].name != NULL);
}


static void
fuzzPVs(const char *text)
{
    g_autoptr(virStorageLVMPVList) pvs = virStorageLVMParsePVs(text);
    size_t i;

    if (!pvs)
        return;
    for (i = 0; i < pvs->npvs; i++)
        fuzzAssert(pvs->pvs[i].name != NULL);
}


int
LLVMFuzzerTestOneInput(const uint8_t *data,
                       size_t size)
{
    g_autofree char *text = fuzzString(data, size);

    fuzzLVs(text);
    fuzzVGs(text);
    fuzzPVs(text);
    return 0;
}
