/*
 * boxq-agent: the in-container agent of a boxq sandbox (docs/architecture.md, "The agent").
 *
 *   boxq-agent init  SOCKET   the container's main process (Docker's init is PID 1): keeps the
 *                             container alive and starts "serve"; reaps it when it dies
 *   boxq-agent serve SOCKET   dials the node's unix socket and serves its requests
 *   boxq-agent init  -        only keeps the container alive (the node starts "serve -" itself)
 *   boxq-agent serve - [MEM]  serves the requests on its stdin and answers on its stdout: the
 *                             transport of a runtime whose sandbox cannot reach a host socket
 *                             (gVisor), where the node holds a "docker exec -i" of it; MEM is
 *                             the container's memory limit in bytes, for stats where no cgroup
 *                             is readable inside
 *   boxq-agent --version      prints the protocol and build it speaks
 *
 * One request at a time. A command is exactly one process: fork, setsid, exec of the job's shell
 * with -c; its stdout and stderr come through pipes read with poll and go out as frames the moment
 * bytes arrive. Reset, files and stats are done here without forking.
 *
 * Frames (both ways): a type byte, a big-endian u32 payload length, the payload. Every length read
 * from the wire is checked against a fixed ceiling before anything is allocated.
 *   node -> agent  R run   u32 timeout_ms, u32 output_limit, str shell, str command, str workdir,
 *                          u32 env_count, env_count x str NAME=VALUE, str stdin
 *                  K kill  (the running command's process group)
 *                  Z reset str workspace
 *                  F read  str workspace, str path, u32 max_bytes
 *                  W write str workspace, str path, str content
 *                  T stats str workspace
 *   agent -> node  H hello str version, u32 pid              (once, unasked, on connect)
 *                  O out   u8 stream (1 stdout, 2 stderr), bytes   (at most CHUNK bytes)
 *                  X exit  i32 exit code, i64 cpu_us (-1 unknown), u8 flags (1: the agent timed it out)
 *                  S status i32 code, bytes text          (ends reset, read, write, stats, bad requests)
 *   where str is a u32 length and that many bytes.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PROTOCOL "boxq-agent/1"
#ifndef BOXQ_AGENT_BUILD
#define BOXQ_AGENT_BUILD "dev"
#endif
#define VERSION PROTOCOL " " BOXQ_AGENT_BUILD

#define MAX_REQUEST (64u << 20) /* largest request payload: a file of FILE_MAX_BYTES and then some */
#define CHUNK 65536             /* largest output frame payload */
#define MAX_DRAINS 64           /* pipes still held open by a finished job's background processes */
#define MAX_SPARED 8
#define CONNECT_TRIES 100       /* 100 x 50 ms: the node binds its socket before the container starts */
/* File call exit codes, the same as io.boxq.core.job.FileExit (FileExitTest checks): */
#define FILE_NOT_FOUND 2        /* no such file, or a directory that cannot be made */
#define FILE_OUTSIDE 3          /* the path leaves the workspace, or is a symlink */
#define FILE_DIRECTORY 4        /* the path is a directory */

/* ---------- small helpers ---------- */

static int64_t now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static void put_u32(unsigned char *p, uint32_t v) {
    p[0] = v >> 24; p[1] = v >> 16; p[2] = v >> 8; p[3] = v;
}

