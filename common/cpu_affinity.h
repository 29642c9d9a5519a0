/*
 * cpu_affinity.h - `--cpu LIST`: the CPUs a daemon's threads may run on.
 *
 * Why a daemon pins itself: every message between sigd and ccd crosses
 * ZeroMQ's I/O thread of each side. When that thread and the event loop
 * run on different CPUs, each hand-off wakes a sleeping CPU with an
 * inter-processor interrupt, which on a virtual machine costs tens of
 * microseconds; on the same CPU it is a plain context switch. Pinning both
 * daemons (sigd to one CPU, ccd to another) measured a third less CPU per
 * call and half the set-up latency at low call rates (docs/performance.md).
 * The mask is applied to the whole process before any thread starts, so
 * every thread inherits it, as with systemd's CPUAffinity=.
 *
 * `--zmq-cpu LIST` moves ZeroMQ's I/O and reaper threads elsewhere. The
 * I/O thread pinned next to a busy event loop only runs when the loop
 * yields: a burst of INVITEs then reaches ccd only once the whole burst
 * has been read. On another CPU (in the benchmark: sigd's on ccd's CPU)
 * it sends while the loop goes on reading, and sigd and ccd work on a
 * burst side by side: a fifth less set-up latency at 3,500 calls/s, and
 * less CPU per call, since the TCP hop between the two I/O threads stays
 * on one CPU (docs/performance.md). zlink_ctx_set_cpus() (zlink.h) applies
 * it; this file stays free of ZeroMQ for the parser's fuzz target.
 *
 * LIST is the kernel's cpu-list syntax: "1", "0,2", "0-3", "0-1,4".
 */
#ifndef TANDEM_CPU_AFFINITY_H
#define TANDEM_CPU_AFFINITY_H

#include <sched.h>
#include <stdbool.h>
#include <stddef.h>

/* Highest CPU number --cpu accepts. */
#define CPU_LIST_MAX 1023

/* false with a one-line reason in err when s is not a cpu list. */
bool cpu_list_parse(const char *s, cpu_set_t *set, char *err, size_t errsz);

/* sched_setaffinity of the calling process; -1 with the reason in err. */
int cpu_affinity_apply(const cpu_set_t *set, char *err, size_t errsz);

/* -1, with the first CPU of set this process may not run on in err, when
 * there is one: ZeroMQ aborts when it cannot pin its threads, so
 * --zmq-cpu is checked before any of them starts (and before --cpu). */
int cpu_affinity_check(const cpu_set_t *set, const char *opt, char *err, size_t errsz);


#endif
