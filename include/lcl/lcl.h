/* The C API of liblcl: a small, stable interface for C and other languages.
 *
 * Every function that can fail returns an lcl_status; LCL_OK (0) means success. On failure,
 * lcl_last_error() returns a message describing it (owned by the library, valid on the calling
 * thread until its next lcl_ call). No C++ exception ever crosses this interface.
 *
 *   lcl_archive* a;
 *   if (lcl_archive_open("model.safetensors.lcl", &a) != LCL_OK) { puts(lcl_last_error()); ... }
 *   lcl_tensor_info info;
 *   lcl_archive_tensor_info(a, 0, &info);              // name, dtype, shape, byte range
 *   void* buf = malloc(info.size);
 *   lcl_archive_read_tensor(a, 0, buf, info.size, 0);  // decodes only that tensor's chunks
 *   lcl_archive_close(a);
 *
 * Link with lcl::lcl (CMake: find_package(lcl 0.2)) or `pkg-config --libs lcl`.
 */
#ifndef LCL_LCL_H
#define LCL_LCL_H

#include <stddef.h>
#include <stdint.h>

#include "lcl/version.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum lcl_status {
  LCL_OK = 0,
  LCL_ERROR_CORRUPT = 1,     /* an input does not follow its format (a corrupt archive) */
  LCL_ERROR_IO = 2,          /* the operating system refused a read or write */
  LCL_ERROR_UNSUPPORTED = 3, /* valid input that this version cannot handle */
  LCL_ERROR_USAGE = 4,       /* a bad argument: null pointer, unknown tensor, wrong buffer size */
  LCL_ERROR_MEMORY = 5,      /* out of memory */
  LCL_ERROR_INTERNAL = 6     /* a bug in liblcl */
} lcl_status;

/* The version of the linked library, e.g. "0.2.0" (LCL_VERSION_STRING is the headers'). */
const char* lcl_version(void);

/* The message of the last failed call on this thread ("" when none failed). */
const char* lcl_last_error(void);

/* File to file; `threads` 0 means one per core. The output appears only when complete and is
   never an existing file replaced: an existing `dst` is an error. */
lcl_status lcl_compress_file(const char* src, const char* dst, unsigned threads);
lcl_status lcl_decompress_file(const char* src, const char* dst, unsigned threads);

/* Memory to memory. On success *out points to *out_size bytes allocated by the library, to be
   released with lcl_free(). */
lcl_status lcl_compress_buffer(const void* src, size_t size, unsigned threads, void** out,
                               size_t* out_size);
lcl_status lcl_decompress_buffer(const void* src, size_t size, unsigned threads, void** out,
                                 size_t* out_size);
void lcl_free(void* p);

/* An opened archive. Its functions may be called from several threads at once. */
typedef struct lcl_archive lcl_archive;

lcl_status lcl_archive_open(const char* path, lcl_archive** out);
/* `data` must stay valid and unchanged until lcl_archive_close(). */
lcl_status lcl_archive_open_memory(const void* data, size_t size, lcl_archive** out);
void lcl_archive_close(lcl_archive* archive); /* accepts NULL */

/* Size of the original file the archive decodes to. */
uint64_t lcl_archive_original_size(const lcl_archive* archive);
size_t lcl_archive_tensor_count(const lcl_archive* archive);

typedef struct lcl_tensor_info {
  const char* name;  /* owned by the archive, valid until it is closed */
  const char* dtype; /* "BF16", "F32", "q4_K", ... */
  uint32_t type_id;  /* lcl/types.hpp: ggml ids for ggml types, 0x1000+ for others */
  uint32_t ndim;
  const uint64_t* shape; /* ndim entries, as the file lists them (GGUF: ne0 first) */
  uint64_t offset;       /* of the tensor's bytes in the original file */
  uint64_t size;         /* bytes */
} lcl_tensor_info;

lcl_status lcl_archive_tensor_info(const lcl_archive* archive, size_t index, lcl_tensor_info* out);
/* LCL_ERROR_USAGE when no tensor has that name. */
lcl_status lcl_archive_find_tensor(const lcl_archive* archive, const char* name, size_t* index);
/* Decodes tensor `index` into `dst` (exactly its `size` bytes), decoding only its chunks. */
lcl_status lcl_archive_read_tensor(const lcl_archive* archive, size_t index, void* dst,
                                   size_t dst_size, unsigned threads);

#ifdef __cplusplus
}
#endif

#endif /* LCL_LCL_H */