static uint32_t get_u32(const unsigned char *p) {
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* A cursor over a received payload; every read is bounds-checked and sets bad on overrun. */
struct cursor { const unsigned char *p; uint32_t left; int bad; };

static uint32_t take_u32(struct cursor *c) {
    if (c->left < 4) { c->bad = 1; return 0; }
    uint32_t v = get_u32(c->p);
    c->p += 4; c->left -= 4;
    return v;
}

/* A string of the payload, copied NUL-terminated into a fresh allocation no larger than the payload. */
static char *take_str(struct cursor *c, uint32_t *len_out) {
    uint32_t n = take_u32(c);
    if (c->bad || n > c->left) { c->bad = 1; return NULL; }
    char *s = malloc((size_t)n + 1);
    if (!s) { c->bad = 1; return NULL; }
    memcpy(s, c->p, n);
    s[n] = 0;
    c->p += n; c->left -= n;
    if (len_out) *len_out = n;
    return s;
}

/* ---------- the connection to the node ---------- */

static int sock = -1;     /* requests come in here */
static int sock_out = -1; /* and frames go out here: the same socket, or the stdout of "serve -" */
static void kill_group(void);
static int open_regular(int dir, const char *name, int flags, mode_t mode);

/* The largest single write: over the stdout of a "docker exec" in gVisor (build 2022-12-19), megabytes
 * written in large writes brought the whole sandbox down (exit 2); 4 KiB writes did not. */
static size_t write_max = (size_t)-1;

static int write_all(int fd, const void *buf, size_t n) {
    const char *p = buf;
    while (n > 0) {
        ssize_t w = write(fd, p, n > write_max ? write_max : n);
        if (w < 0 && errno == EINTR) continue;
        if (w < 0 && errno == EAGAIN) {
            struct pollfd pf = {fd, POLLOUT, 0};
            poll(&pf, 1, -1);
            continue;
        }
        if (w <= 0) return -1;
        p += w; n -= (size_t)w;
    }
    return 0;
}

/* Sends one frame; a node that went away ends the agent (nobody is left to serve). */
static void send_frame(char type, const void *a, uint32_t alen, const void *b, uint32_t blen) {
    unsigned char head[5];
    head[0] = (unsigned char)type;
    put_u32(head + 1, alen + blen);
    if (write_all(sock_out, head, 5) || (alen && write_all(sock_out, a, alen)) || (blen && write_all(sock_out, b, blen))) {
        kill_group(); /* nobody is left to report it to, or to kill it at its deadline */
        _exit(0);
    }
}

static void send_status(int32_t code, const char *text, uint32_t len) {
    unsigned char c[4];
    put_u32(c, (uint32_t)code);
    send_frame('S', c, 4, text, len);
}

static void send_statusf(int32_t code, const char *msg) {
    send_status(code, msg, (uint32_t)strlen(msg));
}

/* "-": the frames travel over stdin and stdout, kept on descriptors of their own; 0 and 1 become
 * /dev/null, so nothing but a frame can reach the node that way. */
static void use_stdio(void) {
    sock = fcntl(0, F_DUPFD_CLOEXEC, 3);
    sock_out = fcntl(1, F_DUPFD_CLOEXEC, 3);
    int null = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (sock < 0 || sock_out < 0 || null < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0) _exit(71);
    close(null);
    write_max = 4096;
}

static void dial(const char *path) {
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    if (!strcmp(path, "-")) { use_stdio(); return; }
    if (strlen(path) >= sizeof a.sun_path) _exit(64);
    strcpy(a.sun_path, path);
    for (int i = 0; i < CONNECT_TRIES; i++) {
        sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (sock < 0) _exit(71);
        if (connect(sock, (struct sockaddr *)&a, sizeof a) == 0) { sock_out = sock; return; }
        close(sock);
        struct timespec t = {0, 50 * 1000000};
        nanosleep(&t, NULL);
    }
    _exit(69);
}

/* ---------- the running command ---------- */

struct run {
    pid_t pid;             /* 0: no command */
    int out[2];            /* read ends of stdout (0) and stderr (1); -1 once closed */
    int in;                /* write end of stdin; -1 once all is written */
    char *stdin_buf;
    uint32_t stdin_len, stdin_off;
    uint64_t cap;          /* output limit + 1: a byte over the limit tells the node it was cut */
    uint64_t sent[2];
    int64_t deadline;
    int timed_out;
    int64_t cpu0;
};

static struct run run;
static int drains[MAX_DRAINS];
static int ndrains;
static pid_t spared[MAX_SPARED]; /* never killed by a reset: init, this agent, the keepalive */
static int nspared;

/* The container's CPU time in microseconds from its cgroup (v1 or v2), -1 when unreadable. */
static int64_t cgroup_cpu_us(void) {
    char buf[4096];
    int fd = open("/sys/fs/cgroup/cpuacct/cpuacct.usage", O_RDONLY | O_CLOEXEC);
    if (fd < 0) fd = open("/sys/fs/cgroup/cpu,cpuacct/cpuacct.usage", O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        ssize_t n = read(fd, buf, sizeof buf - 1);
        close(fd);
        if (n <= 0) return -1;
        buf[n] = 0;
        return strtoll(buf, NULL, 10) / 1000;
    }
    fd = open("/sys/fs/cgroup/cpu.stat", O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0) return -1;
    buf[n] = 0;
    char *u = strstr(buf, "usage_usec ");
    return u ? strtoll(u + 11, NULL, 10) : -1;
}

static void child_fail(const char *what, const char *arg, int code) {
    dprintf(2, "boxq: %s %s: %s\n", what, arg, strerror(errno));
    _exit(code);
}

/* In the forked child: becomes its own session, takes the pipes, env and workdir, execs the shell. */
static void exec_command(int in, int out, int err, char *shell, char *command, char *workdir,
                         char **env, uint32_t nenv) {
    setsid();
    int oom = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
    if (oom >= 0) { (void)!write(oom, "1000", 4); close(oom); }
    dup2(in, 0); dup2(out, 1); dup2(err, 2);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    signal(SIGPIPE, SIG_DFL);
    for (uint32_t i = 0; i < nenv; i++) putenv(env[i]);
    if (chdir(workdir) != 0) child_fail("cannot enter", workdir, 1);
    char *argv[] = {shell, "-c", command, NULL};
    execvp(shell, argv);
    child_fail("cannot run", shell, 127);
}

static void set_nonblock(int fd) {
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
}

static void kill_group(void) {
    if (run.pid > 0) {
        kill(-run.pid, SIGKILL);
        kill(run.pid, SIGKILL);
    }
}

static void free_strings(char **v, uint32_t n) {
    for (uint32_t i = 0; i < n; i++) free(v[i]);
    free(v);
}

/* Starts the command of a run request. Answers a status instead when the request is malformed. */
static void start_run(struct cursor *c) {
    uint32_t timeout_ms = take_u32(c), limit = take_u32(c);
    char *shell = take_str(c, NULL), *command = take_str(c, NULL), *workdir = take_str(c, NULL);
    uint32_t nenv = take_u32(c);
    char **env = NULL;
    if (!c->bad && nenv <= c->left / 4) env = calloc(nenv ? nenv : 1, sizeof *env);
    else c->bad = 1;
    for (uint32_t i = 0; env && i < nenv && !c->bad; i++) {
        env[i] = take_str(c, NULL);
        if (env[i] && !strchr(env[i], '=')) c->bad = 1;
    }
    uint32_t stdin_len = 0;
    char *stdin_buf = c->bad ? NULL : take_str(c, &stdin_len);
    int p[3][2] = {{-1, -1}, {-1, -1}, {-1, -1}};
    if (c->bad || c->left != 0 || !shell || !command || !workdir || !stdin_buf) {
        send_statusf(126, "boxq-agent: malformed run request");
    } else if (pipe2(p[0], O_CLOEXEC) || pipe2(p[1], O_CLOEXEC) || pipe2(p[2], O_CLOEXEC)) {
        send_statusf(126, "boxq-agent: cannot make pipes");
    } else {
        run.cpu0 = cgroup_cpu_us();
        pid_t pid = fork();
        if (pid == 0) exec_command(p[0][0], p[1][1], p[2][1], shell, command, workdir, env, nenv);
        if (pid < 0) {
            send_statusf(126, "boxq-agent: cannot fork (pids limit?)");
        } else {
            close(p[0][0]); close(p[1][1]); close(p[2][1]);
            p[0][0] = p[1][1] = p[2][1] = -1;
            run.pid = pid;
            run.out[0] = p[1][0]; run.out[1] = p[2][0];
            run.in = p[0][1];
            p[1][0] = p[2][0] = p[0][1] = -1; /* the run owns them now */
            set_nonblock(run.in); set_nonblock(run.out[0]); set_nonblock(run.out[1]);
            run.stdin_buf = stdin_buf; run.stdin_len = stdin_len; run.stdin_off = 0;
            run.cap = (uint64_t)limit + 1;
            run.sent[0] = run.sent[1] = 0;
            run.deadline = now_ms() + timeout_ms;
            run.timed_out = 0;
            stdin_buf = NULL;
            if (run.stdin_len == 0) { close(run.in); run.in = -1; }
        }
    }
    for (int i = 0; i < 3; i++) for (int j = 0; j < 2; j++) if (p[i][j] >= 0) close(p[i][j]);
    free(shell); free(command); free(workdir); free(stdin_buf);
    if (env) free_strings(env, nenv);
}

/* Reads what one output pipe holds now (one read per poll round while the command runs, so a fast
 * writer cannot keep the agent from its deadline or a kill; all of it once it ended); frames go out
 * at once, bytes past the cap are dropped. */
static void pump(int which, int all) {
    static unsigned char buf[CHUNK];
    for (int reads = 0; all || reads < 1; reads++) {
        ssize_t n = read(run.out[which], buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && errno == EAGAIN) return;
        if (n <= 0) { close(run.out[which]); run.out[which] = -1; return; }
        uint64_t room = run.cap - run.sent[which];
        uint32_t take = (uint64_t)n < room ? (uint32_t)n : (uint32_t)room;
        if (take > 0) {
            unsigned char s = (unsigned char)(which + 1);
            send_frame('O', &s, 1, buf, take);
            run.sent[which] += take;
        }
    }
}

static void feed_stdin(void) {
    while (run.in >= 0 && run.stdin_off < run.stdin_len) {
        ssize_t w = write(run.in, run.stdin_buf + run.stdin_off, run.stdin_len - run.stdin_off);
        if (w < 0 && errno == EINTR) continue;
        if (w < 0 && errno == EAGAIN) return;
        if (w <= 0) break; /* the command closed its stdin */
        run.stdin_off += (uint32_t)w;
    }
    if (run.in >= 0) { close(run.in); run.in = -1; }
    free(run.stdin_buf);
    run.stdin_buf = NULL;
}

/* Keeps a pipe a finished job's background process still writes to; its later output is dropped. */
static void keep_draining(int fd) {
    if (fd < 0) return;
    if (ndrains == MAX_DRAINS) { close(drains[0]); memmove(drains, drains + 1, sizeof(int) * (MAX_DRAINS - 1)); ndrains--; }
    drains[ndrains++] = fd;
}

/* The shell exited: what it wrote is in the pipes already; send it, then the exit frame. */
/* Where no cgroup is readable inside (gVisor), a run's CPU time is its shell's and what the shell
 * waited for, as the kernel (gVisor's sentry) accounted them. */
static void finish_run(int status, const struct rusage *ru) {
    for (int i = 0; i < 2; i++) if (run.out[i] >= 0) pump(i, 1);
    int64_t cpu1 = cgroup_cpu_us();
    int64_t cpu = run.cpu0 >= 0 && cpu1 >= run.cpu0 ? cpu1 - run.cpu0 : -1;
    if (run.cpu0 < 0 && cpu1 < 0) {
        cpu = (int64_t)(ru->ru_utime.tv_sec + ru->ru_stime.tv_sec) * 1000000 + ru->ru_utime.tv_usec + ru->ru_stime.tv_usec;
    }
    int32_t code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    unsigned char x[13];
    put_u32(x, (uint32_t)code);
    put_u32(x + 4, (uint32_t)((uint64_t)cpu >> 32));
    put_u32(x + 8, (uint32_t)cpu);
    x[12] = (unsigned char)run.timed_out;
    send_frame('X', x, sizeof x, NULL, 0);
    for (int i = 0; i < 2; i++) keep_draining(run.out[i]);
    if (run.in >= 0) close(run.in);
    free(run.stdin_buf);
    memset(&run, 0, sizeof run);
    run.out[0] = run.out[1] = run.in = -1;
}

/* ---------- reset, files, stats: no fork ---------- */

static int is_spared(pid_t p) {
    for (int i = 0; i < nspared; i++) if (spared[i] == p) return 1;
    return 0;
}

/* Signals every process but the spared ones; returns how many were signalled. */
static int signal_all(int sig) {
    DIR *d = opendir("/proc");
    if (!d) return 0;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        char *end;
        long p = strtol(e->d_name, &end, 10);
        if (*end || p <= 0 || is_spared((pid_t)p)) continue;
        if (kill((pid_t)p, sig) == 0) n++;
    }
    closedir(d);
    return n;
}

