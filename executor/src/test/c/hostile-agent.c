/*
 * hostile-agent: a stand-in for boxq-agent that breaks the protocol on purpose, for HostileAgentIT.
 * It is mounted where the agent would be and started the same way:
 *
 *   hostile-agent init  SOCKET   keeps the container alive and starts "serve" (like the agent)
 *   hostile-agent serve SOCKET   dials the node, says hello, then misbehaves on each run
 *   hostile-agent --version      prints VERSION, which a good hello names too
 *
 * A run's command picks the misbehaviour (its first word, below); anything else is answered well.
 * The hello is chosen by the file /tmp/boxq-hostile-hello, which the run "prime-hello WORD" writes
 * and the next "serve" reads and removes: garbage, wrong-version, none (never says anything),
 * close, huge (a hello header of 0xffffffff bytes).
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define VERSION "boxq-agent/1 hostile"
#define HELLO_FILE "/tmp/boxq-hostile-hello"
#define MAX_REQUEST (64u << 20)

static int sock = -1;

static void put_u32(unsigned char *p, uint32_t v) {
    p[0] = v >> 24; p[1] = v >> 16; p[2] = v >> 8; p[3] = v;
}

static uint32_t get_u32(const unsigned char *p) {
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Writes all of it; a node that hung up ends this process. */
static void put(const void *buf, size_t n) {
    const char *p = buf;
    while (n > 0) {
        ssize_t w = write(sock, p, n);
        if (w <= 0) _exit(0);
        p += w; n -= (size_t)w;
    }
}

static void header(char type, uint32_t len) {
    unsigned char h[5];
    h[0] = (unsigned char)type;
    put_u32(h + 1, len);
    put(h, 5);
}

static void frame(char type, const void *payload, uint32_t len) {
    header(type, len);
    put(payload, len);
}

static void out(unsigned char stream, const char *bytes, uint32_t len) {
    header('O', len + 1);
    put(&stream, 1);
    put(bytes, len);
}

static void exit_frame(int32_t code) {
    unsigned char x[13] = {0};
    put_u32(x, (uint32_t)code);
    memset(x + 4, 0xff, 8); /* cpu unknown */
    frame('X', x, sizeof x);
}

static void status(int32_t code, const char *text) {
    unsigned char s[4 + 256];
    uint32_t n = (uint32_t)strlen(text);
    put_u32(s, (uint32_t)code);
    memcpy(s + 4, text, n);
    frame('S', s, 4 + n);
}

static void hello(const char *version) {
    unsigned char h[4 + 128 + 4];
    uint32_t n = (uint32_t)strlen(version);
    put_u32(h, n);
    memcpy(h + 4, version, n);
    put_u32(h + 4 + n, (uint32_t)getpid());
    frame('H', h, 8 + n);
}

static void forever(void) {
    for (;;) pause();
}

/* Reads exactly n bytes; the node closing the socket ends this process. */
static void take(void *buf, size_t n) {
    char *p = buf;
    while (n > 0) {
        ssize_t r = read(sock, p, n);
        if (r <= 0) _exit(0);
        p += r; n -= (size_t)r;
    }
}

/* The command of a run request (NUL-terminated, cut at 255 bytes), or "" when it has none. */
static void command_of(const unsigned char *p, uint32_t len, char *cmd, size_t cap) {
    cmd[0] = 0;
    if (len < 12) return;
    uint32_t shell = get_u32(p + 8);
    if (shell > len - 12 || len - 12 - shell < 4) return;
    uint32_t n = get_u32(p + 12 + shell);
    if (n > len - 16 - shell) return;
    size_t k = n < cap - 1 ? n : cap - 1;
    memcpy(cmd, p + 16 + shell, k);
    cmd[k] = 0;
}

