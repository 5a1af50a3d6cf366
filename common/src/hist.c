/* hist.c — log-linear latency histogram (see common/hist.h).
 *
 * Bucket index: values below 2^(SUB_BITS+1) map to themselves; a value whose top set
 * bit is k maps to the octave k and the SUB_BITS bits just below the top bit. Each
 * bucket's reported value is its highest member, so percentiles err upwards only. */
#include "common/hist.h"

#include <stdio.h>
#include <string.h>

static unsigned top_bit(uint64_t v)
{
    return 63u - (unsigned)__builtin_clzll(v);
}

static size_t bucket_of(uint64_t v)
{
    if (v < CMN_HIST_LINEAR)
        return (size_t)v;
    unsigned k = top_bit(v);
    unsigned shift = k - CMN_HIST_SUB_BITS;
    uint64_t sub = (v >> shift) & ((1u << CMN_HIST_SUB_BITS) - 1u);
    return CMN_HIST_LINEAR + (size_t)(k - CMN_HIST_SUB_BITS - 1u) * (1u << CMN_HIST_SUB_BITS) +
           (size_t)sub;
}

/* Highest value that falls into bucket i. */
static uint64_t bucket_high(size_t i)
{
    if (i < CMN_HIST_LINEAR)
        return (uint64_t)i;
    size_t j = i - CMN_HIST_LINEAR;
    unsigned k = (unsigned)(j >> CMN_HIST_SUB_BITS) + CMN_HIST_SUB_BITS + 1u;
    uint64_t sub = j & ((1u << CMN_HIST_SUB_BITS) - 1u);
    unsigned shift = k - CMN_HIST_SUB_BITS;
    uint64_t low = ((uint64_t)1 << k) | (sub << shift);
    return low + (((uint64_t)1 << shift) - 1u);
}

void cmn_hist_init(cmn_hist *h)
{
    memset(h, 0, sizeof *h);
    h->min = UINT64_MAX;
}

void cmn_hist_record_n(cmn_hist *h, uint64_t value, uint64_t n)
{
    if (n == 0)
        return;
    h->buckets[bucket_of(value)] += n;
    h->count += n;
    h->sum += (double)value * (double)n;
    if (value < h->min)
        h->min = value;
    if (value > h->max)
        h->max = value;
}

void cmn_hist_record(cmn_hist *h, uint64_t value)
{
    cmn_hist_record_n(h, value, 1);
}

void cmn_hist_merge(cmn_hist *dst, const cmn_hist *src)
{
    for (size_t i = 0; i < CMN_HIST_BUCKETS; i++)
        dst->buckets[i] += src->buckets[i];
    dst->count += src->count;
    dst->sum += src->sum;
    if (src->min < dst->min)
        dst->min = src->min;
    if (src->max > dst->max)
        dst->max = src->max;
}

uint64_t cmn_hist_percentile(const cmn_hist *h, double p)
{
    if (h->count == 0)
        return 0;
    if (p <= 0.0)
        return h->min;
    if (p >= 100.0)
        return h->max;
    /* nearest rank: ceil(p/100 * n), at least 1 */
    double exact = p / 100.0 * (double)h->count;
    uint64_t rank = (uint64_t)exact;
    if ((double)rank < exact)
        rank++;
    if (rank == 0)
        rank = 1;
    uint64_t seen = 0;
    for (size_t i = 0; i < CMN_HIST_BUCKETS; i++) {
        seen += h->buckets[i];
        if (seen >= rank) {
            uint64_t v = bucket_high(i);
            return v > h->max ? h->max : (v < h->min ? h->min : v);
        }
    }
    return h->max;
}

cmn_hist_summary cmn_hist_summarize(const cmn_hist *h)
{
    cmn_hist_summary s = {
        .count = h->count,
        .min = h->count ? h->min : 0,
        .max = h->max,
        .p50 = cmn_hist_percentile(h, 50.0),
        .p90 = cmn_hist_percentile(h, 90.0),
        .p99 = cmn_hist_percentile(h, 99.0),
        .p999 = cmn_hist_percentile(h, 99.9),
        .mean = h->count ? h->sum / (double)h->count : 0.0,
    };
    return s;
}

static const char *scaled(uint64_t ns, int unit_ns, char *buf, size_t len)
{
    if (!unit_ns)
        snprintf(buf, len, "%llu", (unsigned long long)ns);
    else if (ns < 10000u)
        snprintf(buf, len, "%lluns", (unsigned long long)ns);
    else if (ns < 10000000u)
        snprintf(buf, len, "%.1fus", (double)ns / 1e3);
    else if (ns < 10000000000u)
        snprintf(buf, len, "%.1fms", (double)ns / 1e6);
    else
        snprintf(buf, len, "%.2fs", (double)ns / 1e9);
    return buf;
}

int cmn_hist_format(const cmn_hist *h, char *buf, size_t len, int unit_ns)
{
    cmn_hist_summary s = cmn_hist_summarize(h);
    char a[5][24];
    return snprintf(
        buf, len, "p50=%s p90=%s p99=%s p999=%s max=%s (n=%llu)",
        scaled(s.p50, unit_ns, a[0], sizeof a[0]), scaled(s.p90, unit_ns, a[1], sizeof a[1]),
        scaled(s.p99, unit_ns, a[2], sizeof a[2]), scaled(s.p999, unit_ns, a[3], sizeof a[3]),
        scaled(s.max, unit_ns, a[4], sizeof a[4]), (unsigned long long)s.count);
}
