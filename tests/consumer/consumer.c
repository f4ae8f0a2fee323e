/* Round trips through the C API of an installed liblcl: a buffer in memory, then a file, each
   compressed, decompressed and compared byte for byte; a corrupt archive must fail cleanly.
   Usage: consumer_c <scratch directory>. Exit 0 when everything matched. */
#include <lcl/lcl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures = 0;

static void check(int ok, const char* what) {
  if (!ok) {
    fprintf(stderr, "FAILED: %s (%s)\n", what, lcl_last_error());
    ++failures;
  }
}

int main(int argc, char** argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s <scratch directory>\n", argv[0]);
    return 2;
  }
  check(strcmp(lcl_version(), LCL_VERSION_STRING) == 0, "library and header versions agree");

  /* 1 MiB of text-like bytes: compressible, not trivial. */
  size_t size = 1u << 20;
  unsigned char* original = malloc(size);
  unsigned state = 12345;
  for (size_t i = 0; i < size; ++i) {
    state = state * 1103515245u + 12345u;
    original[i] = (unsigned char)("lossless weights "[(state >> 16) % 17]);
  }

  void* archive = NULL;
  size_t archive_size = 0;
  check(lcl_compress_buffer(original, size, 0, &archive, &archive_size) == LCL_OK,
        "compress buffer");
  check(archive_size < size, "the buffer shrank");
  void* restored = NULL;
  size_t restored_size = 0;
  check(lcl_decompress_buffer(archive, archive_size, 2, &restored, &restored_size) == LCL_OK,
        "decompress buffer");
  check(restored_size == size && memcmp(restored, original, size) == 0, "buffer bytes equal");
  lcl_free(restored);

  lcl_archive* handle = NULL;
  check(lcl_archive_open_memory(archive, archive_size, &handle) == LCL_OK, "open from memory");
  check(lcl_archive_original_size(handle) == size, "original size");
  check(lcl_archive_tensor_count(handle) == 0, "plain bytes hold no tensors");
  lcl_archive_close(handle);

  /* A flipped byte inside the payload: an error with a message, no crash. */
  ((unsigned char*)archive)[40] ^= 0x55;
  restored = NULL;
  check(lcl_decompress_buffer(archive, archive_size, 1, &restored, &restored_size) ==
            LCL_ERROR_CORRUPT,
        "a corrupt archive is reported as corrupt");
  check(strlen(lcl_last_error()) > 0, "the error has a message");
  lcl_free(archive);

  /* File to file. */
  char in_path[4096], lcl_path[4096], out_path[4096];
  snprintf(in_path, sizeof in_path, "%s/c-input.bin", argv[1]);
  snprintf(lcl_path, sizeof lcl_path, "%s/c-input.bin.lcl", argv[1]);
  snprintf(out_path, sizeof out_path, "%s/c-output.bin", argv[1]);
  FILE* f = fopen(in_path, "wb");
  fwrite(original, 1, size, f);
  fclose(f);
  check(lcl_compress_file(in_path, lcl_path, 0) == LCL_OK, "compress file");
  check(lcl_compress_file(in_path, lcl_path, 0) == LCL_ERROR_IO, "an existing output is refused");
  check(lcl_decompress_file(lcl_path, out_path, 0) == LCL_OK, "decompress file");
  unsigned char* back = malloc(size + 1);
  f = fopen(out_path, "rb");
  size_t got = f ? fread(back, 1, size + 1, f) : 0;
  if (f) fclose(f);
  check(got == size && memcmp(back, original, size) == 0, "file bytes equal");
  check(lcl_archive_open("/nonexistent/x.lcl", &handle) == LCL_ERROR_IO && handle == NULL,
        "a missing file is an I/O error");
  free(back);
  free(original);
  if (failures == 0) printf("C consumer: liblcl %s, all checks passed\n", lcl_version());
  return failures == 0 ? 0 : 1;
}
