/*
 * sipsniff - kernel timestamps of the INVITEs and of the 200s to INVITE
 * crossing the loopback, for the latency part of `make bench`.
 *
 *   sipsniff OUTFILE      (until SIGTERM or SIGINT)
 *
 * sipp measures response times in whole milliseconds, too coarse for a
 * target under 1 ms. So bench/bench.sh runs this next to the proxy under
 * test (in the benchmark's own network namespace, where a packet socket
 * needs no privilege outside it) and bench/report.py pairs "INVITE into
 * the proxy" with "INVITE out of it" (and the same for the 200) by
 * Call-ID. Each line of OUTFILE is
 *
 *   <sec.nsec> <I|O> <source port> <destination port> <Call-ID>
 *
 * I = an INVITE request, O = a 200 answering an INVITE. Only the copy the
 * loopback delivers (PACKET_HOST) is kept, so each datagram counts once;
 * the timestamp is the kernel's (SO_TIMESTAMPNS), not our read time, so a
 * late read does not skew it. Drops by the packet socket are reported on
 * stderr at the end.
 *
 * A socket filter in the kernel passes only UDP datagrams that start with
 * "INVITE" or "SIP/2.0 200": everything else (the 100s, ACKs, BYEs, the
 * sigd-ccd TCP) is not copied to us at all, so the measurement costs the
 * systems measured as little as it can.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/filter.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH	64
#define SNAP	2048

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* The value of the header NAME (or its compact form) at the start of a
 * line of the message, trimmed; len 0 when absent. */
static const char *header(const char *p, const char *end, const char *name,
			  const char *compact, size_t *len)
{
	size_t nl = strlen(name), cl = strlen(compact);

	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		const char *v = NULL;

		if (!eol)
			eol = end;
		if ((size_t)(eol - p) > nl && !strncasecmp(p, name, nl))
			v = p + nl;
		else if ((size_t)(eol - p) > cl && !strncasecmp(p, compact, cl))
			v = p + cl;
		if (v) {
			while (v < eol && (*v == ' ' || *v == '\t' || *v == ':'))
				v++;
			const char *e = eol;
			while (e > v && (e[-1] == '\r' || e[-1] == ' ' || e[-1] == '\t'))
				e--;
			*len = (size_t)(e - v);
			return v;
		}
		if (eol - p <= 1 || (eol - p == 2 && p[0] == '\r'))
			break;		/* end of the headers */
		p = eol + 1;
	}
	*len = 0;
	return NULL;
}

/* One IPv4 datagram: print it when it is an INVITE or a 200 to INVITE. */
static void packet(FILE *out, const struct timespec *ts, const unsigned char *b, size_t n)
{
	if (n < 28 || (b[0] >> 4) != 4 || b[9] != IPPROTO_UDP)
		return;
	size_t ihl = (size_t)(b[0] & 15) * 4;
	if (n < ihl + 8)
		return;
	const unsigned char *u = b + ihl;
	unsigned sport = (unsigned)u[0] << 8 | u[1], dport = (unsigned)u[2] << 8 | u[3];
	const char *p = (const char *)u + 8, *end = (const char *)b + n;
	char kind;
	size_t len;

	if (end - p > 7 && !memcmp(p, "INVITE ", 7)) {
		kind = 'I';
	} else if (end - p > 11 && !memcmp(p, "SIP/2.0 200", 11)) {
		const char *cseq = header(p, end, "CSeq", "CSeq", &len);
		if (!cseq || len < 6 || memcmp(cseq + len - 6, "INVITE", 6))
			return;
		kind = 'O';
	} else {
		return;
	}
	const char *cid = header(p, end, "Call-ID:", "i:", &len);
	if (!cid || !len)
		return;
	fprintf(out, "%lld.%09ld %c %u %u %.*s\n", (long long)ts->tv_sec, ts->tv_nsec, kind,
		sport, dport, (int)len, cid);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: sipsniff OUTFILE\n");
		return 2;
	}
	FILE *out = fopen(argv[1], "w");
	if (!out) {
		perror(argv[1]);
		return 1;
	}
	int fd = socket(AF_PACKET, SOCK_DGRAM, htons(ETH_P_IP));
	if (fd < 0) {
		perror("socket(AF_PACKET)");
		return 1;
	}
	/* On a SOCK_DGRAM packet socket, offset 0 is the IP header. */
	struct sock_filter code[] = {
		BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 9),			/* protocol */
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, IPPROTO_UDP, 0, 9),
		BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 6),			/* fragment offset */
		BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, 0x1fff, 7, 0),
		BPF_STMT(BPF_LDX | BPF_B | BPF_MSH, 0),			/* X = IP header length */
		BPF_STMT(BPF_LD | BPF_W | BPF_IND, 8),			/* payload bytes 0..3 */
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0x494e5649, 3, 0),	/* "INVI" */
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0x5349502f, 0, 3),	/* "SIP/" */
		BPF_STMT(BPF_LD | BPF_W | BPF_IND, 16),			/* payload bytes 8..11 */
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0x32303020, 0, 1),	/* "200 " */
		BPF_STMT(BPF_RET | BPF_K, SNAP),
		BPF_STMT(BPF_RET | BPF_K, 0),
	};
	struct sock_fprog prog = { .len = sizeof(code) / sizeof(code[0]), .filter = code };
	if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog)) < 0) {
		perror("SO_ATTACH_FILTER");
		return 1;
	}
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_IP),
				   .sll_ifindex = (int)if_nametoindex("lo") };
	int on = 1, buf = 32 << 20;
	struct timeval tv = { .tv_sec = 0, .tv_usec = 200000 };
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buf, sizeof(buf));
	setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof(on));
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0) {
		perror("bind(lo)");
		return 1;
	}
	struct sigaction sa = { .sa_handler = on_signal };
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);

	static unsigned char data[BATCH][SNAP];
	static char ctl[BATCH][CMSG_SPACE(sizeof(struct timespec))];
	struct sockaddr_ll from[BATCH];
	struct iovec iov[BATCH];
	struct mmsghdr msg[BATCH];
	unsigned long long seen = 0;

	while (!stop) {
		for (int i = 0; i < BATCH; i++) {
			iov[i] = (struct iovec){ data[i], SNAP };
			msg[i].msg_hdr = (struct msghdr){ .msg_name = &from[i],
							  .msg_namelen = sizeof(from[i]),
							  .msg_iov = &iov[i], .msg_iovlen = 1,
							  .msg_control = ctl[i],
							  .msg_controllen = sizeof(ctl[i]) };
		}
		int n = recvmmsg(fd, msg, BATCH, MSG_WAITFORONE, NULL);
		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)
				continue;
			perror("recvmmsg");
			break;
		}
		for (int i = 0; i < n; i++) {
			struct timespec ts = { 0, 0 };
			if (from[i].sll_pkttype != PACKET_HOST)
				continue;
			seen++;
			for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg[i].msg_hdr); c;
			     c = CMSG_NXTHDR(&msg[i].msg_hdr, c))
				if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS)
					memcpy(&ts, CMSG_DATA(c), sizeof(ts));
			size_t len = msg[i].msg_len < SNAP ? msg[i].msg_len : SNAP;
			packet(out, &ts, data[i], len);
		}
	}
	struct tpacket_stats st;
	socklen_t sl = sizeof(st);
	memset(&st, 0, sizeof(st));
	getsockopt(fd, SOL_PACKET, PACKET_STATISTICS, &st, &sl);
	fprintf(stderr, "sipsniff: %llu datagrams, %u dropped by the kernel\n", seen, st.tp_drops);
	close(fd);
	return fclose(out) ? 1 : 0;
}
