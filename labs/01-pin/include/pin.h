/* pin.h — pinning for C structs: objects that must not move once they are pinned.
 *
 * A struct that holds pointers into itself (a cursor into its own buffer, a list
 * sentinel that points at itself) is broken by any move: memcpy, realloc, struct
 * assignment, return by value. C allows all of them silently. This header gives such
 * a struct three things. An anchor field (`pin_anchor pin;`) that records where the
 * object was when it was pinned. A pinned-pointer type per struct (`T_pinned`), a
 * one-field wrapper that only pin_init/PIN_BOX/PIN_STACK and projections create, so
 * the compiler keeps pinned and plain pointers apart. And a move check, run on every
 * access through a pinned pointer: one load and one compare on the fast path, a cold
 * out-of-line report ("type, pinned at, now at, file:line") and abort() when the
 * object has moved. Types declared movable (the Unpin analogue) pass the check after
 * a move: the anchor follows them.
 *
 *     typedef struct counter { pin_anchor pin; int *self; int n; } counter;
 *     PIN_TYPE(counter);                       // in a header: declares counter_pinned
 *     PIN_TYPE_DEFINE(counter, NULL);          // in one .c file: the type descriptor
 *
 *     counter_pinned c = PIN_BOX(counter, ((counter){.n = 1}));  // heap, fixed address
 *     PIN_GET(c)->self = &PIN_GET(c)->n;       // self-references only after pinning
 *     PIN_BOX_FREE(counter, c);               // drop, then free
 *
 * Not thread-safe by itself: a pinned object is shared like any other object. */
#ifndef PIN_H
#define PIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* GNU spellings used by this lab, in one place (CONVENTIONS: extensions behind a macro). */
#define PIN_LIKELY(x) __builtin_expect(!!(x), 1)
#define PIN_UNLIKELY(x) __builtin_expect(!!(x), 0)
#define PIN_COLD __attribute__((cold, noinline))

/* What the checker knows about a pinnable struct type. One constant per type, made by
 * PIN_TYPE_DEFINE / PIN_TYPE_DEFINE_MOVABLE. */
typedef struct pin_type {
    const char *name;           /* the C type name, for reports */
    size_t size;                /* sizeof(T): PIN_BOX allocates this much */
    size_t anchor_offset;       /* offsetof(T, pin): anchor address -> object address */
    bool movable;               /* the Unpin analogue: no self-references, may move */
    void (*drop)(void *object); /* run by pin_drop before the memory is released; or NULL */
} pin_type;

/* The field a pinnable struct embeds, always named `pin`. `self` is the anchor's own
 * address while pinned: an object moved by memcpy/realloc/assignment carries the old
 * value to a new place, so `self != &anchor` is exactly "this object moved". */
typedef struct pin_anchor {
    uintptr_t self;       /* 0: not pinned yet; PIN_DROPPED: dropped; else &anchor */
    const pin_type *type; /* set by pin_init */
} pin_anchor;

/* An anchor value that says "this object was dropped" (never a real address). */
#define PIN_DROPPED ((uintptr_t)1)

/* An unpinned anchor: a pinnable struct starts with `.pin = PIN_UNPINNED` (or zeroed). */
#define PIN_UNPINNED ((pin_anchor){0, NULL})

/* --- declaring pinnable types --------------------------------------------------------- */

/* In a header, after the struct's typedef: declares the type descriptor T_pin_type and
 * the pinned-pointer type T_pinned. Use T_pinned in every function that relies on
 * the object staying put (anything that creates or follows self-references). */
#define PIN_TYPE(T)                                                                                \
    extern const pin_type T##_pin_type;                                                            \
    typedef struct T##_pinned {                                                                    \
        T *unchecked_; /* read it only through PIN_GET, which checks */                            \
    } T##_pinned

/* In one .c file: the descriptor of a type that must never move once pinned (!Unpin).
 * drop (void (*)(void *)) runs in pin_drop; NULL for none. */
#define PIN_TYPE_DEFINE(T, drop_fn)                                                                \
    const pin_type T##_pin_type = {#T, sizeof(T), offsetof(T, pin), false, (drop_fn)}

/* In a header instead of PIN_TYPE: a movable type (the Unpin analogue). Moving a
 * pinned object of this type is allowed and the check re-records the new address;
 * PIN_INTO_INNER may unwrap its pinned pointer into a plain one. */
