/* common/hist.h — latency recording with percentiles, HDR-histogram style.
 *
 * Values (nanoseconds, or any unsigned unit) go into log-linear buckets: exact below
 * 128, then 64 buckets per power of two, so a reported percentile is never below the
 * true nearest-rank value and at most 1/64 (1.6%) above it. Recording is O(1) with no
 * allocation; the struct is ~30 KiB, so keep one per thread and merge at the end
 * rather than sharing one between threads. No samples are stored or sorted. */
#ifndef COMMON_HIST_H
#define COMMON_HIST_H

#include <stddef.h>
#include <stdint.h>

#define CMN_HIST_SUB_BITS 6
#define CMN_HIST_LINEAR (2u << CMN_HIST_SUB_BITS) /* values below this are exact */
#define CMN_HIST_BUCKETS                                                                           \
    (CMN_HIST_LINEAR + (64u - CMN_HIST_SUB_BITS - 1u) * (1u << CMN_HIST_SUB_BITS))

typedef struct cmn_hist {
    uint64_t count;
    uint64_t min;
    uint64_t max;
    double sum;
    uint64_t buckets[CMN_HIST_BUCKETS];
} cmn_hist;

/* The usual summary of one histogram. */
typedef struct cmn_hist_summary {
    uint64_t count, min, max, p50, p90, p99, p999;
    double mean;
} cmn_hist_summary;

/* Empties h. Not thread-safe (one histogram per thread). */
void cmn_hist_init(cmn_hist *h);

/* Records one value. */
void cmn_hist_record(cmn_hist *h, uint64_t value);

/* Records the same value n times. */
void cmn_hist_record_n(cmn_hist *h, uint64_t value, uint64_t n);

/* Adds every sample of src into dst. */
void cmn_hist_merge(cmn_hist *dst, const cmn_hist *src);

/* Nearest-rank percentile, p in [0, 100]: the smallest recorded bucket value at or
 * above p% of the samples, clamped to [min, max]. Returns 0 for an empty histogram. */
uint64_t cmn_hist_percentile(const cmn_hist *h, double p);

/* Fills the standard summary (p50/p90/p99/p99.9/max...). */
cmn_hist_summary cmn_hist_summarize(const cmn_hist *h);

/* Writes "p50=… p90=… p99=… p999=… max=… (n=…)" into buf, scaling ns to a readable
 * unit (ns, us, ms, s) when unit_ns is non-zero. Returns what snprintf returns. */
int cmn_hist_format(const cmn_hist *h, char *buf, size_t len, int unit_ns);

#endif