/* Deletes everything inside directory fd (not the directory), never following a symlink. */
static int empty_dir(int fd, int depth) {
    if (depth > 256) return -1;
    DIR *d = fdopendir(fd);
    if (!d) { close(fd); return -1; }
    int rc = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        if (unlinkat(dirfd(d), e->d_name, 0) == 0) continue;
        fchmodat(dirfd(d), e->d_name, 0700, 0);
        int sub = openat(dirfd(d), e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (sub < 0 || empty_dir(sub, depth + 1) || unlinkat(dirfd(d), e->d_name, AT_REMOVEDIR)) rc = -1;
    }
    closedir(d);
    return rc;
}

static int empty_path(const char *path) {
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    return fd < 0 ? (errno == ENOENT ? 0 : -1) : empty_dir(fd, 0);
}

static void reset(struct cursor *c) {
    char *ws = take_str(c, NULL);
    if (c->bad || !ws || ws[0] != '/' || !ws[1]) { free(ws); send_statusf(2, "boxq-agent: malformed reset"); return; }
    if (run.pid) { free(ws); send_statusf(3, "boxq-agent: a command is running"); return; }
    /* STOP first, so nothing forks while the kills go round; then KILL twice. */
    if (signal_all(SIGSTOP)) { signal_all(SIGKILL); signal_all(SIGKILL); }
    for (int i = 0; i < ndrains; i++) close(drains[i]);
    ndrains = 0;
    int rc = empty_path(ws) | empty_path("/tmp") | empty_path("/dev/shm");
    free(ws);
    send_statusf(rc ? 1 : 0, rc ? "boxq-agent: could not empty the workspace" : "");
}