static void misbehave(const char *cmd, uint32_t limit) {
    static char chunk[65536];
    if (!strcmp(cmd, "garbage")) {
        put("\x01\x02garbage\xff\xfe\x00\x00", 13);
    } else if (!strcmp(cmd, "too-long")) {
        header('O', 65536 + 2);
        put("\x01" "abc", 4);
    } else if (!strcmp(cmd, "ffffffff")) {
        header('O', 0xffffffffu);
    } else if (!strcmp(cmd, "stream7")) {
        out(7, "x", 1);
    } else if (!strcmp(cmd, "empty-out")) {
        out(1, "", 0);
    } else if (!strcmp(cmd, "flood")) {
        memset(chunk, 'f', sizeof chunk);
        for (;;) out(1, chunk, sizeof chunk - 1); /* ends when the node hangs up */
    } else if (!strcmp(cmd, "silent")) {
        /* never answers; reads (and ignores) the kill */
    } else if (!strcmp(cmd, "half")) {
        header('O', 100);
        put("\x01half", 5);
    } else if (!strcmp(cmd, "close")) {
        close(sock);
        forever();
    } else if (!strcmp(cmd, "exit")) {
        _exit(3);
    } else if (!strcmp(cmd, "idle-frame")) {
        out(1, "ok\n", 3);
        exit_frame(0);
        struct timespec t = {0, 200 * 1000000};
        nanosleep(&t, NULL);
        status(0, "nobody asked");
    } else if (!strcmp(cmd, "hello-again")) {
        hello(VERSION);
    } else if (!strcmp(cmd, "exit999")) {
        exit_frame(999);
    } else if (!strcmp(cmd, "past-limit")) {
        memset(chunk, 'p', sizeof chunk);
        for (uint64_t left = (uint64_t)limit + 2; left > 0;) {
            uint32_t n = left < sizeof chunk - 1 ? (uint32_t)left : sizeof chunk - 1;
            out(1, chunk, n);
            left -= n;
        }
        exit_frame(0);
    } else if (!strcmp(cmd, "status")) {
        status(0, "a status instead of an exit");
    } else if (!strncmp(cmd, "prime-hello ", 12)) {
        FILE *f = fopen(HELLO_FILE, "w");
        if (f) { fputs(cmd + 12, f); fclose(f); }
        out(1, "primed\n", 7);
        exit_frame(f ? 0 : 1);
    } else {
        out(1, "ok\n", 3);
        exit_frame(0);
    }
}

static void say_hello(void) {
    char mode[32] = {0};
    FILE *f = fopen(HELLO_FILE, "r");
    if (f) {
        if (!fgets(mode, sizeof mode, f)) mode[0] = 0;
        fclose(f);
        unlink(HELLO_FILE);
    }
    if (!strcmp(mode, "garbage")) {
        put("\x48\x00\x00\x00\x09garbage!!", 14);
    } else if (!strcmp(mode, "wrong-version")) {
        hello("boxq-agent/1 someone-else");
    } else if (!strcmp(mode, "none")) {
        forever();
    } else if (!strcmp(mode, "close")) {
        _exit(0);
    } else if (!strcmp(mode, "huge")) {
        header('H', 0xffffffffu);
        forever();
    } else {
        hello(VERSION);
    }
}

static int serve(const char *path) {
    signal(SIGPIPE, SIG_IGN);
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    if (strlen(path) >= sizeof a.sun_path) return 64;
    strcpy(a.sun_path, path);
    for (int i = 0;; i++) {
        sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (connect(sock, (struct sockaddr *)&a, sizeof a) == 0) break;
        close(sock);
        if (i == 100) return 69;
        struct timespec t = {0, 50 * 1000000};
        nanosleep(&t, NULL);
    }
    say_hello();
    for (;;) {
        unsigned char h[5];
        take(h, 5);
        uint32_t len = get_u32(h + 1);
        if (len > MAX_REQUEST) return 65;
        unsigned char *body = malloc(len ? len : 1);
        if (!body) return 70;
        take(body, len);
        char cmd[256];
        if (h[0] == 'R') {
            command_of(body, len, cmd, sizeof cmd);
            misbehave(cmd, len >= 8 ? get_u32(body + 4) : 0);
        } else if (h[0] != 'K') {
            status(0, "");
        }
        free(body);
    }
}

static int init(char *path) {
    if (fork() == 0) {
        char *argv[] = {"hostile-agent", "serve", path, NULL};
        execv("/proc/self/exe", argv);
        _exit(127);
    }
    for (;;) {
        if (wait(NULL) < 0) pause();
    }
}

int main(int argc, char **argv) {
    if (argc == 2 && !strcmp(argv[1], "--version")) { puts(VERSION); return 0; }
    if (argc == 3 && !strcmp(argv[1], "serve")) return serve(argv[2]);
    if (argc == 3 && !strcmp(argv[1], "init")) return init(argv[2]);
    fprintf(stderr, "usage: hostile-agent init|serve SOCKET | --version\n");
    return 64;
}
