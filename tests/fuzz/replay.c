/*
 * replay.c: run a libFuzzer harness without a fuzzing engine.
 *
 * Linked with any tests/fuzz/fuzz_NAME.c into tests/fuzz/replay_NAME, it
 * calls LLVMFuzzerTestOneInput() once with an empty input and then once per
 * regular file named on the command line or found (not recursively, dot
 * files skipped, in name order) in a directory named there.  A harness
 * that finds a bug aborts, which fails the run; replay.sh turns the result
 * into a TAP line.  LLVMFuzzerInitialize() is called first when the
 * harness defines it, as libFuzzer does.
 *
 * Exit status: 0 when every input ran, 1 when a path could not be read, 2
 * on bad usage.  Each file is read into a buffer of exactly its size, so
 * that an over-read shows under ASan as it would under libFuzzer.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);
int	LLVMFuzzerInitialize(int *, char ***) __attribute__((weak));

static size_t	replay_count;

/* Read path whole and run it; -1 (with a message) if it cannot be read. */
static int
replay_file(const char *path)
{
	FILE *f;
	uint8_t *data;
	struct stat st;
	size_t n;
	int rc = -1;

	if ((f = fopen(path, "rb")) == NULL) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (fstat(fileno(f), &st) == -1 || st.st_size < 0) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		goto out;
	}
	/* Never NULL, like libFuzzer's buffer, even for an empty file. */
	if ((data = malloc(st.st_size > 0 ? (size_t)st.st_size : 1)) == NULL) {
		fprintf(stderr, "replay: %s: out of memory\n", path);
		goto out;
	}
	n = fread(data, 1, (size_t)st.st_size, f);
	if (n != (size_t)st.st_size) {
		fprintf(stderr, "replay: %s: short read\n", path);
		free(data);
		goto out;
	}
	LLVMFuzzerTestOneInput(data, n);
	free(data);
	replay_count++;
	rc = 0;
out:
	fclose(f);
	return rc;
}

static int
replay_dir(const char *dir)
{
	struct dirent **ents;
	struct stat st;
	char *path;
	int i, n, rc = 0;

	if ((n = scandir(dir, &ents, NULL, alphasort)) == -1) {
		fprintf(stderr, "replay: %s: %s\n", dir, strerror(errno));
		return -1;
	}
	for (i = 0; i < n; i++) {
		if (ents[i]->d_name[0] != '.') {
			path = malloc(strlen(dir) + strlen(ents[i]->d_name) + 2);
			if (path == NULL) {
				rc = -1;
			} else {
				sprintf(path, "%s/%s", dir, ents[i]->d_name);
				if (stat(path, &st) == 0 && S_ISREG(st.st_mode) &&
				    replay_file(path) == -1)
					rc = -1;
				free(path);
			}
		}
		free(ents[i]);
	}
	free(ents);
	return rc;
}

int
main(int argc, char *argv[])
{
	struct stat st;
	static const uint8_t empty[1];
	int i, rc = 0;

	if (LLVMFuzzerInitialize != NULL)
		LLVMFuzzerInitialize(&argc, &argv);
	if (argc < 2) {
		fprintf(stderr, "usage: %s DIR|FILE...\n", argv[0]);
		return 2;
	}
	LLVMFuzzerTestOneInput(empty, 0);
	for (i = 1; i < argc; i++) {
		if (stat(argv[i], &st) == -1) {
			fprintf(stderr, "replay: %s: %s\n", argv[i],
			    strerror(errno));
			rc = 1;
		} else if (S_ISDIR(st.st_mode)) {
			if (replay_dir(argv[i]) == -1)
				rc = 1;
		} else if (replay_file(argv[i]) == -1)
			rc = 1;
	}
	printf("replay: %zu inputs\n", replay_count);
	return rc;
}