/* Resolves path against the workspace; 0 and the parent's real path when it stays inside. */
static int inside(const char *ws, const char *path, char *full, size_t fullsz, char *real) {
    int n = path[0] == '/' ? snprintf(full, fullsz, "%s", path) : snprintf(full, fullsz, "%s/%s", ws, path);
    if (n < 0 || (size_t)n >= fullsz) return FILE_NOT_FOUND;
    char *slash = strrchr(full, '/');
    char parent[PATH_MAX];
    snprintf(parent, sizeof parent, "%.*s", (int)(slash - full) ? (int)(slash - full) : 1, full);
    if (!realpath(parent, real)) return FILE_NOT_FOUND;
    size_t wl = strlen(ws);
    if (strncmp(real, ws, wl) || (real[wl] && real[wl] != '/')) return FILE_OUTSIDE;
    return 0;
}

static void file_read(struct cursor *c) {
    char *ws = take_str(c, NULL), *path = take_str(c, NULL);
    uint32_t max = take_u32(c);
    char full[PATH_MAX], real[PATH_MAX];
    struct stat st;
    int fd = -1, rc;
    if (c->bad || !ws || !path) { rc = FILE_NOT_FOUND; send_statusf(FILE_NOT_FOUND, "malformed read request"); goto out; }
    if ((rc = inside(ws, path, full, sizeof full, real))) {
        send_statusf(rc, rc == FILE_OUTSIDE ? "the path leaves the workspace" : "no such file"); goto out;
    }
    if (lstat(full, &st)) { send_statusf(FILE_NOT_FOUND, "no such file"); goto out; }
    if (S_ISLNK(st.st_mode)) { send_statusf(FILE_OUTSIDE, "the path is a symlink"); goto out; }
    if (S_ISDIR(st.st_mode)) { send_statusf(FILE_DIRECTORY, "the path is a directory"); goto out; }
    if (!S_ISREG(st.st_mode) || (fd = open_regular(AT_FDCWD, full, O_RDONLY, 0)) < 0) {
        send_statusf(FILE_NOT_FOUND, "no such file"); goto out;
    }
    static unsigned char buf[CHUNK];
    uint64_t left = (uint64_t)max + 1, got = 0;
    ssize_t n;
    while (left > 0 && (n = read(fd, buf, left < CHUNK ? left : CHUNK)) > 0) {
        unsigned char s = 1;
        send_frame('O', &s, 1, buf, (uint32_t)n);
        left -= (uint64_t)n; got += (uint64_t)n;
    }
    send_statusf(0, "");
out:
    if (fd >= 0) close(fd);
    free(ws); free(path);
    (void)got;
}

