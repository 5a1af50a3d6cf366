/* common/todo.h — the stub behind the learner edition's missing code.
 *
 * `make handout` replaces each solution region with a call to course_todo(hint, ...).
 * In a test binary (linked with the cmocka harness) it fails the running test with the
 * hint and moves on to the next test; anywhere else (CLI, bench) it prints the hint and
 * aborts. A freestanding build (the kernel) supplies its own definition. */
#ifndef COMMON_TODO_H
#define COMMON_TODO_H

_Noreturn void course_todo(const char *hint, const char *file, int line);

#endif
