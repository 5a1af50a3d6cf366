/* msq.pml — the Michael–Scott queue in Promela, for SPIN.
 *
 * NTHREADS threads each run OPS operations, each chosen nondeterministically to be
 * an enqueue of a fresh value or a dequeue, so SPIN explores every interleaving of
 * every mix. Nodes come from a LIFO free stack and a dequeued node goes straight back
 * on it (type-stable memory, no reclamation scheme): exactly the setting of the 1996
 * paper, where the tags alone must prevent ABA. Every shared read and every CAS is
 * one atomic step; everything else a thread does is private.
 *
 * Compile with -DTAGGED for the counted-pointer version (head, tail and each next
 * carry a tag that every successful CAS increments, and comparisons include it);
 * without it, comparisons see only the node index, and SPIN finds the ABA: a
 * dequeuer's stale CAS on head succeeds and a value is dequeued twice.
 *
 * The dequeue is src/queue.c's: it does not read tail at all (head may pass a lagging
 * tail); the old dummy is freed only after the thread's next successful dequeue (it
 * waits as the thread's pending node), or when the thread leaves, after swinging
 * tail off it if needed.
 *
 * Checked: a dequeued value was enqueued and is dequeued at most once; values of one
 * producer are dequeued in the order it enqueued them (per consumer); a node is never
 * freed while tail names it; at the end the list from head to tail holds exactly the
 * enqueued values not dequeued, in order. */

#ifndef NTHREADS
#define NTHREADS 2
#endif
#ifndef OPS
#define OPS 3
#endif
#define NNODES (NTHREADS * OPS + 1)
#define NVALS (NTHREADS * OPS + 1)   /* value v = thread * OPS + k + 1, so 1..NVALS-1 */
#define NIL 255
#define EMPTY 0

#ifdef TAGGED
#define SAME(p, pt, q, qt) ((p) == (q) && (pt) == (qt))
#else
#define SAME(p, pt, q, qt) ((p) == (q))
#endif

byte nxt[NNODES];
byte nxtag[NNODES];
byte val[NNODES];
byte head, htag, tail, ttag;
byte freestk[NNODES];
byte nfree;
bit enqd[NVALS];
bit deqd[NVALS];
byte done;

inline enqueue(v)
{
    atomic {
        if
        :: nfree > 0 -> nfree--; n = freestk[nfree]
        :: else -> n = NIL
        fi
    }
    if
    :: n != NIL ->
        d_step { val[n] = v; nxt[n] = NIL; enqd[v] = 1 }   /* next's tag is kept */
        printf("MSC: T%d enqueue %d: takes node %d\n", id, v, n);
        do
        :: atomic { t = tail; tt = ttag };
           atomic { nx = nxt[t]; nxt_t = nxtag[t] };
           atomic { ok = SAME(t, tt, tail, ttag) };
           if
           :: ok && nx == NIL ->
              atomic {
                  if
                  :: SAME(nxt[t], nxtag[t], nx, nxt_t) -> nxt[t] = n; nxtag[t]++; ok = 1;
                     printf("MSC: T%d links node %d after node %d\n", id, n, t)
                  :: else -> ok = 0
                  fi
              }
              if
              :: ok -> break
              :: else -> skip
              fi
           :: ok && nx != NIL ->
              atomic {
                  if
                  :: SAME(tail, ttag, t, tt) ->
                     printf("MSC: T%d helps: swings tail %d -> %d\n", id, tail, nx);
                     tail = nx; ttag++
                  :: else -> skip
                  fi
              }
           :: else -> skip
           fi
        od;
        atomic {
            if
            :: SAME(tail, ttag, t, tt) ->
               printf("MSC: T%d swings tail %d -> %d (read tail = %d earlier)\n", id, tail, n, t);
               tail = n; ttag++
            :: else -> skip
            fi
        }
    :: else -> skip    /* pool exhausted: the enqueue reports -EAGAIN */
    fi
}