/* The path names something under the workspace without "..": checked before any directory is made
 * for it (the real path is checked again after, against symlinks). */
static int lexically_inside(const char *ws, const char *full) {
    size_t wl = strlen(ws);
    if (strncmp(full, ws, wl) || full[wl] != '/') return 0;
    for (const char *p = full + wl; (p = strstr(p, "/..")); p += 3) {
        if (p[3] == '/' || p[3] == 0) return 0;
    }
    return 1;
}

/* Opens name (relative to dir) without following a symlink and without blocking on a fifo; -1 unless
 * it is a regular file. */
/* Whether fd is the very entry name of dir, not what a symlink there points to: O_NOFOLLOW alone is
 * not enough everywhere (gVisor's build of 2022-12-19 was seen to open a directory through a symlink
 * despite O_NOFOLLOW | O_DIRECTORY), so what was opened is compared with the entry itself. */
static int is_entry(int dir, const char *name, int fd) {
    struct stat opened, entry;
    return !fstat(fd, &opened) && !fstatat(dir, name, &entry, AT_SYMLINK_NOFOLLOW) && !S_ISLNK(entry.st_mode)
        && opened.st_dev == entry.st_dev && opened.st_ino == entry.st_ino;
}

static int open_regular(int dir, const char *name, int flags, mode_t mode) {
    int fd = openat(dir, name, flags | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, mode);
    struct stat st;
    if (fd < 0) return -1;
    if (fstat(fd, &st) || !S_ISREG(st.st_mode) || !is_entry(dir, name, fd)) { close(fd); errno = EINVAL; return -1; }
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    return fd;
}

/* Walks from the workspace to the parent of rel (a path below it), making missing directories and
 * never following a symlink, so nothing is made or opened outside the workspace whatever the
 * command put there. Returns the parent's fd and the last component in *name, or -1 with *why set
 * (FILE_NOT_FOUND: cannot be made, FILE_OUTSIDE: a symlink or not a directory on the way). */
static int open_parent(const char *ws, char *rel, char **name, int *why) {
    int fd = open(ws, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    char *part = rel, *slash;
    *why = FILE_NOT_FOUND;
    while (fd >= 0 && (slash = strchr(part, '/'))) {
        *slash = 0;
        if (*part) {
            if (mkdirat(fd, part, 0755) && errno != EEXIST) { close(fd); return -1; }
            int sub = openat(fd, part, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            if (sub < 0) *why = errno == ENOENT ? FILE_NOT_FOUND : FILE_OUTSIDE;
            else if (!is_entry(fd, part, sub)) { close(sub); sub = -1; *why = FILE_OUTSIDE; }
            close(fd);
            fd = sub;
        }
        part = slash + 1;
    }
    *name = part;
    return fd;
}

static void file_write(struct cursor *c) {
    uint32_t len = 0;
    char *ws = take_str(c, NULL), *path = take_str(c, NULL), *data = take_str(c, &len);
    char full[PATH_MAX];
    char *name;
    int why, dir = -1, fd = -1;
    struct stat st;
    if (c->bad || !ws || !path || !data) { send_statusf(FILE_NOT_FOUND, "malformed write request"); goto out; }
    if (path[0] == '/' ? strlen(path) >= sizeof full : strlen(ws) + strlen(path) + 2 > sizeof full) {
        send_statusf(FILE_NOT_FOUND, "no such directory"); goto out;
    }
    snprintf(full, sizeof full, path[0] == '/' ? "%s%s" : "%s/%s", path[0] == '/' ? "" : ws, path);
    if (!lexically_inside(ws, full)) { send_statusf(FILE_OUTSIDE, "the path leaves the workspace"); goto out; }
    if ((dir = open_parent(ws, full + strlen(ws) + 1, &name, &why)) < 0) {
        send_statusf(why, why == FILE_OUTSIDE ? "the path leaves the workspace (a symlink or a file on the way)" : "no such directory");
        goto out;
    }
    if (!*name) { send_statusf(FILE_DIRECTORY, "the path is a directory"); goto out; }
    if (fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode)) { send_statusf(FILE_OUTSIDE, "the path is a symlink"); goto out; }
    if (fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode)) { send_statusf(FILE_DIRECTORY, "the path is a directory"); goto out; }
    if ((fd = open_regular(dir, name, O_WRONLY | O_CREAT | O_TRUNC, 0644)) < 0) {
        send_statusf(errno == EINVAL ? FILE_OUTSIDE : 1, errno == EINVAL ? "not a regular file" : strerror(errno)); goto out;
    }
    int bad = write_all(fd, data, len);
    int err = errno;
    send_statusf(bad ? 1 : 0, bad ? strerror(err) : "");
out:
    if (fd >= 0) close(fd);
    if (dir >= 0) close(dir);
    free(ws); free(path); free(data);
}

