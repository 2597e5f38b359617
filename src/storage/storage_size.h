/*
 * storage_size.h: arithmetic on sizes that come from clients and tools
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A capacity a client asks for can be anything up to 2^64 - 1, and so
 * can a number lvm2, qemu-img or an image header reports.  VIR_ROUND_UP
 * and VIR_DIV_UP wrap near 2^64 (a resize to 2^64 - 1 rounded up to 512
 * bytes is a resize to 0) and divide by zero when the unit is 0.  Sizes
 * are rounded here instead: a result that does not fit, or a unit of 0,
 * is a refusal the caller reports.
 */

#pragma once

#include "internal.h"

/*
 * Rounds @value up to a multiple of @unit into *@result.  Returns false,
 * leaving *@result alone, when @unit is 0 or the result does not fit in
 * an unsigned long long.
 */
static inline bool
virStorageSizeRoundUp(unsigned long long value,
                      unsigned long long unit,
                      unsigned long long *result)
{
    unsigned long long rem;

    if (unit == 0)
        return false;

    rem = value % unit;
    if (rem == 0) {
        *result = value;
        return true;
    }
    if (value > ULLONG_MAX - (unit - rem))
        return false;

    *result = value + (unit - rem);
    return true;
}
