/* hog NAME MB KIDS TOUCH_PCT LEAVE: the workload of the kernel-in-the-loop test.
 *
 * Maps MB of private anonymous memory and writes a different pattern into every page,
 * creates the empty file /tmp/NAME.filled and waits for SIGUSR1: meanwhile the init
 * script pushes the pages out to swap, so the parent has swap entries when it forks
 * and fork links every child right behind it on the mmlist.  Then it forks KIDS
 * children.  Child k maps an area of its own (32 + 16*k pages: a VMA that tells the
 * siblings apart), writes it, rewrites TOUCH_PCT percent of the inherited pages
 * (copy-on-write of a page on swap is a swap-in) and reports through a pipe.  When
 * all have reported, /tmp/NAME.forked appears; with LEAVE = 1 the parent exits, so
 * the children are reparented to init.
 *
 * Every process of the family is called hog-NAME (its comm), so the test can tell the
 * families apart in the capture.
 *
 * The stack and data pages are locked first (mlockall of what is mapped so far): the
 * parent never faults one back in from swap, so a plan without touches keeps the
 * kernel's swap-in counters (pswpin) at zero until swapoff.  Markers are empty files,
 * so no tmpfs page is charged to the workload's memory cgroup.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <unistd.h>

#define PAGE 4096L

static volatile sig_atomic_t go;

static void on_usr1(int sig) { (void)sig; go = 1; }

static void marker(const char *name, const char *what) {
    char path[128];
    snprintf(path, sizeof path, "/tmp/%s.%s", name, what);
    int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0644);
    if (fd >= 0) close(fd);
}

static char *anon(long pages) {
    char *p = mmap(NULL, pages * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) { perror("hog: mmap"); exit(1); }
    return p;
}

static void sleep_forever(void) {
    sigset_t none;
    sigemptyset(&none);
    for (;;) sigsuspend(&none);
}

int main(int argc, char **argv) {
    if (argc != 6) { fprintf(stderr, "usage: hog NAME MB KIDS TOUCH_PCT LEAVE\n"); return 2; }
    const char *name = argv[1];
    long pages = atol(argv[2]) * 256;
    int kids = atoi(argv[3]), touch = atoi(argv[4]), leave = atoi(argv[5]);

    char comm[16];
    snprintf(comm, sizeof comm, "hog-%s", name);
    prctl(PR_SET_NAME, comm);

    sigset_t usr1, old;
    sigemptyset(&usr1);
    sigaddset(&usr1, SIGUSR1);
    sigprocmask(SIG_BLOCK, &usr1, &old);
    signal(SIGUSR1, on_usr1);
    if (mlockall(MCL_CURRENT)) perror("hog: mlockall");

    char *big = anon(pages);
    for (long i = 0; i < pages; i++) {
        unsigned long *w = (unsigned long *)(big + i * PAGE);
        w[0] = 0x5157415054554900UL ^ (unsigned long)i;  /* no two pages alike */
        w[1] = (unsigned long)getpid();
    }
    marker(name, "filled");
    while (!go) sigsuspend(&old);

    int done[2];
    if (pipe(done)) { perror("hog: pipe"); return 1; }
    for (int k = 0; k < kids; k++) {
        pid_t pid = fork();
        if (pid < 0) { perror("hog: fork"); return 1; }
        if (pid == 0) {
            long own = 32 + 16L * k;
            char *mine = anon(own);
            for (long i = 0; i < own; i++) mine[i * PAGE] = (char)(k + 1);
            unsigned long seed = 2654435761UL * (unsigned long)(k + 1);
            for (long i = 0; i < pages; i++) {
                seed = seed * 6364136223846793005UL + 1442695040888963407UL;
                if ((long)((seed >> 33) % 100) < touch) big[i * PAGE + 64] = (char)(k + 1);
            }
            char byte = 1;
            if (write(done[1], &byte, 1) != 1) _exit(1);
            sleep_forever();
        }
    }
    for (int k = 0; k < kids; k++) {
        char byte;
        if (read(done[0], &byte, 1) != 1) { perror("hog: read"); return 1; }
    }
    marker(name, "forked");
    if (leave) return 0;
    sleep_forever();
}