/* The first number in the file, or in its line starting with key (key NULL: the file's start). */
static long long number_in(const char *path, const char *key) {
    char buf[8192];
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0) return -1;
    buf[n] = 0;
    if (!key) return strncmp(buf, "max", 3) ? strtoll(buf, NULL, 10) : -1;
    size_t kl = strlen(key);
    for (char *line = buf; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
        if (!strncmp(line, key, kl) && line[kl] == ' ') return strtoll(line + kl + 1, NULL, 10);
    }
    return -1;
}

static long long first_of(const char *a, const char *b, const char *key) {
    long long v = number_in(a, key);
    if (v < 0) v = number_in(b, key);
    return v < 0 ? 0 : v;
}

/* Sums the received and sent bytes of every interface in /proc/net/dev. */
static void net_bytes(long long *rx, long long *tx) {
    static char buf[16384];
    *rx = *tx = 0;
    int fd = open("/proc/net/dev", O_RDONLY | O_CLOEXEC);
    if (fd < 0) return;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0) return;
    buf[n] = 0;
    for (char *line = buf; line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
        char *colon = strchr(line, ':'), *nl = strchr(line, '\n');
        if (!colon || (nl && colon > nl)) continue;
        long long v[9] = {0};
        char *p = colon + 1;
        for (int i = 0; i < 9; i++) v[i] = strtoll(p, &p, 10);
        *rx += v[0]; *tx += v[8];
    }
}

static long long memory_limit = -1; /* "serve - LIMIT": the container's memory where no cgroup shows it (gVisor) */

/* The CPU time of every live process (utime + stime of /proc/<pid>/stat) plus what this agent reaped,
 * and how many processes there are: the figures where no cgroup is readable inside (gVisor, whose
 * sentry keeps its own per-task accounting). */
static long long tasks_cpu_ns(long long *pids) {
    long long ticks = 0;
    char path[64], buf[1024];
    *pids = 0;
    DIR *d = opendir("/proc");
    struct dirent *e;
    while (d && (e = readdir(d))) {
        char *end;
        long p = strtol(e->d_name, &end, 10);
        if (*end || p <= 0) continue;
        (*pids)++;
        snprintf(path, sizeof path, "/proc/%ld/stat", p);
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0) continue;
        ssize_t n = read(fd, buf, sizeof buf - 1);
        close(fd);
        if (n <= 0) continue;
        buf[n] = 0;
        char *f = strrchr(buf, ')'); /* the command name may hold spaces */
        for (int i = 0; f && i < 12; i++) f = strchr(f + 1, ' '); /* to field 14, utime */
        if (!f) continue;
        ticks += strtoll(f + 1, &f, 10);
        ticks += strtoll(f, NULL, 10);
    }
    if (d) closedir(d);
    struct rusage ru;
    getrusage(RUSAGE_CHILDREN, &ru);
    long long reaped_us = (long long)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000 + ru.ru_utime.tv_usec + ru.ru_stime.tv_usec;
    return ticks * (1000000000LL / sysconf(_SC_CLK_TCK)) + reaped_us * 1000;
}

