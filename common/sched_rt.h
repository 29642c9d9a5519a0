/*
 * sched_rt.h - `--rt-prio N`: every thread of a daemon under SCHED_FIFO.
 *
 * Why: on a host where other processes keep the CPUs busy, a datagram or a
 * frame from the other daemon waits until the running process's time
 * slice ends, which under the kernel's fair scheduler can take a
 * millisecond or more. A real-time thread preempts it at once. In the
 * benchmark, with both sipp load generators on the same two CPUs, the p99
 * set-up latency at 3,500 calls/s fell from about 1.4 ms to about 0.6 ms
 * (docs/performance.md). The price: the event loop wakes for each datagram
 * rather than reading a batch, so a call costs more CPU at high rates.
 * The kernel keeps 5% of each CPU for other work (sched_rt_runtime_us), so
 * even a runaway thread cannot lock an operator out.
 *
 * The policy is set on the calling thread before any other starts (as
 * systemd's CPUSchedulingPolicy= does for a whole service): ZeroMQ's I/O
 * thread and the RADIUS workers inherit it. An unprivileged daemon needs
 * an RLIMIT_RTPRIO of at least N (systemd: LimitRTPRIO=).
 */
#ifndef TANDEM_SCHED_RT_H
#define TANDEM_SCHED_RT_H

#include <stddef.h>

/* Highest --rt-prio accepted: the kernel's range for SCHED_FIFO is 1-99. */
#define RT_PRIO_MAX 99

/* SCHED_FIFO at prio for the calling thread; -1 with the reason in err. */
int rt_prio_apply(int prio, char *err, size_t errsz);

/* The calling thread back under the normal scheduler (always allowed), and
 * real-time again: while sigd sheds load, latency is moot, and a flood
 * must not take the CPU from what shares the host (RADIUS, the RTP proxy,
 * an operator's shell). */
int rt_prio_pause(void);

#endif
