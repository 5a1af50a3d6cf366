/* progress.c — terminal progress bar (see common/progress.h).
 *
 * The bar is redrawn in place with a carriage return; a redraw happens when the count
 * crosses the next 1% step, and the clock is read only then, so updates are cheap. */
#include "common/progress.h"

#include <unistd.h>

#include "common/time.h"

void cmn_progress_start_on(cmn_progress *p, FILE *out, bool force, const char *label,
                           uint64_t total)
{
    p->out = (force || isatty(fileno(out))) ? out : NULL;
    p->label = label;
    p->total = total ? total : 1;
    p->next_draw = 0;
    p->last_ns = 0;
    p->width = 30;
}

void cmn_progress_start(cmn_progress *p, const char *label, uint64_t total)
{
    cmn_progress_start_on(p, stdout, false, label, total);
}

static void draw(cmn_progress *p, uint64_t done)
{
    if (done > p->total)
        done = p->total;
    int filled = (int)((done * (uint64_t)p->width) / p->total);
    unsigned pct = (unsigned)((done * 100u) / p->total);
    fprintf(p->out, "\r%s [", p->label);
    for (int i = 0; i < p->width; i++)
        fputc(i < filled ? '#' : '.', p->out);
    fprintf(p->out, "] %3u%% %llu/%llu", pct, (unsigned long long)done,
            (unsigned long long)p->total);
    fflush(p->out);
}

void cmn_progress_update(cmn_progress *p, uint64_t done)
{
    if (!p->out || done < p->next_draw)
        return;
    uint64_t now = cmn_now_ns();
    uint64_t step = p->total / 100u ? p->total / 100u : 1u;
    p->next_draw = done + step;
    if (done < p->total && p->last_ns && now - p->last_ns < 100000000u)
        return;
    p->last_ns = now;
    draw(p, done);
}

void cmn_progress_finish(cmn_progress *p)
{
    if (!p->out)
        return;
    draw(p, p->total);
    fputc('\n', p->out);
    fflush(p->out);
    p->out = NULL;
}
