/* snap DIR: copy what `swaptui capture` reads of each process to DIR/proc/PID/.
 *
 * maps, smaps, status, stat and comm are copied byte for byte.  pagemap is not: it
 * answers for the whole 128 TiB user address space.  DIR/proc/PID/pagemap.parts holds
 * instead, for every mapping of the maps just copied that lies below 2**47, a header of
 * two little-endian 64-bit words (first page number, number of pages) and the raw
 * 8-byte pagemap entries of those pages.  The host turns the parts back into a sparse
 * pagemap at the same offsets.  The files of the whole system (swaps, vmstat, ...) are
 * copied by the init script with cat.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define USER_TOP (1UL << 47)
#define BATCH 8192

static char text[32 << 20];
static uint64_t entries[BATCH];

/* Read a whole file into text[]; its length, or -1. */
static long slurp(const char *path) {
    int fd = open(path, O_RDONLY);
    if (fd < 0) return -1;
    long got = 0;
    for (;;) {
        ssize_t n = read(fd, text + got, sizeof text - 1 - got);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        got += n;
    }
    close(fd);
    text[got] = 0;
    return got;
}

static int spill(const char *path, const void *data, size_t len) {
    FILE *f = fopen(path, "w");
    if (!f) { perror(path); return -1; }
    size_t put = fwrite(data, 1, len, f);
    return fclose(f) == 0 && put == len ? 0 : -1;
}

static int parts(const char *pm_path, const char *out_path, const char *maps) {
    int pm = open(pm_path, O_RDONLY);
    if (pm < 0) return -1;
    FILE *out = fopen(out_path, "w");
    if (!out) { close(pm); return -1; }
    for (const char *line = maps; *line;) {
        unsigned long lo, hi;
        if (sscanf(line, "%lx-%lx", &lo, &hi) == 2 && lo < hi && hi <= USER_TOP) {
            uint64_t head[2] = {lo / 4096, (hi - lo) / 4096};
            fwrite(head, sizeof head, 1, out);
            for (uint64_t at = 0; at < head[1]; at += BATCH) {
                uint64_t n = head[1] - at < BATCH ? head[1] - at : BATCH;
                ssize_t got = pread(pm, entries, n * 8, (off_t)((head[0] + at) * 8));
                if (got != (ssize_t)(n * 8)) memset(entries, 0, n * 8);  /* the process is going */
                fwrite(entries, 8, n, out);
            }
        }
        const char *nl = strchr(line, '\n');
        if (!nl) break;
        line = nl + 1;
    }
    close(pm);
    return fclose(out);
}

int main(int argc, char **argv) {
    if (argc != 2) { fprintf(stderr, "usage: snap DIR\n"); return 2; }
    DIR *proc = opendir("/proc");
    if (!proc) { perror("/proc"); return 1; }
    int copied = 0;
    for (struct dirent *e; (e = readdir(proc));) {
        char *end;
        long pid = strtol(e->d_name, &end, 10);
        if (*end || pid <= 0) continue;
        char src[64], dst[512];
        snprintf(dst, sizeof dst, "%s/proc/%ld", argv[1], pid);
        mkdir(dst, 0755);
        static const char *files[] = {"status", "stat", "comm", "smaps", "maps"};
        long len = -1;
        for (int i = 0; i < 5; i++) {
            snprintf(src, sizeof src, "/proc/%ld/%s", pid, files[i]);
            snprintf(dst, sizeof dst, "%s/proc/%ld/%s", argv[1], pid, files[i]);
            len = slurp(src);
            if (len >= 0) spill(dst, text, (size_t)len);
        }
        if (len < 0) continue;  /* no maps: gone */
        /* text[] still holds maps, the last file read */
        snprintf(src, sizeof src, "/proc/%ld/pagemap", pid);
        snprintf(dst, sizeof dst, "%s/proc/%ld/pagemap.parts", argv[1], pid);
        if (parts(src, dst, text) == 0) copied++;
    }
    closedir(proc);
    printf("snap: %d processes\n", copied);
    return 0;
}
