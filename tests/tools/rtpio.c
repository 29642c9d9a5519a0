/*
 * rtpio - a small RTP sender/receiver and ng client for the media tests.
 *
 *   rtpio relay A_LOCAL A_TO B_LOCAL B_TO [COUNT]
 *       Binds A_LOCAL and B_LOCAL (ip:port: the caller's and the callee's
 *       media addresses from their SDP), sends COUNT (default 20) RTP
 *       packets from A to A_TO and from B to B_TO (the proxy's ports each
 *       side was given), 20 ms apart, and counts what arrives at B from A's
 *       stream and at A from B's. Prints "a->b N/COUNT b->a M/COUNT" and
 *       exits 0 when both directions got at least COUNT - 2.
 *
 *   rtpio ng IP:PORT COMMAND [CALL-ID]
 *       Sends an ng request {"command": COMMAND[, "call-id": CALL-ID]} and
 *       prints the bencoded reply (without its cookie); exit 1 when there
 *       is none within a second. E.g. "rtpio ng 127.0.0.1:2223 list".
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define RTP_HDR 12
#define PAYLOAD 160

static int parse_addr(const char *s, struct sockaddr_in *a)
{
	char host[64];
	const char *colon = strrchr(s, ':');
	long port;

	if (!colon || (size_t)(colon - s) >= sizeof(host))
		return -1;
	memcpy(host, s, (size_t)(colon - s));
	host[colon - s] = '\0';
	port = strtol(colon + 1, NULL, 10);
	memset(a, 0, sizeof(*a));
	a->sin_family = AF_INET;
	a->sin_port = htons((uint16_t)port);
	return port > 0 && port < 65536 && inet_pton(AF_INET, host, &a->sin_addr) == 1 ? 0 : -1;
}

static int bound(const char *local)
{
	struct sockaddr_in a;
	int fd, one = 1;

	if (parse_addr(local, &a) < 0) {
		fprintf(stderr, "rtpio: bad address %s\n", local);
		exit(2);
	}
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		fprintf(stderr, "rtpio: cannot bind %s: %s\n", local, strerror(errno));
		exit(2);
	}
	return fd;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* An RTP packet (PCMU) with ssrc telling the stream apart. */
static void send_rtp(int fd, const struct sockaddr_in *to, uint16_t seq, uint32_t ssrc)
{
	unsigned char p[RTP_HDR + PAYLOAD];
	uint32_t ts = (uint32_t)seq * PAYLOAD;

	p[0] = 0x80;
	p[1] = 0x00;
	p[2] = (unsigned char)(seq >> 8);
	p[3] = (unsigned char)seq;
	p[4] = (unsigned char)(ts >> 24);
	p[5] = (unsigned char)(ts >> 16);
	p[6] = (unsigned char)(ts >> 8);
	p[7] = (unsigned char)ts;
	p[8] = (unsigned char)(ssrc >> 24);
	p[9] = (unsigned char)(ssrc >> 16);
	p[10] = (unsigned char)(ssrc >> 8);
	p[11] = (unsigned char)ssrc;
	memset(p + RTP_HDR, 0xff, PAYLOAD);
	if (sendto(fd, p, sizeof(p), 0, (const struct sockaddr *)to, sizeof(*to)) < 0)
		fprintf(stderr, "rtpio: send: %s\n", strerror(errno));
}

/* Packets of stream ssrc waiting on fd. */
static int drain(int fd, uint32_t ssrc)
{
	unsigned char p[2048];
	int n = 0;
	ssize_t len;

	while ((len = recv(fd, p, sizeof(p), 0)) > 0)
		if (len >= RTP_HDR && ((uint32_t)p[8] << 24 | (uint32_t)p[9] << 16 | (uint32_t)p[10] << 8 | p[11]) == ssrc)
			n++;
	return n;
}

static int relay(int argc, char **argv)
{
	struct sockaddr_in a_to, b_to;
	int count = argc > 6 ? atoi(argv[6]) : 20, got_b = 0, got_a = 0;
	int fa, fb;
	int64_t end;

	if (argc < 6 || count <= 0 || parse_addr(argv[3], &a_to) < 0 || parse_addr(argv[5], &b_to) < 0) {
		fprintf(stderr, "usage: rtpio relay A_LOCAL A_TO B_LOCAL B_TO [COUNT]\n");
		return 2;
	}
	fa = bound(argv[2]);
	fb = bound(argv[4]);
	for (int i = 0; i < count; i++) {
		send_rtp(fa, &a_to, (uint16_t)i, 0xaaaa0001);
		send_rtp(fb, &b_to, (uint16_t)i, 0xbbbb0002);
		usleep(20000);
		got_b += drain(fb, 0xaaaa0001);
		got_a += drain(fa, 0xbbbb0002);
	}
	for (end = now_ms() + 300; now_ms() < end; usleep(10000)) {
		got_b += drain(fb, 0xaaaa0001);
		got_a += drain(fa, 0xbbbb0002);
	}
	printf("a->b %d/%d b->a %d/%d\n", got_b, count, got_a, count);
	return got_b >= count - 2 && got_a >= count - 2 ? 0 : 1;
}

static int ng(int argc, char **argv)
{
	struct sockaddr_in to;
	char msg[1024], reply[65536], cookie[32];
	int fd, n, cl;
	struct pollfd pfd;

	if (argc < 4 || parse_addr(argv[2], &to) < 0) {
		fprintf(stderr, "usage: rtpio ng IP:PORT COMMAND [CALL-ID]\n");
		return 2;
	}
	cl = snprintf(cookie, sizeof(cookie), "rtpio%d_%lld ", (int)getpid(), (long long)now_ms());
	if (argc > 4)
		n = snprintf(msg, sizeof(msg), "%sd7:command%zu:%s7:call-id%zu:%se", cookie, strlen(argv[3]), argv[3],
			     strlen(argv[4]), argv[4]);
	else
		n = snprintf(msg, sizeof(msg), "%sd7:command%zu:%se", cookie, strlen(argv[3]), argv[3]);
	if (n < 0 || (size_t)n >= sizeof(msg))
		return 2;
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0 || sendto(fd, msg, (size_t)n, 0, (struct sockaddr *)&to, sizeof(to)) < 0) {
		fprintf(stderr, "rtpio: cannot send to %s\n", argv[2]);
		return 1;
	}
	pfd.fd = fd;
	pfd.events = POLLIN;
	if (poll(&pfd, 1, 1000) != 1 || (n = (int)recv(fd, reply, sizeof(reply), 0)) < cl ||
	    memcmp(reply, cookie, (size_t)cl) != 0) {
		fprintf(stderr, "rtpio: no answer from %s\n", argv[2]);
		return 1;
	}
	fwrite(reply + cl, 1, (size_t)(n - cl), stdout);
	putchar('\n');
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "relay") == 0)
		return relay(argc, argv);
	if (argc >= 2 && strcmp(argv[1], "ng") == 0)
		return ng(argc, argv);
	fprintf(stderr, "usage: rtpio relay A_LOCAL A_TO B_LOCAL B_TO [COUNT] | rtpio ng IP:PORT COMMAND [CALL-ID]\n");
	return 2;
}
