/**
 * The warm client's C source (built by `coord-hooks install` with the system's C compiler, see
 * warm/client-build.ts). A C client starts in about a millisecond where `socat` or `curl --unix-socket`
 * cost 20-26 ms (measured, docs/warm.md). It never decides a verdict: it shows an answer only when the
 * answer is whole and well-formed, and otherwise runs the hook cold (NODE CLI hook NAME ...).
 */
export const CLIENT_C = String.raw`/*
 * coord-hooks warm client: asks the repository's warm coord-hooks process for a hook's verdict, and
 * runs the hook cold (node) whenever that answer is not complete and well-formed.
 *   usage: client SOCKET TIMEOUT_S STDIN(0|1) NODE CLI hook NAME [ARGS...]
 * It never decides a verdict itself: an answer is used only if it is whole; anything else (no socket,
 * wrong owner or mode, refused, busy, stale, a short or malformed answer, a timeout) execs NODE CLI.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define MAGIC "coord-hooks-warm 1"
#define MAX_ANSWER (64u << 20)

struct buf { char *data; size_t len, cap; };

static int grow(struct buf *b, size_t more) {
  if (b->len + more <= b->cap) return 0;
  size_t cap = b->cap ? b->cap : 4096;
  while (cap < b->len + more) cap *= 2;
  char *data = realloc(b->data, cap);
  if (!data) return -1;
  b->data = data; b->cap = cap;
  return 0;
}

static int put(struct buf *b, const void *data, size_t len) {
  if (grow(b, len)) return -1;
  memcpy(b->data + b->len, data, len);
  b->len += len;
  return 0;
}

static int field(struct buf *b, const char *text) { return put(b, text, strlen(text) + 1); }

static int read_all(int fd, struct buf *b, size_t limit) {
  for (;;) {
    if (grow(b, 65536)) return -1;
    ssize_t n = read(fd, b->data + b->len, b->cap - b->len);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return -1;
    if (n == 0) return 0;
    b->len += (size_t)n;
    if (b->len > limit) return -1;
  }
}

static int write_all(int fd, const char *data, size_t len) {
  while (len > 0) {
    ssize_t n = write(fd, data, len);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return -1;
    data += n; len -= (size_t)n;
  }
  return 0;
}

/* Private to this user: the directory 0700 and ours, the socket ours. */
static int private_socket(const char *path) {
  struct stat st;
  char dir[4096];
  size_t len = strlen(path);
  if (len >= sizeof dir) return 0;
  memcpy(dir, path, len + 1);
  char *slash = strrchr(dir, '/');
  if (!slash || slash == dir) return 0;
  *slash = 0;
  uid_t me = geteuid();
  if (lstat(dir, &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != me || (st.st_mode & 077) != 0) return 0;
  if (lstat(path, &st) != 0 || !S_ISSOCK(st.st_mode) || st.st_uid != me) return 0;
  return 1;
}

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Waits for fd (POLLIN or POLLOUT) until the deadline. */
static int wait_fd(int fd, short events, double deadline) {
  for (;;) {
    double left = deadline - now();
    if (left <= 0) return -1;
    struct pollfd p = { fd, events, 0 };
    int r = poll(&p, 1, (int)(left * 1000) + 1);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return -1;
    return 0;
  }
}

/* 1: answered (exit code in *code); 0: no usable answer; -1: nobody listens (the cold run starts a process). */
static int ask(const char *sock, double timeout, struct buf *request, int *code) {
  if (!private_socket(sock)) return 0;
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return 0;
  struct sockaddr_un addr;
  memset(&addr, 0, sizeof addr);
  addr.sun_family = AF_UNIX;
  if (strlen(sock) >= sizeof addr.sun_path) { close(fd); return 0; }
  strcpy(addr.sun_path, sock);
  if (connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0) {
    int refused = errno == ECONNREFUSED || errno == ENOENT;
    close(fd);
    return refused ? -1 : 0;
  }
#ifdef SO_PEERCRED
  struct ucred cred;
  socklen_t credlen = sizeof cred;
  if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &credlen) != 0 || cred.uid != geteuid()) { close(fd); return 0; }
#endif
  double deadline = now() + timeout;
  fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
  size_t sent = 0;
  while (sent < request->len) {
    if (wait_fd(fd, POLLOUT, deadline)) { close(fd); return 0; }
    ssize_t n = write(fd, request->data + sent, request->len - sent);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n <= 0) { close(fd); return 0; }
    sent += (size_t)n;
  }
  shutdown(fd, SHUT_WR);
  struct buf answer = { 0 };
  for (;;) {
    if (wait_fd(fd, POLLIN, deadline) || grow(&answer, 65536)) { close(fd); return 0; }
    ssize_t n = read(fd, answer.data + answer.len, answer.cap - answer.len);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n < 0) { close(fd); return 0; }
    if (n == 0) break;
    answer.len += (size_t)n;
    if (answer.len > MAX_ANSWER) { close(fd); return 0; }
  }
  close(fd);
  /* "coord-hooks-warm 1 ok EXIT OUTLEN ERRLEN\n" then OUTLEN bytes of stdout, ERRLEN of stderr, nothing more. */
  char *eol = memchr(answer.data, '\n', answer.len < 128 ? answer.len : 128);
  if (!eol) return 0;
  *eol = 0;
  unsigned exitcode;
  unsigned long outlen, errlen;
  int used = -1;
  if (sscanf(answer.data, MAGIC " ok %u %lu %lu%n", &exitcode, &outlen, &errlen, &used) != 3 || used != (int)(eol - answer.data)) return 0;
  size_t head = (size_t)(eol - answer.data) + 1;
  if (exitcode > 255 || outlen > MAX_ANSWER || errlen > MAX_ANSWER || head + outlen + errlen != answer.len) return 0;
  if (write_all(1, answer.data + head, outlen) || write_all(2, answer.data + head + outlen, errlen)) {
    *code = 1; /* the verdict was reached but cannot be shown: fail closed */
    return 1;
  }
  *code = (int)exitcode;
  return 1;
}

/* The cold path: the hook's input back on stdin (from an unlinked temporary file), then NODE CLI hook .... */
static int cold(char **argv, int argc, struct buf *input, int had_stdin, int start) {
  if (had_stdin) {
    const char *tmp = getenv("TMPDIR");
    char path[4096];
    snprintf(path, sizeof path, "%s/coord-hooks-warm-input.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    int fd = mkstemp(path);
    if (fd < 0) { snprintf(path, sizeof path, "/tmp/coord-hooks-warm-input.XXXXXX"); fd = mkstemp(path); }
    if (fd < 0) { fprintf(stderr, "coord-hooks: cannot create a temporary file for the hook input: %s\n", strerror(errno)); return 1; }
    unlink(path);
    if (write_all(fd, input->data, input->len) || lseek(fd, 0, SEEK_SET) != 0 || dup2(fd, 0) < 0) {
      fprintf(stderr, "coord-hooks: cannot replay the hook input: %s\n", strerror(errno));
      return 1;
    }
    close(fd);
  }
  if (start) setenv("COORD_HOOKS_WARM_START", argv[1], 1);
  char **args = calloc((size_t)argc, sizeof *args);
  if (!args) return 1;
  int n = 0;
  for (int i = 4; i < argc; i++) args[n++] = argv[i];
  args[n] = NULL;
  execv(argv[4], args);
  fprintf(stderr, "coord-hooks: cannot run node at %s: %s\n", argv[4], strerror(errno));
  return 1;
}

int main(int argc, char **argv) {
  if (argc < 8 || strcmp(argv[6], "hook") != 0) {
    fprintf(stderr, "coord-hooks warm client: usage: client SOCKET TIMEOUT_S STDIN(0|1) NODE CLI hook NAME [ARGS...]\n");
    return 2;
  }
  signal(SIGPIPE, SIG_IGN);
  int had_stdin = strcmp(argv[3], "1") == 0;
  struct buf input = { 0 };
  if (had_stdin && read_all(0, &input, 1u << 30)) {
    fprintf(stderr, "coord-hooks: cannot read the hook input: %s\n", strerror(errno));
    return 1;
  }
  const char *off = getenv("COORD_HOOKS_WARM");
  if (off && strcmp(off, "0") == 0) return cold(argv, argc, &input, had_stdin, 0);
  struct stat st;
  int absent = lstat(argv[1], &st) != 0;
  struct buf request = { 0 };
  char cwd[4096], count[32];
  if (!getcwd(cwd, sizeof cwd)) return cold(argv, argc, &input, had_stdin, 0);
  snprintf(count, sizeof count, "%d", argc - 7);
  int failed = field(&request, MAGIC) || field(&request, argv[4]) || field(&request, argv[5]) || field(&request, cwd)
    || field(&request, isatty(1) ? "1" : "0") || field(&request, count);
  for (int i = 7; i < argc && !failed; i++) failed = field(&request, argv[i]);
  for (char **env = environ; *env && !failed; env++) failed = field(&request, *env);
  failed = failed || field(&request, "") || put(&request, input.data ? input.data : "", input.len);
  double timeout = atof(argv[2]);
  int code = 1, asked = absent ? -1 : 0;
  if (!absent && !failed && timeout > 0) asked = ask(argv[1], timeout, &request, &code);
  if (asked == 1) return code;
  return cold(argv, argc, &input, had_stdin, asked == -1);
}
`;