static void stats(struct cursor *c) {
    char *ws = take_str(c, NULL);
    if (c->bad || !ws) { free(ws); send_statusf(2, "malformed stats request"); return; }
    const char *cg = "/sys/fs/cgroup";
    char a[128], b[128], text[1024];
    long long cpu_ns, rx, tx;
    snprintf(a, sizeof a, "%s/cpuacct/cpuacct.usage", cg);
    if ((cpu_ns = number_in(a, NULL)) < 0) {
        snprintf(b, sizeof b, "%s/cpu.stat", cg);
        cpu_ns = number_in(b, "usage_usec");
        cpu_ns = cpu_ns < 0 ? 0 : cpu_ns * 1000;
    }
    long long shmem = number_in("/sys/fs/cgroup/memory/memory.stat", "total_shmem");
    if (shmem < 0) shmem = first_of("/sys/fs/cgroup/memory.stat", "/nonexistent", "shmem");
    long long memory = first_of("/sys/fs/cgroup/memory/memory.usage_in_bytes", "/sys/fs/cgroup/memory.current", NULL);
    long long limit = first_of("/sys/fs/cgroup/memory/memory.limit_in_bytes", "/sys/fs/cgroup/memory.max", NULL);
    long long pids = first_of("/sys/fs/cgroup/pids/pids.current", "/sys/fs/cgroup/pids.current", NULL);
    if (access("/sys/fs/cgroup/memory", F_OK) && access("/sys/fs/cgroup/memory.current", F_OK)) {
        /* no cgroup inside (gVisor): the sandbox kernel's own accounting */
        long long total = number_in("/proc/meminfo", "MemTotal:"), avail = number_in("/proc/meminfo", "MemAvailable:");
        memory = total >= 0 && avail >= 0 ? (total - avail) * 1024 : 0;
        limit = memory_limit > 0 ? memory_limit : 0;
        shmem = number_in("/proc/meminfo", "Shmem:") * 1024;
        if (shmem < 0) shmem = 0;
        cpu_ns = tasks_cpu_ns(&pids);
    }
    struct statvfs v;
    long long used = 0, size = 0;
    if (statvfs(ws, &v) == 0) {
        used = (long long)(v.f_blocks - v.f_bfree) * (long long)v.f_frsize;
        size = (long long)v.f_blocks * (long long)v.f_frsize;
    }
    net_bytes(&rx, &tx);
    int n = snprintf(text, sizeof text,
        "memory_bytes=%lld\nmemory_limit_bytes=%lld\nshmem_bytes=%lld\ncpu_ns=%lld\npids=%lld\n"
        "workspace_bytes=%lld\nworkspace_size_bytes=%lld\nrx_bytes=%lld\ntx_bytes=%lld\n",
        memory, limit, shmem, cpu_ns, pids,
        used, size, rx, tx);
    free(ws);
    send_status(0, text, (uint32_t)n);
}

/* ---------- requests ---------- */

static unsigned char head[5];
static uint32_t head_got;
static unsigned char *body;
static uint32_t body_len, body_got;

static void handle(char type, unsigned char *p, uint32_t len) {
    struct cursor c = {p, len, 0};
    if (type == 'K') { kill_group(); return; }
    if (run.pid) { send_statusf(126, "boxq-agent: a command is already running"); return; }
    switch (type) {
    case 'R': start_run(&c); break;
    case 'Z': reset(&c); break;
    case 'F': file_read(&c); break;
    case 'W': file_write(&c); break;
    case 'T': stats(&c); break;
    default: send_statusf(126, "boxq-agent: unknown request");
    }
}

/* Reads what the socket has; handles every whole frame. The node closing it ends the agent. */
static void read_requests(void) {
    for (;;) {
        ssize_t n;
        if (sock != sock_out) { /* stdin stays blocking (gVisor's host descriptors): read only what is there */
            struct pollfd pf = {sock, POLLIN, 0};
            if (poll(&pf, 1, 0) == 0) return;
        }
        if (head_got < 5) {
            n = read(sock, head + head_got, 5 - head_got);
        } else {
            n = body_len ? read(sock, body + body_got, body_len - body_got) : 0;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && errno == EAGAIN) return;
        if (n <= 0 && !(head_got == 5 && body_len == 0)) { kill_group(); _exit(0); }
        if (head_got < 5) {
            head_got += (uint32_t)n;
            if (head_got < 5) continue;
            body_len = get_u32(head + 1);
            if (body_len > MAX_REQUEST) { kill_group(); _exit(65); }
            body = malloc(body_len ? body_len : 1);
            if (!body) { kill_group(); _exit(70); }
            body_got = 0;
        } else {
            body_got += (uint32_t)n;
        }
        if (body_got == body_len) {
            handle((char)head[0], body, body_len);
            free(body);
            body = NULL;
            head_got = 0;
        }
    }
}

/* ---------- modes ---------- */

static int reap(int sigfd) {
    struct signalfd_siginfo si;
    while (read(sigfd, &si, sizeof si) > 0) {}
    int status, done = 0;
    pid_t p;
    struct rusage ru;
    while ((p = wait4(-1, &status, WNOHANG, &ru)) > 0) {
        if (p == run.pid) { finish_run(status, &ru); done = 1; }
    }
    return done;
}

static void serve_loop(int sigfd) {
    static char scratch[CHUNK];
    for (;;) {
        struct pollfd pf[5 + MAX_DRAINS]; /* socket, signals, stdout, stderr, stdin, drains */
        int n = 0;
        pf[n++] = (struct pollfd){sock, POLLIN, 0};
        pf[n++] = (struct pollfd){sigfd, POLLIN, 0};
        pf[n++] = (struct pollfd){run.pid ? run.out[0] : -1, POLLIN, 0};
        pf[n++] = (struct pollfd){run.pid ? run.out[1] : -1, POLLIN, 0};
        int in_slot = n;
        pf[n++] = (struct pollfd){run.pid ? run.in : -1, POLLOUT, 0};
        int drain0 = n;
        for (int i = 0; i < ndrains; i++) pf[n++] = (struct pollfd){drains[i], POLLIN, 0};
        int timeout = -1; /* idle: no timer at all */
        if (run.pid && !run.timed_out) {
            int64_t left = run.deadline - now_ms();
            timeout = left < 0 ? 0 : left > INT_MAX ? INT_MAX : (int)left;
        }
        if (poll(pf, (nfds_t)n, timeout) < 0 && errno != EINTR) _exit(70);
        if (run.pid && !run.timed_out && now_ms() >= run.deadline) { run.timed_out = 1; kill_group(); }
        for (int i = 0; i < 2; i++) if (run.pid && run.out[i] >= 0 && pf[2 + i].revents) pump(i, 0);
        if (run.pid && run.in >= 0 && pf[in_slot].revents) feed_stdin();
        for (int i = ndrains - 1; i >= 0; i--) {
            if (!pf[drain0 + i].revents || read(drains[i], scratch, sizeof scratch) > 0) continue;
            close(drains[i]);
            drains[i] = drains[--ndrains];
        }
        if (pf[1].revents) reap(sigfd);
        if (pf[0].revents) read_requests();
    }
}

