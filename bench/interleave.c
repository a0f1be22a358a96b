// Start-up timing with the commands interleaved: each round runs every command
// once, in a fresh random order, so that the machine's load drifting during a
// run (this is a shared VM) falls on all of them alike. hyperfine times one
// command's runs in a block, and a block that meets a busy spell moves one
// ratio by 20 % or more (bench/HISTORY.md). Wall time is fork to wait, with
// no shell, stdin from /dev/null and stdout/stderr to /dev/null; the output is
// hyperfine's --export-json shape (results[].command, times[] in seconds,
// median, exit_codes[]), which bench/startup.sh reads.
//
//   interleave RUNS WARMUP OUT.json NAME 'CMD ARGS...' [NAME 'CMD ARGS...' ...]
//
// CMD ARGS are split at spaces (no quoting): the commands here are paths and
// plain words.
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>

#define MAX_CMDS 64
#define MAX_ARGS 32

static char *argvs[MAX_CMDS][MAX_ARGS + 1];

static double run(char **argv, int *code) {
  struct timespec a, b;
  int st = 0;
  clock_gettime(CLOCK_MONOTONIC, &a);
  pid_t p = fork();
  if (p == 0) {
    int null = open("/dev/null", O_RDWR);
    dup2(null, 0), dup2(null, 1), dup2(null, 2);
    execv(argv[0], argv);
    _exit(127);
  }
  if (p < 0 || waitpid(p, &st, 0) < 0) { perror("interleave"); exit(1); }
  clock_gettime(CLOCK_MONOTONIC, &b);
  *code = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
  return (b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9;
}

static int cmp(const void *x, const void *y) {
  double a = *(const double *)x, b = *(const double *)y;
  return (a > b) - (a < b);
}

int main(int argc, char **argv) {
  if (argc < 6 || (argc - 4) % 2) {
    fprintf(stderr, "Usage: interleave RUNS WARMUP OUT.json NAME 'CMD ARGS...' [NAME 'CMD ARGS...' ...]\n");
    return 2;
  }
  int runs = atoi(argv[1]), warmup = atoi(argv[2]), n = (argc - 4) / 2;
  if (runs < 1 || warmup < 0 || n > MAX_CMDS) { fprintf(stderr, "interleave: bad RUNS, WARMUP or too many commands\n"); return 2; }
  char **names = argv + 4;
  for (int c = 0; c < n; c++) {
    int k = 0;
    for (char *w = strtok(strdup(argv[5 + 2 * c]), " "); w && k < MAX_ARGS; w = strtok(NULL, " ")) argvs[c][k++] = w;
    argvs[c][k] = NULL;
    if (k == 0 || access(argvs[c][0], X_OK) != 0) { fprintf(stderr, "interleave: '%s' is not an executable path\n", argvs[c][0] ? argvs[c][0] : ""); return 2; }
  }
  double *t = calloc((size_t)n * runs, sizeof *t);
  int *codes = calloc((size_t)n * runs, sizeof *codes);
  int order[MAX_CMDS];
  srand((unsigned)time(NULL) ^ (unsigned)getpid());
  for (int r = -warmup; r < runs; r++) {
    for (int c = 0; c < n; c++) order[c] = c;
    for (int c = n - 1; c > 0; c--) { int j = rand() % (c + 1), x = order[c]; order[c] = order[j]; order[j] = x; }
    for (int i = 0; i < n; i++) {
      int c = order[i], code;
      double s = run(argvs[c], &code);
      if (r >= 0) t[c * runs + r] = s, codes[c * runs + r] = code;
    }
  }
  FILE *out = fopen(argv[3], "w");
  if (!out) { perror(argv[3]); return 1; }
  fprintf(out, "{\"results\":[");
  for (int c = 0; c < n; c++) {
    double *s = malloc(sizeof *s * runs);
    memcpy(s, t + c * runs, sizeof *s * runs);
    qsort(s, runs, sizeof *s, cmp);
    double med = runs % 2 ? s[runs / 2] : (s[runs / 2 - 1] + s[runs / 2]) / 2;
    fprintf(out, "%s{\"command\":\"", c ? "," : "");
    for (const char *p = names[2 * c]; *p; p++) fprintf(out, (*p == '"' || *p == '\\') ? "\\%c" : "%c", *p);
    fprintf(out, "\",\"median\":%.9f,\"times\":[", med);
    for (int r = 0; r < runs; r++) fprintf(out, "%s%.9f", r ? "," : "", t[c * runs + r]);
    fprintf(out, "],\"exit_codes\":[");
    for (int r = 0; r < runs; r++) fprintf(out, "%s%d", r ? "," : "", codes[c * runs + r]);
    fprintf(out, "]}");
    free(s);
  }
  fprintf(out, "]}\n");
  return fclose(out) ? 1 : 0;
}