/* Frees node f straight back to the pool (immediate reuse). */
inline free_node(f)
{
    atomic {
        assert(tail != f);                        /* never free the node tail names */
        assert(nfree < NNODES);
        freestk[nfree] = f; nfree++;
        printf("MSC: T%d frees node %d\n", id, f)
    }
}

/* A leaving thread frees its pending node, first swinging tail off it if needed
 * (pending_flush in src/queue.c). */
inline flush_pending()
{
    if
    :: pend != NIL ->
       atomic { t = tail; tt = ttag };
       if
       :: t == pend ->
          atomic {
              if
              :: SAME(tail, ttag, t, tt) ->
                 printf("MSC: T%d swings tail %d -> %d off its pending node\n", id, tail, nxt[pend]);
                 tail = nxt[pend]; ttag++
              :: else -> skip
              fi
          }
       :: else -> skip
       fi;
       free_node(pend);
       pend = NIL
    :: else -> skip
    fi
}

inline dequeue()
{
    do
    :: atomic { h = head; ht = htag };
       atomic { nx = nxt[h]; nxt_t = nxtag[h] };
       atomic { ok = SAME(h, ht, head, htag) };
       if
       :: ok && nx == NIL -> r = EMPTY; printf("MSC: T%d dequeue: empty\n", id); break
       :: ok && nx != NIL ->
          r = val[nx];
          printf("MSC: T%d reads head = %d, next = %d, value %d\n", id, h, nx, r);
          atomic {
              if
              :: SAME(head, htag, h, ht) -> head = nx; htag++; ok = 1;
                 printf("MSC: T%d dequeues %d: head %d -> %d\n", id, r, h, nx)
              :: else -> ok = 0
              fi
          }
          if
          :: ok -> break
          :: else -> skip
          fi
       :: else -> skip
       fi
    od;
    if
    :: r != EMPTY ->
       atomic {
           assert(r > 0 && r < NVALS && enqd[r]);   /* never invent a value */
           assert(!deqd[r]);                         /* never dequeue one twice */
           p = (r - 1) / OPS;
           assert(last[p] < r);                      /* per-producer FIFO */
           last[p] = r;
           deqd[r] = 1
       };
       /* Head may have passed a lagging tail, so the old dummy h is not freed now: it
        * waits as this thread's pending node, and the previous pending one, which
        * our CAS has now moved head beyond, is freed. */
       if
       :: pend != NIL -> free_node(pend)
       :: else -> skip
       fi;
       pend = h
    :: else -> skip
    fi
}

proctype worker(byte id)
{
    byte n, t, tt, nx, nxt_t, h, ht, r, p, k;
    byte pend = NIL;
    bit ok;
    byte last[NTHREADS];
    k = 0;
    do
    :: k < OPS ->
       if
       :: enqueue(id * OPS + k + 1)
       :: dequeue()
       fi;
       k++
    :: else -> break
    od;
    flush_pending();
    done++
}

init {
    byte i, cur, cnt, v;
    atomic {
        /* node 0 is the dummy; 1..NNODES-1 are free, popped in order 1, 2, ... */
        i = 0;
        do
        :: i < NNODES -> nxt[i] = NIL; i++
        :: else -> break
        od;
        head = 0; tail = 0;
        i = 1;
        do
        :: i < NNODES -> freestk[NNODES - 1 - i] = i; i++
        :: else -> break
        od;
        nfree = NNODES - 1;
        i = 0;
        do
        :: i < NTHREADS -> run worker(i); i++
        :: else -> break
        od
    }
    done == NTHREADS;
    /* Quiescent: the list holds exactly the enqueued, undequeued values, each
     * producer's in order, and tail is its last node. */
    cur = nxt[head];
    cnt = 0;
    do
    :: cur != NIL ->
       v = val[cur];
       assert(enqd[v] && !deqd[v]);
       deqd[v] = 1;
       cnt++;
       assert(cnt < NNODES);
       if
       :: nxt[cur] == NIL -> assert(tail == cur)
       :: else -> skip
       fi;
       cur = nxt[cur]
    :: else -> break
    od;
    i = 1;
    do
    :: i < NVALS -> assert(enqd[i] == deqd[i]); i++
    :: else -> break
    od
}
