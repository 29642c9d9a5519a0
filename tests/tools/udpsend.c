/*
 * udpsend - raw UDP datagrams for the end-to-end tests: what sipp cannot
 * send (bytes that are not SIP, malformed requests) and garbage bursts.
 *
 *   udpsend [-l ADDR] [-p LPORT] [-w MS] HOST PORT FILE
 *	Sends FILE ("-" = stdin) as one datagram from ADDR:LPORT (default:
 *	any address, a port of the kernel's choosing), then waits up to MS
 *	milliseconds (default 1000) for one reply and writes it to stdout.
 *	Exit status: 0 a reply came, 1 none came, 2 usage or system error.
 *
 *   udpsend [-l ADDR] [-p LPORT] -g COUNT [-s SEED] [-r RATE] HOST PORT
 *	Sends COUNT garbage datagrams (at most RATE per second; default: as
 *	fast as the socket takes them), draining and counting any replies,
 *	then waits 200 ms for late replies and prints "sent N replies M".
 *	The garbage is reproducible from SEED and mixes random bytes,
 *	printable junk, CRLF keep-alives, oversized datagrams, and corrupted
 *	or truncated copies of SIP messages. None of it can start a call: the
 *	SIP templates are OPTIONS, BYE and responses with random Call-IDs, so
 *	even an intact one never reaches a callee.
 *
 * Only IPv4/IPv6 literals are accepted (no name resolution in tests).
 */
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#define MAX_DGRAM 65507

struct target {
	struct sockaddr_storage ss;
	socklen_t len;
};

static void usage(void)
{
	fprintf(stderr,
		"usage: udpsend [-l ADDR] [-p LPORT] [-w MS] HOST PORT FILE\n"
		"       udpsend [-l ADDR] [-p LPORT] -g COUNT [-s SEED] [-r RATE] HOST PORT\n");
	exit(2);
}

static int parse_addr(const char *host, const char *port, struct target *t)
{
	char *end;
	unsigned long p = strtoul(port, &end, 10);
	struct sockaddr_in *v4 = (struct sockaddr_in *)&t->ss;
	struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&t->ss;

	if (*port == '\0' || *end != '\0' || p > 65535)
		return -1;
	memset(t, 0, sizeof(*t));
	if (inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
		v4->sin_family = AF_INET;
		v4->sin_port = htons((uint16_t)p);
		t->len = sizeof(*v4);
		return 0;
	}
	if (inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
		v6->sin6_family = AF_INET6;
		v6->sin6_port = htons((uint16_t)p);
		t->len = sizeof(*v6);
		return 0;
	}
	return -1;
}

static int open_socket(const struct target *dst, const char *local, const char *lport)
{
	struct target src;
	int fd = socket(dst->ss.ss_family, SOCK_DGRAM, 0);

	if (fd < 0) {
		perror("udpsend: socket");
		exit(2);
	}
	if (local || lport) {
		if (!local)
			local = dst->ss.ss_family == AF_INET ? "0.0.0.0" : "::";
		if (parse_addr(local, lport ? lport : "0", &src) != 0 ||
		    src.ss.ss_family != dst->ss.ss_family) {
			fprintf(stderr, "udpsend: bad local address '%s' port '%s'\n", local,
				lport ? lport : "0");
			exit(2);
		}
		if (bind(fd, (struct sockaddr *)&src.ss, src.len) != 0) {
			perror("udpsend: bind");
			exit(2);
		}
	}
	return fd;
}

static size_t read_all(const char *path, char *buf, size_t cap)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	size_t n;

	if (!f) {
		fprintf(stderr, "udpsend: cannot open '%s': %s\n", path, strerror(errno));
		exit(2);
	}
	n = fread(buf, 1, cap, f);
	if (ferror(f) || !feof(f)) {
		fprintf(stderr, "udpsend: '%s' is unreadable or larger than %zu bytes\n", path, cap);
		exit(2);
	}
	if (f != stdin)
		fclose(f);
	return n;
}