#define PIN_TYPE_MOVABLE(T)                                                                        \
    PIN_TYPE(T);                                                                                   \
    enum { T##_is_movable = 1 }

/* In one .c file, for a type declared with PIN_TYPE_MOVABLE. */
#define PIN_TYPE_DEFINE_MOVABLE(T, drop_fn)                                                        \
    const pin_type T##_pin_type = {#T, sizeof(T), offsetof(T, pin), true, (drop_fn)}

/* --- pinning --------------------------------------------------------------------------- */

/* Records that the object of type `type` at `object` is pinned: from now on it must
 * not move (unless type->movable) until pin_drop. Aborts with a report if the object
 * is already pinned somewhere else (it was copied after pinning). Returns object. */
void *pin_init(const pin_type *type, void *object);

/* Pins *ptr (a T *) in place and returns the T_pinned for it. The storage must stay
 * where it is for as long as the object is pinned: a heap block, a static, or a local
 * that outlives every use (PIN_STACK does that for locals). */
#define PIN_INIT(T, ptr) ((T##_pinned){(T *)pin_init(&T##_pin_type, (T *){(ptr)})})

/* The move check, fast path: one load and one compare, inlined at every use. On a
 * mismatch the cold path reports and aborts (or re-records, for a movable type). */
void pin_check_failed(const pin_anchor *anchor, const char *file, int line) PIN_COLD;

static inline void pin_check_at(const pin_anchor *anchor, const char *file, int line)
{
    if (PIN_UNLIKELY(anchor->self != (uintptr_t)anchor))
        pin_check_failed(anchor, file, line);
}

/* Checks the object behind a T * (its `pin` field) here; aborts if it moved. */
#define PIN_CHECK_PTR(ptr) pin_check_at(&(ptr)->pin, __FILE__, __LINE__)

/* The object behind a pinned pointer, after the move check. Do not move it (no
 * memcpy/assignment of the whole struct); reading and writing fields is fine. pp is
 * evaluated twice: pass a variable, not an expression with side effects. */
#define PIN_GET(pp) (PIN_CHECK_PTR((pp).unchecked_), (pp).unchecked_)

/* The object behind a pinned pointer of a movable type, as a plain pointer: allowed
 * only for types declared with PIN_TYPE_MOVABLE (else: "T_is_movable undeclared"). */
#define PIN_INTO_INNER(T, pp)                                                                      \
    ((void)sizeof(char[T##_is_movable]), PIN_GET((T##_pinned){(pp).unchecked_}))

/* True when the anchor records a live pin at its current address. */
bool pin_is_pinned(const pin_anchor *anchor);

/* The address the anchor recorded for its object when it was pinned (0 if not pinned). */
uintptr_t pin_recorded_address(const pin_anchor *anchor);

/* Ends the pin: checks the object has not moved, runs the type's drop, then marks the
 * anchor dropped so a later check reports use-after-drop. The memory stays the
 * caller's. Returns object. */
void *pin_drop(void *object, const pin_type *type, const char *file, int line);

/* --- heap pinning (Box::pin) ----------------------------------------------------------- */

/* Moves *value (sizeof type->size bytes, not pinned yet) into a new heap block and pins
 * it there. Returns the block, or NULL if out of memory (value untouched). Aborts if
 * *value is already pinned: a pinned value cannot be moved into the box. */
void *pin_box(const pin_type *type, const void *value);

/* Drops and frees a block from pin_box. NULL is a no-op. */
void pin_box_free(void *object, const pin_type *type, const char *file, int line);

/* PIN_BOX(T, value_expr) -> T_pinned (its unchecked_ is NULL if out of memory).
 * value_expr is an expression of type T, typically a constructor call. */
#define PIN_BOX(T, value) ((T##_pinned){(T *)pin_box(&T##_pin_type, (T[1]){value})})

/* Drops and frees the object behind a pinned pointer from PIN_BOX. */
#define PIN_BOX_FREE(T, pp)                                                                        \
    pin_box_free((T##_pinned){(pp).unchecked_}.unchecked_, &T##_pin_type, __FILE__, __LINE__)

/* --- stack pinning (pin!) -------------------------------------------------------------- */

/* Declares `T_pinned name`, pinned to a local slot initialised from value_expr, for
 * the rest of the enclosing scope. The slot's own name (pin_slot_<name>) is reserved:
 * code must reach the object only through `name`. End the pin with PIN_STACK_DROP
 * before the scope ends if the type has a drop (a list node unlinks itself there). */
#define PIN_STACK(T, name, value)                                                                  \
    T pin_slot_##name = (value);                                                                   \
    T##_pinned const name = PIN_INIT(T, &pin_slot_##name)

/* Ends a stack pin made by PIN_STACK (runs the type's drop). */
#define PIN_STACK_DROP(T, name)                                                                    \
    ((void)pin_drop((T##_pinned){(name).unchecked_}.unchecked_, &T##_pin_type, __FILE__, __LINE__))

/* --- projection ------------------------------------------------------------------------
 * A pinned struct's field is either structurally pinned (it is itself pinnable, or
 * something points into it: hand out a pinned pointer, never a plain one) or not
 * (nothing depends on its address: hand out a plain pointer or a copy). Each type
 * writes its own accessors; these two macros are the building blocks. */

/* A field of a pinned object is pinned because its container is: projection pins a
 * structurally pinned field in place the first time it is handed out (idempotent). */
static inline void *pin_project_at(const pin_type *type, void *field)
{
    const pin_anchor *a = (const pin_anchor *)((char *)field + type->anchor_offset);
    if (PIN_UNLIKELY(a->self != (uintptr_t)a))
        return pin_init(type, field);
    return field;
}

/* Pinned pointer to field `field` (of pinnable type FT) of the object behind pp; the
 * container is move-checked first, the field is pinned in place if it is not yet. */
#define PIN_PROJECT(FT, pp, field)                                                                 \
    ((FT##_pinned){(FT *)pin_project_at(&FT##_pin_type, &PIN_GET(pp)->field)})

/* Plain pointer to a field that is not structurally pinned. */
#define PIN_PROJECT_PLAIN(pp, field) (&PIN_GET(pp)->field)

#endif
