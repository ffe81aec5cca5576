/*
 * podctl's pause: the process that holds a pod's namespaces open.
 *
 * It sleeps until signalled, exits 0 on SIGTERM/SIGINT, and reaps orphaned children when it
 * is PID 1 of a shared PID namespace. It prints nothing unless started with -v.
 * Built statically so the image needs nothing but this one file.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile sig_atomic_t verbose = 0;

static void on_terminate(int sig) {
  if (verbose) {
    /* write() is async-signal-safe; printf is not. */
    static const char msg[] = "pause: terminating\n";
    ssize_t ignored = write(STDERR_FILENO, msg, sizeof msg - 1);
    (void)ignored;
  }
  (void)sig;
  _exit(0);
}

static void on_child(int sig) {
  (void)sig;
  int saved = errno; /* waitpid may clobber errno of the interrupted code */
  while (waitpid(-1, NULL, WNOHANG) > 0) {
  }
  errno = saved;
}

static int install(int sig, void (*handler)(int)) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = handler;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = sig == SIGCHLD ? SA_NOCLDSTOP | SA_RESTART : 0;
  return sigaction(sig, &sa, NULL);
}

int main(int argc, char **argv) {
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "-v") == 0) {
      verbose = 1;
    } else {
      fprintf(stderr, "usage: %s [-v]\n", argv[0]);
      return 2;
    }
  }
  if (install(SIGTERM, on_terminate) < 0 || install(SIGINT, on_terminate) < 0 ||
      install(SIGCHLD, on_child) < 0) {
    perror("pause: sigaction");
    return 1;
  }
  if (verbose) fprintf(stderr, "pause: started as pid %d\n", (int)getpid());
  for (;;) pause();
  return 1; /* unreachable: pause() only returns after a handled signal */
}