/* The keepalive started as "init" by an earlier agent: spared by resets like PID 1. It is the
 * process running this binary with the argument "init". Under gVisor a "docker exec"-ed agent may not
 * read another process's /proc/<pid>/exe; there the keepalive is the oldest process (lowest pid after
 * PID 1) whose command line is this binary and "init": it started with the container, before anything
 * a command could start under that name. */
static void find_keepalive(void) {
    char self[PATH_MAX], exe[PATH_MAX], link[64];
    ssize_t sl = readlink("/proc/self/exe", self, sizeof self - 1);
    if (sl <= 0) return;
    self[sl] = 0;
    long oldest = 0;
    DIR *d = opendir("/proc");
    struct dirent *e;
    while (d && (e = readdir(d)) && nspared < MAX_SPARED) {
        char *end;
        long p = strtol(e->d_name, &end, 10);
        if (*end || p <= 1 || p == getpid()) continue;
        snprintf(link, sizeof link, "/proc/%ld/exe", p);
        ssize_t l = readlink(link, exe, sizeof exe - 1);
        if (l >= 0 && (l != sl || memcmp(exe, self, (size_t)l))) continue;
        char cmd[PATH_MAX + 16] = {0};
        snprintf(link, sizeof link, "/proc/%ld/cmdline", p);
        int fd = open(link, O_RDONLY | O_CLOEXEC);
        if (fd < 0) continue;
        ssize_t n = read(fd, cmd, sizeof cmd - 1);
        close(fd);
        char *arg1 = memchr(cmd, 0, n > 0 ? (size_t)n : 0);
        if (!arg1 || arg1 + 1 >= cmd + n || strcmp(arg1 + 1, "init")) continue;
        if (l >= 0) spared[nspared++] = (pid_t)p;
        else if (!strcmp(cmd, self) && (!oldest || p < oldest)) oldest = p;
    }
    if (d) closedir(d);
    if (nspared == 2 && oldest) spared[nspared++] = (pid_t)oldest;
}

static int serve(const char *path) {
    sigset_t chld;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    sigprocmask(SIG_BLOCK, &chld, NULL);
    int sigfd = signalfd(-1, &chld, SFD_NONBLOCK | SFD_CLOEXEC);
    if (sigfd < 0) return 71;
    signal(SIGPIPE, SIG_IGN);
    spared[nspared++] = 1;
    spared[nspared++] = getpid();
    find_keepalive();
    memset(&run, 0, sizeof run);
    run.out[0] = run.out[1] = run.in = -1;
    dial(path);
    unsigned char pid[4];
    put_u32(pid, (uint32_t)getpid());
    uint32_t vl = (uint32_t)strlen(VERSION);
    unsigned char hello[4 + 64];
    put_u32(hello, vl);
    memcpy(hello + 4, VERSION, vl);
    send_frame('H', hello, 4 + vl, pid, 4);
    if (sock == sock_out) set_nonblock(sock);
    serve_loop(sigfd);
    return 0;
}

/* The container's main process: starts the serving agent and outlives it, so a sandbox whose agent
 * died keeps its files until the node starts a new one. Waits in wait() and pause(): no timer. */
static int init(char *self, char *path) {
    pid_t child = strcmp(path, "-") ? fork() : -1;
    if (child == 0) {
        char *argv[] = {self, "serve", path, NULL};
        execv("/proc/self/exe", argv);
        _exit(127);
    }
    for (;;) {
        if (wait(NULL) < 0 && errno == ECHILD) pause();
    }
}

int main(int argc, char **argv) {
    if (argc == 2 && !strcmp(argv[1], "--version")) { puts(VERSION); return 0; }
    if (argc == 3 && !strcmp(argv[1], "serve")) return serve(argv[2]);
    if (argc == 4 && !strcmp(argv[1], "serve") && !strcmp(argv[2], "-")) {
        memory_limit = strtoll(argv[3], NULL, 10);
        return serve(argv[2]);
    }
    if (argc == 3 && !strcmp(argv[1], "init")) return init(argv[0], argv[2]);
    fprintf(stderr, "usage: boxq-agent init|serve SOCKET | --version\n");
    return 64;
}