/* Sends one datagram, waits for one reply and prints it. */
static int send_one(int fd, const struct target *dst, const char *path, int wait_ms)
{
	static char buf[MAX_DGRAM + 1];
	size_t n = read_all(path, buf, sizeof(buf));
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	ssize_t r;

	if (n > MAX_DGRAM) {
		fprintf(stderr, "udpsend: '%s' is larger than a datagram\n", path);
		return 2;
	}
	if (sendto(fd, buf, n, 0, (const struct sockaddr *)&dst->ss, dst->len) != (ssize_t)n) {
		perror("udpsend: sendto");
		return 2;
	}
	if (poll(&pfd, 1, wait_ms) <= 0)
		return 1;
	r = recv(fd, buf, sizeof(buf), 0);
	if (r < 0)
		return 1;	/* e.g. ECONNREFUSED: nothing listens, so no reply */
	fwrite(buf, 1, (size_t)r, stdout);
	return 0;
}

/* xorshift64*: reproducible garbage without libc's rand() state. */
static uint64_t next_rand(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ULL;
}

static const char *const sip_templates[] = {
	"OPTIONS sip:probe@127.0.0.1 SIP/2.0\r\n"
	"Via: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bK%08x\r\n"
	"From: <sip:garbage@127.0.0.1>;tag=%08x\r\n"
	"To: <sip:probe@127.0.0.1>\r\n"
	"Call-ID: garbage-%08x@127.0.0.1\r\n"
	"CSeq: 1 OPTIONS\r\n"
	"Max-Forwards: 70\r\n"
	"Content-Length: 0\r\n\r\n",

	"BYE sip:nobody@127.0.0.1 SIP/2.0\r\n"
	"v: SIP/2.0/UDP 127.0.0.1:9;rport;branch=z9hG4bK%08x\r\n"
	"f: <sip:garbage@127.0.0.1>;tag=%08x\r\n"
	"t: <sip:nobody@127.0.0.1>;tag=x\r\n"
	"i: garbage-%08x\r\n"
	"CSeq: 2 BYE\r\n"
	"l: 0\r\n\r\n",

	"SIP/2.0 200 OK\r\n"
	"Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK%08x\r\n"
	"From: <sip:garbage@127.0.0.1>;tag=%08x\r\n"
	"To: <sip:probe@127.0.0.1>;tag=y\r\n"
	"Call-ID: garbage-%08x\r\n"
	"CSeq: 1 INVITE\r\n"
	"Content-Type: application/sdp\r\n"
	"Content-Length: 20\r\n\r\n"
	"v=0\r\no=- 1 1 IN IP4\r\n",
};

/*
 * One garbage datagram into buf; returns its length. The kinds cover the
 * receive path's early exits (not SIP at all, keep-alives, oversized) and
 * the parser's error paths (SIP with bytes flipped, cut short, or with a
 * line duplicated).
 */
static size_t make_garbage(char *buf, uint64_t *seed)
{
	uint64_t r = next_rand(seed);
	unsigned kind = (unsigned)(r % 16);
	size_t len, i;

	switch (kind) {
	case 0: case 1: case 2:	/* random bytes */
		len = 1 + (size_t)(next_rand(seed) % 1400);
		for (i = 0; i < len; i++)
			buf[i] = (char)next_rand(seed);
		return len;
	case 3: case 4:		/* printable junk with line breaks */
		len = 1 + (size_t)(next_rand(seed) % 600);
		for (i = 0; i < len; i++) {
			unsigned c = (unsigned)(next_rand(seed) % 100);
			buf[i] = c < 5 ? '\r' : c < 10 ? '\n' : (char)(' ' + c % 95);
		}
		return len;
	case 5:			/* keep-alives and tiny datagrams */
		switch (next_rand(seed) % 4) {
		case 0: memcpy(buf, "\r\n\r\n", 4); return 4;
		case 1: memcpy(buf, "\r\n", 2); return 2;
		case 2: buf[0] = 0; return 1;
		default: return 0;
		}
	case 6:			/* oversized: a header section that never ends */
		if (next_rand(seed) % 8 != 0)
			break;
		len = 60000;
		memcpy(buf, "OPTIONS sip:x@127.0.0.1 SIP/2.0\r\nX-Pad: ", 41);
		memset(buf + 41, 'a', len - 41);
		return len;
	default:
		break;
	}

	/* corrupted SIP */
	{
		const char *tpl = sip_templates[next_rand(seed) % 3];
		unsigned id = (unsigned)next_rand(seed);
		int n = snprintf(buf, MAX_DGRAM, tpl, id, id ^ 0x5a5a5a5au, id ^ 0xa5a5a5a5u);
		unsigned flips = (unsigned)(next_rand(seed) % 4);

		if (n <= 0)
			return 0;
		len = (size_t)n;
		switch (next_rand(seed) % 3) {
		case 0:		/* flip bytes (maybe none: an intact message) */
			for (i = 0; i < flips; i++)
				buf[next_rand(seed) % len] = (char)next_rand(seed);
			break;
		case 1:		/* cut short */
			len = (size_t)(next_rand(seed) % len);
			break;
		default:	/* a header line repeated with another value */
			if (len + 32 < MAX_DGRAM) {
				char *eol = strstr(buf, "\r\n");
				const char *dup = "CSeq: 99999999999 OPTIONS\r\n";
				size_t dl = strlen(dup);

				if (eol) {
					eol += 2;
					memmove(eol + dl, eol, len - (size_t)(eol - buf));
					memcpy(eol, dup, dl);
					len += dl;
				}
			}
			break;
		}
		return len;
	}
}

static unsigned drain(int fd)
{
	static char sink[MAX_DGRAM];
	unsigned n = 0;

	for (;;) {
		if (recv(fd, sink, sizeof(sink), MSG_DONTWAIT) >= 0)
			n++;
		else if (errno != ECONNREFUSED)	/* ICMP from an earlier send */
			return n;
	}
}

static void sleep_ns(long ns)
{
	struct timespec ts = { .tv_sec = ns / 1000000000L, .tv_nsec = ns % 1000000000L };

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

static int send_garbage(int fd, const struct target *dst, unsigned long count, uint64_t seed,
			unsigned long rate)
{
	static char buf[MAX_DGRAM];
	unsigned long sent = 0, replies = 0;
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	if (seed == 0)
		seed = 0x9e3779b97f4a7c15ULL;	/* xorshift must not start at 0 */
	while (sent < count) {
		size_t len = make_garbage(buf, &seed);
		ssize_t r = sendto(fd, buf, len, 0, (const struct sockaddr *)&dst->ss, dst->len);

		if (r < 0 && errno != ENOBUFS && errno != EAGAIN && errno != ECONNREFUSED) {
			perror("udpsend: sendto");
			return 2;
		}
		if (r < 0) {	/* the socket is full: let it drain */
			sleep_ns(100000);
			continue;
		}
		sent++;
		if (sent % 64 == 0)
			replies += drain(fd);
		if (rate)
			sleep_ns(1000000000L / (long)rate);
	}
	while (poll(&pfd, 1, 200) > 0)
		replies += drain(fd);
	printf("sent %lu replies %lu\n", sent, replies);
	return 0;
}

int main(int argc, char **argv)
{
	const char *local = NULL, *lport = NULL;
	unsigned long garbage = 0, rate = 0;
	uint64_t seed = 1;
	int wait_ms = 1000, opt, fd, argn;
	struct target dst;

	while ((opt = getopt(argc, argv, "l:p:w:g:s:r:")) != -1) {
		switch (opt) {
		case 'l': local = optarg; break;
		case 'p': lport = optarg; break;
		case 'w': wait_ms = atoi(optarg); break;
		case 'g': garbage = strtoul(optarg, NULL, 10); break;
		case 's': seed = strtoull(optarg, NULL, 10); break;
		case 'r': rate = strtoul(optarg, NULL, 10); break;
		default: usage();
		}
	}
	argn = argc - optind;
	if (argn != (garbage ? 2 : 3) || wait_ms < 0)
		usage();
	if (parse_addr(argv[optind], argv[optind + 1], &dst) != 0) {
		fprintf(stderr, "udpsend: bad address %s %s\n", argv[optind], argv[optind + 1]);
		return 2;
	}
	fd = open_socket(&dst, local, lport);
	if (garbage)
		return send_garbage(fd, &dst, garbage, seed, rate);
	return send_one(fd, &dst, argv[optind + 2], wait_ms);
}
